//! The weekly expiry digest: each active responsible user with an e-mail address gets,
//! once per ISO week, one message (English and Chinese, or Malay and English, their
//! language first) listing
//! their agreements whose expiry or notice date falls within the next 90 days.
//!
//! "Once" is the outbox's unique dedupe key `expiry-digest:{user}:{iso year}-W{week}`
//! (week with two digits): any number of instances may run this on every tick; the
//! first insert of the week wins and the others insert nothing. A user who had nothing
//! due at the start of the week gets the week's digest when something comes into the
//! window later that week.

use std::collections::BTreeMap;

use jiff::civil::Date;
use sqlx::AnyConnection;

use super::{
    model::{DEFAULT_DAYS, ExpiringAgreement, Window},
    queries::{self, Row, Scope},
};
use crate::mail::outbox;

/// The digest's horizon in days.
pub const DIGEST_DAYS: i64 = DEFAULT_DAYS;

/// `2024-W19`: the ISO week of `today`.
pub fn iso_week(today: Date) -> String {
    let w = today.iso_week_date();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The outbox key of one user's digest for one week.
pub fn dedupe_key(user_id: i64, today: Date) -> String {
    format!("expiry-digest:{user_id}:{}", iso_week(today))
}

/// One recipient and their agreements.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// User id.
    pub user_id: i64,
    /// Address.
    pub email: String,
    /// `en`, `zh` or `ms`: that language comes first.
    pub locale: String,
}

/// A composed digest.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    /// Subject (both languages).
    pub subject: String,
    /// Plain-text body (both languages).
    pub body: String,
}

