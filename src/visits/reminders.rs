//! Reminders for follow-up actions. An open action due within `reminder_days` whose
//! owner has an e-mail address gets one reminder, in English and Chinese (Malay and
//! English for an owner who reads Malay), through the outbox.
//!
//! "Sent once" rests on two guards in one transaction: `reminded_at` is set only if it
//! was still empty (so of two instances racing, one changes the row and the other
//! changes nothing and queues nothing), and the outbox's unique dedupe key would refuse
//! a second message anyway. The key is `action-reminder:{id}:{due date}:{owner}`, not
//! just the id: moving an action to a new date or owner clears `reminded_at` (see
//! `visits::queries::update_action`), and the new date or owner deserves its reminder.

use jiff::{Timestamp, civil::Date, tz::TimeZone};
use sqlx::AnyConnection;

use super::queries;
use crate::{db::Db, error::AppResult, mail::outbox};

/// An open action that may need a reminder, with what the message says about it.
#[derive(Debug, Clone)]
pub struct DueAction {
    /// Action id.
    pub id: i64,
    /// What is to be done.
    pub title: String,
    /// Due date.
    pub due_date: Date,
    /// The visit it follows up.
    pub visit_id: i64,
    /// The visit's title.
    pub visit_title: String,
    /// The visit's IANA time zone: "today" is taken there.
    pub time_zone: String,
    /// The owner (a user id).
    pub owner_id: i64,
    /// The owner's address.
    pub email: String,
    /// The owner's language (`en`, `zh` or `ms`): that language comes first.
    pub locale: String,
}

/// A composed message.
#[derive(Debug, Clone, PartialEq)]
pub struct Reminder {
    /// Subject line (both languages).
    pub subject: String,
    /// Plain-text body (both languages).
    pub body: String,
}

/// Queues the reminders that have come due; answers how many this call queued.
pub async fn queue_due(db: &Db, reminder_days: i64) -> anyhow::Result<usize> {
    let now = Timestamp::now();
    // Candidates are read with the loosest bound (the date where it is latest: UTC+14);
    // each is then held against "today" in its own visit's time zone.
    let furthest_today = now.to_zoned_datetime(TimeZone::fixed(jiff::tz::offset(14))).date();
    let bound = furthest_today.checked_add(jiff::Span::new().days(reminder_days))?;
    let mut conn = db.pool.acquire().await?;
    let candidates = candidates(&mut conn, &bound.to_string()).await?;
    drop(conn);
    let mut queued = 0;
    for action in candidates {
        let today = crate::time::date_in_named(&action.time_zone, now);
        if action.due_date > today.checked_add(jiff::Span::new().days(reminder_days))? {
            continue;
        }
        let reminder = compose(&action, today);
        let mut tx = db.begin().await?;
        if queries::claim_reminder(&mut tx, action.id).await? {
            outbox::enqueue(&mut tx, &dedupe_key(&action), &action.email, &reminder.subject, &reminder.body).await?;
            queued += 1;
        }
        tx.commit().await?;
    }
    Ok(queued)
}

/// One reminder per action, due date and owner.
pub fn dedupe_key(action: &DueAction) -> String {
    format!("action-reminder:{}:{}:{}", action.id, action.due_date, action.owner_id)
}

/// Open, unreminded actions due on or before `latest_due` whose active owner has an
/// address.
async fn candidates(conn: &mut AnyConnection, latest_due: &str) -> AppResult<Vec<DueAction>> {
    let rows = queries::due_action_candidates(conn, latest_due).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        // Dates are validated on the way in; a row that does not parse is skipped, not fatal.
        let Ok(due_date) = r.due_date.parse::<Date>() else {
            tracing::warn!(action = r.id, due = r.due_date, "action with an unreadable due date is not reminded");
            continue;
        };
        out.push(DueAction {
            id: r.id,
            title: r.title,
            due_date,
            visit_id: r.visit_id,
            visit_title: r.visit_title,
            time_zone: r.time_zone,
            owner_id: r.owner_id,
            email: r.email,
            locale: r.locale,
        });
    }
    Ok(out)
}

/// The reminder for `action` as of `today`, the owner's language first.
pub fn compose(action: &DueAction, today: Date) -> Reminder {
    let title = one_line(&action.title);
    let visit = one_line(&action.visit_title);
    let due = action.due_date;
    let days = (due - today).get_days();
    let (en_subject, zh_subject) = if days < 0 {
        (format!("Overdue: \"{title}\" was due {due}"), format!("逾期：“{title}”已于 {due} 到期"))
    } else {
        (format!("Reminder: \"{title}\" is due {due}"), format!("提醒：“{title}”将于 {due} 到期"))
    };
    let (en_when, zh_when) = match days {
        d if d < 0 => (format!("overdue by {} day{}", -d, if d == -1 { "" } else { "s" }), format!("已逾期 {} 天", -d)),
        0 => ("due today".to_string(), "今天到期".to_string()),
        d => (format!("in {d} day{}", if d == 1 { "" } else { "s" }), format!("还有 {d} 天")),
    };
    let link = format!("/visits/{}", action.visit_id);
    let en = format!(
        "Follow-up action: {title}\nVisit: {visit}\nDue: {due} ({en_when})\nOpen the visit: {link}\n\n\
         This reminder is sent once. Mark the action done in Liaison when it is."
    );
    let zh = format!(
        "后续事项：{title}\n访问：{visit}\n截止日期：{due}（{zh_when}）\n查看访问：{link}\n\n此提醒仅发送一次。完成后请在 Liaison 中将事项标记为已完成。"
    );
    if action.locale == "zh" {
        Reminder { subject: format!("{zh_subject} / {en_subject}"), body: format!("{zh}\n\n----\n\n{en}\n") }
    } else if action.locale == "ms" {
        let (ms_subject, ms) = malay(&title, &visit, due, days, &link);
        Reminder { subject: format!("{ms_subject} / {en_subject}"), body: format!("{ms}\n\n----\n\n{en}\n") }
    } else {
        Reminder { subject: format!("{en_subject} / {zh_subject}"), body: format!("{en}\n\n----\n\n{zh}\n") }
    }
}

