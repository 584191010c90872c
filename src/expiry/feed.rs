//! `GET /users/{id}/expiry.ics`: a user's calendar of agreement expiry and notice dates.
//!
//! The feed lists the agreements the user is responsible for; a user who may edit
//! agreements (staff, admin) gets every agreement, as they look after all of them. Each
//! agreement gives an all-day event on its expiry date (`agreement-expiry-{id}@liaison`)
//! and, with a notice period, one on its notice date (`agreement-notice-{id}@liaison`).
//! SEQUENCE is the number of the agreement's status events, which only grows. Dates a
//! year past are left out so the feed stays small.

use axum::{extract::State, response::Response};
use jiff::{Span, Timestamp, civil::Date};

use super::queries::{self, Row, Scope};
use crate::{
    auth::{Permission, Role, role_allows},
    error::{AppError, AppResult},
    feeds::{
        FeedKind, FeedQuery, authorize,
        ics::{self, Event, When},
        ics_response,
    },
    web::{
        AppState,
        context::Ctx,
        extract::{ApiPath, ApiQuery},
        i18n::{Locale, Tr},
    },
};

/// `GET /users/{id}/expiry.ics`: expiry and notice dates of the user's agreements.
#[utoipa::path(get, path = "/users/{id}/expiry.ics", tag = "expiry", params(("id" = i64, Path, description = "User id"), FeedQuery),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, description = "No such user, or wrong token")))]
pub async fn expiry_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    // The right token, the user themselves, or an admin.
    authorize(&mut conn, &ctx, FeedKind::Expiry, id, q.token.as_deref(), |u| u.id == id || u.can(Permission::ManageUsers)).await?;
    let (name, locale) = queries::active_user(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let tr = Tr(Locale::parse(&locale).unwrap_or(Locale::En));
    let roles = queries::user_roles(&mut conn, id).await?;
    let all = roles.iter().filter_map(|r| Role::parse(r)).any(|r| role_allows(r, Permission::EditAgreements));
    let scope = if all { Scope::All } else { Scope::Responsible(id) };
    let since = crate::time::today_date().checked_sub(Span::new().days(365)).unwrap_or(Date::MIN);
    let rows = queries::feed_rows(&mut conn, since, scope, tr.locale().code()).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut partners = queries::partners(&mut conn, &ids).await?;
    let mut events = Vec::with_capacity(rows.len() * 2);
    for r in rows {
        events.extend(agreement_events(tr, &r, &partners.remove(&r.id).unwrap_or_default())?);
    }
    let title = format!("{} — {name}", tr.t("expiry.feed_title"));
    Ok(ics_response(ics::calendar(&title, &events), &format!("expiry-{id}")))
}

fn parse<T: std::str::FromStr>(text: &str) -> AppResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("stored value {text:?}: {e}")))
}

/// The expiry event and, with a notice period, the notice event of one agreement.
pub fn agreement_events(tr: Tr, r: &Row, partners: &[String]) -> AppResult<Vec<Event>> {
    let expiry: Date = parse(&r.expiry_date)?;
    let modified: Timestamp = parse(&r.updated_at)?;
    let status = if r.status == "terminated" { "CANCELLED" } else { "CONFIRMED" };
    let mut description = Vec::new();
    if !partners.is_empty() {
        description.push(format!("{}: {}", tr.t("expiry.partners"), partners.join(", ")));
    }
    description.push(format!("{}: {expiry}", tr.t("expiry.expiry_date")));
    let notice = super::model::notice_date(expiry, r.notice_days);
    if let (Some(n), Some(days)) = (notice, r.notice_days) {
        description.push(format!("{}: {n} ({days} {})", tr.t("expiry.notice_date"), tr.t("expiry.days")));
    }
    if r.auto_renew == 1 {
        description.push(tr.t("expiry.auto_renew_note").to_string());
    }
    description.push(format!("/agreements/{}", r.id));
    let description = description.join("\n");
    let event = |uid: String, summary: String, day: Date| Event {
        uid,
        sequence: r.sequence,
        modified,
        summary,
        location: String::new(),
        description: description.clone(),
        status,
        when: When::AllDay { first: day, last: day },
    };
    let mut out =
        vec![event(format!("agreement-expiry-{}@liaison", r.id), format!("{}: {}", tr.t("expiry.event_expiry"), r.title), expiry)];
    if let Some(n) = notice {
        let key = if r.auto_renew == 1 { "expiry.event_notice_renew" } else { "expiry.event_notice" };
        out.push(event(format!("agreement-notice-{}@liaison", r.id), format!("{}: {}", tr.t(key), r.title), n));
    }
    Ok(out)
}