/// Queues this week's digests not yet queued; answers how many this call queued.
/// Called on every mail worker tick (see `crate::mail::Mailer::run_once`).
pub async fn queue_digests(conn: &mut AnyConnection, today: Date) -> anyhow::Result<usize> {
    let w = Window { today, days: DIGEST_DAYS, unit_id: None };
    let rows = queries::candidates(&mut *conn, &w, Scope::All, "en").await?;
    let week = iso_week(today);
    let done = queries::queued_digest_keys(&mut *conn, &week).await?;
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| r.responsible_id.is_some_and(|u| !done.contains(&dedupe_key(u, today))))
        .filter(|r| r.responsible_active == Some(1) && r.responsible_email.as_deref().is_some_and(|e| !e.trim().is_empty()))
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut partners = queries::partners(&mut *conn, &ids).await?;
    let mut by_user: BTreeMap<i64, (Recipient, Vec<ExpiringAgreement>)> = BTreeMap::new();
    for (item, row) in queries::in_window(&w, rows, &mut partners)? {
        let (Some(user_id), Some(email)) = (row.responsible_id, row.responsible_email) else { continue };
        let locale = row.responsible_locale.unwrap_or_else(|| "en".into());
        by_user.entry(user_id).or_insert_with(|| (Recipient { user_id, email, locale }, Vec::new())).1.push(item);
    }
    let mut queued = 0;
    for (recipient, items) in by_user.values() {
        let digest = compose(recipient, items, today);
        if outbox::enqueue(&mut *conn, &dedupe_key(recipient.user_id, today), &recipient.email, &digest.subject, &digest.body).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

fn line_en(a: &ExpiringAgreement) -> String {
    let partners = if a.partners.is_empty() { String::new() } else { format!(" ({})", a.partners.join(", ")) };
    let mut s = format!("- {}{partners}\n  expires {}", one_line(&a.title), a.expiry_date);
    if let Some(n) = &a.notice_date {
        s.push_str(&format!("; notice by {n}{}", if a.notice_passed { " (passed)" } else { "" }));
    }
    if a.auto_renew {
        s.push_str("; renews automatically unless notice is given");
    }
    s.push_str(&format!("\n  /agreements/{}", a.id));
    s
}

fn line_zh(a: &ExpiringAgreement) -> String {
    let partners = if a.partners.is_empty() { String::new() } else { format!("（{}）", a.partners.join("、")) };
    let mut s = format!("- {}{partners}\n  到期日：{}", one_line(&a.title), a.expiry_date);
    if let Some(n) = &a.notice_date {
        s.push_str(&format!("；通知截止日：{n}{}", if a.notice_passed { "（已过）" } else { "" }));
    }
    if a.auto_renew {
        s.push_str("；如不通知将自动续约");
    }
    s.push_str(&format!("\n  /agreements/{}", a.id));
    s
}

fn line_ms(a: &ExpiringAgreement) -> String {
    let partners = if a.partners.is_empty() { String::new() } else { format!(" ({})", a.partners.join(", ")) };
    let mut s = format!("- {}{partners}\n  tamat tempoh {}", one_line(&a.title), malay_date(&a.expiry_date));
    if let Some(n) = &a.notice_date {
        s.push_str(&format!("; notis selewat-lewatnya {}{}", malay_date(n), if a.notice_passed { " (telah berlalu)" } else { "" }));
    }
    if a.auto_renew {
        s.push_str("; diperbaharui secara automatik melainkan notis diberikan");
    }
    s.push_str(&format!("\n  /agreements/{}", a.id));
    s
}

fn malay_date(text: &str) -> String {
    crate::web::i18n::Tr(crate::web::i18n::Locale::Ms).date_text(text)
}

/// The Malay subject and text of a digest.
fn malay(items: &[ExpiringAgreement], today: Date, week: &str) -> (String, String) {
    let n = items.len();
    let subject = format!("Perjanjian yang tamat tempoh dalam {DIGEST_DAYS} hari: {n} ({week})");
    let body = format!(
        "Perjanjian di bawah tanggungjawab anda ini akan tamat tempoh, atau notisnya perlu diberikan, dalam {DIGEST_DAYS} hari dari {}:\n\n{}\n\n\
         Tarikh notis ialah hari terakhir untuk memberikan notis; perjanjian yang diperbaharui secara automatik akan diperbaharui melainkan notis diberikan sebelum tarikh itu.\n\
         Senarai penuh: /agreements/expiring",
        malay_date(&today.to_string()),
        items.iter().map(line_ms).collect::<Vec<_>>().join("\n")
    );
    (subject, body)
}

/// The digest for one recipient, their language first.
pub fn compose(r: &Recipient, items: &[ExpiringAgreement], today: Date) -> Digest {
    let n = items.len();
    let week = iso_week(today);
    let en_subject = format!("Agreements expiring within {DIGEST_DAYS} days: {n} ({week})");
    let zh_subject = format!("{DIGEST_DAYS} 天内到期的协议：{n} 项（{week}）");
    let en = format!(
        "These agreements you are responsible for expire, or must be given notice, within {DIGEST_DAYS} days of {today}:\n\n{}\n\n\
         A notice date is the last day to give notice; an agreement that renews automatically renews unless notice is given by then.\n\
         The full list: /agreements/expiring",
        items.iter().map(line_en).collect::<Vec<_>>().join("\n")
    );
    let zh = format!(
        "您负责的以下协议将在 {today} 起 {DIGEST_DAYS} 天内到期或须发出通知：\n\n{}\n\n\
         通知截止日是发出通知的最后一天；自动续约的协议如未在此日期前发出通知即自动续约。\n完整列表：/agreements/expiring",
        items.iter().map(line_zh).collect::<Vec<_>>().join("\n")
    );
    if r.locale == "zh" {
        Digest { subject: format!("{zh_subject} / {en_subject}"), body: format!("{zh}\n\n----\n\n{en}\n") }
    } else if r.locale == "ms" {
        let (ms_subject, ms) = malay(items, today, &week);
        Digest { subject: format!("{ms_subject} / {en_subject}"), body: format!("{ms}\n\n----\n\n{en}\n") }
    } else {
        Digest { subject: format!("{en_subject} / {zh_subject}"), body: format!("{en}\n\n----\n\n{zh}\n") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("date")
    }

    fn agreement(auto_renew: bool) -> ExpiringAgreement {
        ExpiringAgreement {
            id: 9,
            title: "MoU with IUKL".into(),
            kind: "mou".into(),
            status: "in_effect".into(),
            partners: vec!["Infrastructure University Kuala Lumpur".into()],
            expiry_date: "2024-07-31".into(),
            notice_date: Some("2024-06-01".into()),
            notice_days: Some(60),
            auto_renew,
            next_date: "2024-06-01".into(),
            days_left: 24,
            notice_passed: false,
            unit: None,
            responsible: None,
        }
    }

    #[test]
    fn the_week_key_is_the_iso_week_including_at_year_ends() {
        assert_eq!(iso_week(d("2024-05-08")), "2024-W19");
        assert_eq!(iso_week(d("2024-12-30")), "2025-W01");
        assert_eq!(iso_week(d("2021-01-03")), "2020-W53");
        assert_eq!(dedupe_key(4, d("2024-05-08")), "expiry-digest:4:2024-W19");
        assert_eq!(dedupe_key(4, d("2024-05-12")), dedupe_key(4, d("2024-05-06")), "Monday to Sunday");
    }

    #[test]
    fn a_digest_lists_dates_partners_and_links_in_both_languages() {
        let r = Recipient { user_id: 4, email: "mei@example.edu".into(), locale: "en".into() };
        let dg = compose(&r, &[agreement(true)], d("2024-05-08"));
        assert!(dg.subject.starts_with("Agreements expiring within 90 days: 1 (2024-W19)"), "{}", dg.subject);
        assert!(dg.subject.contains("90 天内到期的协议"), "{}", dg.subject);
        for part in [
            "- MoU with IUKL (Infrastructure University Kuala Lumpur)",
            "expires 2024-07-31; notice by 2024-06-01; renews automatically",
            "/agreements/9",
            "到期日：2024-07-31；通知截止日：2024-06-01；如不通知将自动续约",
        ] {
            assert!(dg.body.contains(part), "{part} in {}", dg.body);
        }
        let ms = compose(&Recipient { locale: "ms".into(), ..r.clone() }, &[agreement(true)], d("2024-05-08"));
        assert!(ms.subject.starts_with("Perjanjian yang tamat tempoh dalam 90 hari: 1 (2024-W19) / Agreements"), "{}", ms.subject);
        assert!(
            ms.body.contains("tamat tempoh 31 Julai 2024; notis selewat-lewatnya 1 Jun 2024; diperbaharui secara automatik"),
            "{}",
            ms.body
        );
        assert!(
            ms.body.contains("dalam 90 hari dari 8 Mei 2024") && ms.body.find("Perjanjian di bawah") < ms.body.find("These agreements")
        );
        let zh = compose(&Recipient { locale: "zh".into(), ..r }, &[agreement(false)], d("2024-05-08"));
        assert!(zh.body.find("您负责") < zh.body.find("These agreements"));
        assert!(!zh.body.contains("renews automatically unless"));
    }
}
