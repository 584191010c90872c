//! The invitation letter of an inbound delegation, in Chinese and English (and in Malay
//! for a reader of Malay, whose partners write it), as a print-ready page (`static/print.css` puts each language on its own sheet). Visa
//! offices ask for such a letter; it names the visiting institution, the leader with
//! their titles, the dates, the purpose, the members and head count, the programme by
//! day and a host official's signature block. Outbound visits have none: we are the
//! guests, so the page says so (409).

use askama::Template;
use axum::{extract::State, response::Response};
use jiff::civil::Date;
use sqlx::AnyConnection;

use super::queries::{self, Sessions, Title, VisitPeople};
use crate::feeds::ics::When;
use crate::{
    error::{AppError, AppResult},
    web::{
        AppState,
        context::Ctx,
        extract::ApiPath,
        i18n::{Locale, Tr},
        pages::Base,
        render,
    },
};

/// A person as the letter names them.
struct Named {
    name_en: String,
    name_zh: Option<String>,
    /// Current positions only.
    titles: Vec<Title>,
    role: String,
}

impl Named {
    fn name(&self, tr: Tr) -> String {
        match self.name_zh.as_deref().filter(|z| tr.locale() == Locale::Zh && !z.is_empty()) {
            Some(z) => z.into(),
            None => self.name_en.clone(),
        }
    }

    fn title(&self, tr: Tr) -> String {
        let zh = tr.locale() == Locale::Zh;
        let parts: Vec<String> = self
            .titles
            .iter()
            .map(|t| match (zh, &t.unit_en) {
                (true, _) => {
                    format!(
                        "{}{}",
                        t.unit_zh.as_deref().or(t.unit_en.as_deref()).unwrap_or(""),
                        t.title_zh.as_deref().unwrap_or(&t.title_en)
                    )
                }
                (false, Some(u)) => format!("{}, {u}", t.title_en),
                (false, None) => t.title_en.clone(),
            })
            .collect();
        parts.join(if zh { "、" } else { "; " })
    }

    /// The first current title alone (no unit), for the salutation.
    fn first_title(&self, tr: Tr) -> String {
        let zh = tr.locale() == Locale::Zh;
        self.titles
            .first()
            .map(|t| if zh { t.title_zh.clone().unwrap_or_else(|| t.title_en.clone()) } else { t.title_en.clone() })
            .unwrap_or_default()
    }

    fn with_title(&self, tr: Tr) -> String {
        let t = self.title(tr);
        if t.is_empty() { self.name(tr) } else { format!("{} — {t}", self.name(tr)) }
    }
}

/// One language's letter, ready to print.
struct Side {
    lang: &'static str,
    letterhead: String,
    heading: String,
    date: String,
    addressee: Vec<String>,
    salutation: String,
    body: Vec<String>,
    members_heading: String,
    members: Vec<String>,
    programme_heading: String,
    days: Vec<(String, Vec<String>)>,
    closing: String,
    signoff: Vec<String>,
    signature: Vec<String>,
}

#[derive(Template)]
#[template(path = "visits/invitation.html")]
struct InvitationPage {
    base: Base,
    sides: Vec<Side>,
}

/// Everything the letter says, read once.
struct Facts {
    title: String,
    purpose: String,
    start: Date,
    end: Date,
    head_count: i64,
    time_zone: String,
    home: (String, Option<String>),
    institutions: Vec<(String, Option<String>)>,
    members: Vec<Named>,
    signatory: Option<Named>,
    host_units: Vec<(String, Option<String>)>,
}

fn bad_data(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored visit data: {e}"))
}

async fn facts(conn: &mut AnyConnection, tr: Tr, id: i64, home_name: &str) -> AppResult<Facts> {
    let v = queries::letter_visit(&mut *conn, id).await?.ok_or(AppError::NotFound)?;
    if v.direction != "inbound" {
        return Err(AppError::Conflict(tr.t("calendar.letter.outbound").into(), None));
    }
    let home = crate::institutions::lookup::home_names(&mut *conn).await?;
    let institutions = queries::visit_institutions(&mut *conn, id).await?;
    let host_units = queries::host_units(&mut *conn, id).await?;
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().to_string();
    let members = people(&mut *conn, VisitPeople::Members, id, &today).await?;
    let signatory = people(&mut *conn, VisitPeople::Hosts, id, &today).await?.into_iter().next();
    Ok(Facts {
        title: v.title,
        purpose: v.purpose,
        start: v.start_date.parse().map_err(bad_data)?,
        end: v.end_date.parse().map_err(bad_data)?,
        head_count: v.head_count,
        time_zone: v.time_zone,
        home: home.unwrap_or_else(|| (home_name.to_string(), None)),
        institutions,
        members,
        signatory,
        host_units,
    })
}

/// Members (leader first) or host officials of a visit, with their current positions.
async fn people(conn: &mut AnyConnection, which: VisitPeople, visit_id: i64, today: &str) -> AppResult<Vec<Named>> {
    let rows = queries::visit_people(&mut *conn, which, visit_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        let titles = queries::current_titles(&mut *conn, p.id, today).await?;
        out.push(Named { name_en: p.name_en, name_zh: p.name_zh, titles, role: p.role });
    }
    Ok(out)
}

fn pick(tr: Tr, en: &str, zh: Option<&str>) -> String {
    match zh.filter(|z| tr.locale() == Locale::Zh && !z.is_empty()) {
        Some(z) => z.into(),
        None => en.into(),
    }
}