/// The Malay subject and text of a reminder, the due date written as Malay writes dates.
fn malay(title: &str, visit: &str, due: Date, days: i32, link: &str) -> (String, String) {
    let due = crate::web::i18n::Tr(crate::web::i18n::Locale::Ms).long_date(due);
    let subject = if days < 0 {
        format!("Lewat tempoh: \"{title}\" sepatutnya selesai pada {due}")
    } else {
        format!("Peringatan: \"{title}\" perlu diselesaikan pada {due}")
    };
    let when = match days {
        d if d < 0 => format!("lewat {} hari", -d),
        0 => "tarikh akhir hari ini".to_string(),
        d => format!("{d} hari lagi"),
    };
    let body = format!(
        "Tindakan susulan: {title}\nLawatan: {visit}\nTarikh akhir: {due} ({when})\nBuka lawatan: {link}\n\n\
         Peringatan ini dihantar sekali sahaja. Tandakan tindakan ini sebagai selesai dalam Liaison setelah ia dilaksanakan."
    );
    (subject, body)
}

/// Titles go into a subject line: no line breaks or other control characters.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(due: &str, locale: &str) -> DueAction {
        DueAction {
            id: 7,
            title: "Send the draft MoU\r\nto IUKL".into(),
            due_date: due.parse().expect("date"),
            visit_id: 12,
            visit_title: "IUKL delegation".into(),
            time_zone: "Asia/Shanghai".into(),
            owner_id: 3,
            email: "owner@example.edu".into(),
            locale: locale.into(),
        }
    }

    fn today() -> Date {
        "2024-05-10".parse().expect("date")
    }

    #[test]
    fn a_reminder_names_the_action_the_visit_the_due_date_and_the_link_in_both_languages() {
        let r = compose(&action("2024-05-12", "en"), today());
        assert_eq!(
            r.subject,
            "Reminder: \"Send the draft MoU  to IUKL\" is due 2024-05-12 / 提醒：“Send the draft MoU  to IUKL”将于 2024-05-12 到期"
        );
        for part in [
            "Visit: IUKL delegation",
            "Due: 2024-05-12 (in 2 days)",
            "/visits/12",
            "截止日期：2024-05-12（还有 2 天）",
            "访问：IUKL delegation",
        ] {
            assert!(r.body.contains(part), "{part} in {}", r.body);
        }
        assert!(r.body.find("Follow-up action") < r.body.find("后续事项"));
    }

    #[test]
    fn an_overdue_reminder_says_so_and_chinese_readers_get_chinese_first() {
        let r = compose(&action("2024-05-09", "zh"), today());
        assert!(r.subject.starts_with("逾期："), "{}", r.subject);
        assert!(r.body.contains("overdue by 1 day)") && r.body.contains("已逾期 1 天"), "{}", r.body);
        assert!(r.body.find("后续事项") < r.body.find("Follow-up action"));
        assert!(compose(&action("2024-05-10", "en"), today()).body.contains("(due today)"));
    }

    #[test]
    fn malay_readers_get_malay_first_with_a_malay_date() {
        let r = compose(&action("2024-05-12", "ms"), today());
        assert!(
            r.subject.starts_with("Peringatan: \"Send the draft MoU  to IUKL\" perlu diselesaikan pada 12 Mei 2024 / Reminder:"),
            "{}",
            r.subject
        );
        assert!(r.body.contains("Tarikh akhir: 12 Mei 2024 (2 hari lagi)") && r.body.contains("Lawatan: IUKL delegation"), "{}", r.body);
        assert!(r.body.find("Tindakan susulan") < r.body.find("Follow-up action"));
        assert!(compose(&action("2024-05-08", "ms"), today()).body.contains("(lewat 2 hari)"));
    }

    #[test]
    fn a_new_due_date_or_owner_makes_a_new_reminder() {
        let a = action("2024-05-12", "en");
        assert_eq!(dedupe_key(&a), "action-reminder:7:2024-05-12:3");
        assert_ne!(dedupe_key(&a), dedupe_key(&action("2024-05-13", "en")));
        assert_ne!(dedupe_key(&a), dedupe_key(&DueAction { owner_id: 4, ..a.clone() }));
    }

    #[test]
    fn today_is_taken_in_the_visits_time_zone() {
        let now: Timestamp = "2024-05-10T20:00:00Z".parse().expect("ts");
        assert_eq!(crate::time::date_in_named("Asia/Shanghai", now).to_string(), "2024-05-11");
        assert_eq!(crate::time::date_in_named("America/New_York", now).to_string(), "2024-05-10");
        assert_eq!(crate::time::date_in_named("Not/AZone", now).to_string(), "2024-05-11");
    }
}
