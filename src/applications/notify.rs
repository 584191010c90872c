//! E-mail to students on every change of their application, and to partners'
//! coordinators with their link, queued on the change's own transaction (the outbox).

use sqlx::AnyConnection;

use super::{model::ApplicationStatus, queries};
use crate::{error::AppResult, mail::outbox, status::Status, time::now_text};

/// English and Chinese words for a status.
fn words(s: ApplicationStatus) -> (&'static str, &'static str) {
    use ApplicationStatus as S;
    match s {
        S::Draft => ("saved as a draft", "已保存为草稿"),
        S::Submitted => ("submitted", "已提交"),
        S::Eligible => ("found eligible and under review", "符合条件，正在评审"),
        S::Ineligible => ("found not eligible", "不符合申请条件"),
        S::Offered => ("offered a place: please accept or decline it in time", "获得名额，请在期限内接受或放弃"),
        S::Waitlisted => ("on the waiting list", "列入候补名单"),
        S::Accepted => ("accepted by you", "您已接受名额"),
        S::Declined => ("declined", "已放弃名额"),
        S::Nominated => ("nominated to the partner", "已推荐至合作院校"),
        S::PartnerAccepted => ("accepted by the partner", "合作院校已接收"),
        S::PartnerRejected => ("not accepted by the partner", "合作院校未接收"),
        S::Withdrawn => ("withdrawn", "已撤回"),
    }
}

/// Queues the student's message about a change of their application (nothing when they
/// have no address).
pub async fn student(conn: &mut AnyConnection, application_id: i64, status: ApplicationStatus, note: &str) -> AppResult<()> {
    let a = queries::get_application(&mut *conn, application_id).await?;
    let (name, email, locale) = queries::user_contact(&mut *conn, a.user_id).await?;
    let Some(to) = email.filter(|e| e.contains('@')) else { return Ok(()) };
    let (en, zh) = words(status);
    let call = queries::get_call(&mut *conn, a.call_id).await?;
    let en_text = format!(
        "Dear {name},\n\nYour application to \"{}\" is now {en}.{}\n\nSee it at /my/applications/{application_id}\n",
        call.title_en,
        if note.is_empty() { String::new() } else { format!("\n{note}") }
    );
    let zh_text = format!("{name}，您好：\n\n您对“{}”的申请状态：{zh}。\n\n查看：/my/applications/{application_id}\n", call.title(true));
    let body = if locale == "zh" { format!("{zh_text}\n\n{en_text}") } else { format!("{en_text}\n\n{zh_text}") };
    let subject = format!("Application {} / 申请{}: {}", status.as_str(), zh, call.title_en);
    let key = format!("application:{application_id}:{}:{}", status.as_str(), now_text());
    outbox::enqueue(conn, &key, &to, &subject, &body).await?;
    Ok(())
}

/// Queues the student's message about their interview slot.
pub async fn interview(conn: &mut AnyConnection, application_id: i64, at: &str, place: &str) -> AppResult<()> {
    let a = queries::get_application(&mut *conn, application_id).await?;
    let (name, email, _) = queries::user_contact(&mut *conn, a.user_id).await?;
    let Some(to) = email.filter(|e| e.contains('@')) else { return Ok(()) };
    let when = crate::time::local_display(at);
    let body = format!(
        "Dear {name},\n\nYour interview for \"{}\": {when} (Beijing time), {place}.\n\n{name}，您好：您的面试时间为 {when}（北京时间），地点：{place}。\n",
        a.call_title
    );
    let key = format!("application-interview:{application_id}:{at}:{place}");
    outbox::enqueue(conn, &key, &to, &format!("Interview / 面试: {}", a.call_title), &body).await?;
    Ok(())
}

/// Queues the partner coordinator's message with their link.
pub async fn partner(conn: &mut AnyConnection, key: &str, to: &str, call_title: &str, names: &[String], path: &str) -> AppResult<()> {
    let list = names.iter().map(|n| format!("- {n}")).collect::<Vec<_>>().join("\n");
    let body = format!(
        "Dear colleague,\n\nWe nominate the following students for \"{call_title}\":\n{list}\n\n\
         Please accept or reject each nominee (with a reason) at this link, valid for 30 days; no account is needed:\n{path}\n\n\
         尊敬的同事：\n\n我们推荐以上学生参加“{call_title}”。请通过上面的链接（30 天内有效，无需账号）逐一接收或拒绝（并说明理由）。\n"
    );
    outbox::enqueue(conn, key, to, &format!("Nominations / 推荐名单: {call_title}"), &body).await?;
    Ok(())
}