/// A date as a letter writes it: day first in English ("8 May 2024", as letters are
/// dated), CLDR's long pattern otherwise ("2024年5月8日", "8 Mei 2024").
fn day_text(tr: Tr, d: Date) -> String {
    if tr.locale() == Locale::En { d.strftime("%-d %B %Y").to_string() } else { tr.long_date(d) }
}

fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    pairs.iter().fold(template.to_string(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

/// The programme, by day, in the venue's time (from the same sessions as the feeds).
fn programme(tr: Tr, sessions: &[crate::feeds::ics::Event]) -> Vec<(String, Vec<String>)> {
    let mut days: Vec<(String, Vec<String>)> = Vec::new();
    for s in sessions {
        let When::Timed { start, end, tz } = &s.when else { continue };
        let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
        let (a, b) = (start.to_zoned_datetime(zone.clone()), end.to_zoned_datetime(zone));
        let day = day_text(tr, a.date());
        let place = if s.location.is_empty() { String::new() } else { format!(" — {}", s.location) };
        let item = format!("{}–{} {}{place}", a.strftime("%H:%M"), b.strftime("%H:%M"), s.summary);
        match days.last_mut() {
            Some((d, items)) if *d == day => items.push(item),
            _ => days.push((day, vec![item])),
        }
    }
    days
}

fn side(tr: Tr, f: &Facts, sessions: &[crate::feeds::ics::Event]) -> Side {
    let home = pick(tr, &f.home.0, f.home.1.as_deref());
    let sep = tr.t("calendar.letter.and");
    let institutions = f.institutions.iter().map(|(en, z)| pick(tr, en, z.as_deref())).collect::<Vec<_>>().join(sep);
    let leader = f.members.iter().find(|m| m.role == "leader");
    let led = leader.map(|l| fill(tr.t("calendar.letter.led_by"), &[("leader", &l.name(tr))])).unwrap_or_default();
    let when = if f.start == f.end {
        fill(tr.t("calendar.letter.on_day"), &[("date", &day_text(tr, f.start))])
    } else {
        fill(tr.t("calendar.letter.range"), &[("start", &day_text(tr, f.start)), ("end", &day_text(tr, f.end))])
    };
    let n = f.head_count.max(f.members.len() as i64).to_string();
    let mut body = vec![fill(
        tr.t("calendar.letter.invite"),
        &[("home", &home), ("institutions", &institutions), ("n", &n), ("led", &led), ("when", &when)],
    )];
    if !f.purpose.trim().is_empty() {
        body.push(fill(tr.t("calendar.letter.purpose"), &[("purpose", f.purpose.trim())]));
    }
    if !f.host_units.is_empty() {
        let units = f.host_units.iter().map(|(en, z)| pick(tr, en, z.as_deref())).collect::<Vec<_>>().join(sep);
        body.push(fill(tr.t("calendar.letter.hosts"), &[("units", &units)]));
    }
    let mut members: Vec<String> = f
        .members
        .iter()
        .map(|m| {
            fill(
                tr.t("calendar.letter.member"),
                &[("member", &m.with_title(tr)), ("role", tr.t(&format!("calendar.letter.role.{}", m.role)))],
            )
        })
        .collect();
    members.push(fill(tr.t("calendar.letter.head_count"), &[("n", &n)]));
    let mut addressee: Vec<String> = leader.map(|l| l.with_title(tr)).into_iter().collect();
    addressee.push(institutions.clone());
    let salutation = match leader {
        Some(l) => fill(tr.t("calendar.letter.salutation"), &[("name", &l.name(tr)), ("title", &l.first_title(tr))]).replace("  ", " "),
        None => tr.t("calendar.letter.salutation_none").to_string(),
    };
    let signature = match &f.signatory {
        Some(s) => vec![s.name(tr), s.title(tr), home.clone()],
        None => vec![tr.t("calendar.letter.office").to_string(), home.clone()],
    };
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get(&f.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)).date();
    // An invitation is issued before the visit: printed again afterwards (for the
    // records), it keeps a date two weeks before the first day.
    let issued = if today <= f.start { today } else { f.start.checked_sub(jiff::ToSpan::days(14)).unwrap_or(f.start) };
    Side {
        lang: tr.locale().html_lang(),
        letterhead: home,
        heading: tr.t("calendar.letter.heading").into(),
        date: day_text(tr, issued),
        addressee,
        salutation,
        body,
        members_heading: tr.t("calendar.letter.members").into(),
        members,
        programme_heading: tr.t("calendar.letter.programme").into(),
        days: programme(tr, sessions),
        closing: tr.t("calendar.letter.closing").into(),
        signoff: tr.t("calendar.letter.signoff").lines().map(str::to_string).collect(),
        signature: signature.into_iter().filter(|l| !l.is_empty()).collect(),
    }
}

/// `GET /visits/{id}/invitation`: the letter, Chinese first, then English, then Malay
/// when the reader reads Malay.
pub async fn invitation(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let f = facts(&mut conn, Tr(ctx.locale), id, &state.settings.home_name).await?;
    let mut sides = Vec::new();
    let mut langs = vec![Locale::Zh, Locale::En];
    if ctx.locale == Locale::Ms {
        langs.push(Locale::Ms);
    }
    for tr in langs.into_iter().map(Tr) {
        let sessions = super::feeds::session_events(&mut conn, tr, Sessions::OfVisit, id).await?;
        sides.push(side(tr, &f, &sessions));
    }
    let title = format!("{} · {}", Tr(ctx.locale).t("calendar.letter.title"), f.title);
    Ok(render(&InvitationPage { base: Base::new(&ctx, title, "visits"), sides }))
}
