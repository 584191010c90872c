//! Demo data (`liaison demo`): the seed story's consensus on undergraduate exchange
//! turned into a call, "IUKL undergraduate exchange 2025/26", with six students'
//! applications at different stages, each taken there through the same services the
//! pages use (so every history row, e-mail, audit event and mobility is real): one
//! accepted by IUKL, one nominated, one offered a place, one on the waiting list, one not
//! eligible and one withdrawn. The call ran from 30 days ago until an hour ago. A second
//! call, for 2026/27, is open, for trying the student's side.

use sqlx::AnyConnection;

use super::{
    calls,
    model::{ApplicationInput, NewCall, NewCallPartner, StudentAction},
    nomination::{self, PartnerDecision},
    office::{self, ScoreInput},
    queries, student,
};
use crate::{audit::Actor, error::AppResult};

/// The demo students: username, shown name, GPA, faculty, what happens to them.
pub const STUDENTS: &[(&str, &str, &str, &str)] = &[
    ("li.wei", "Li Wei", "3.85", "School of Civil Engineering"),
    ("zhang.min", "Zhang Min", "3.62", "School of Electronic Information"),
    ("chen.yu", "Chen Yu", "3.41", "School of Civil Engineering"),
    ("wu.hao", "Wu Hao", "3.20", "School of Foreign Studies"),
    ("zhao.lei", "Zhao Lei", "2.70", "School of Electronic Information"),
    ("sun.li", "Sun Li", "3.50", "School of Foreign Studies"),
];

fn at(hours: i64) -> String {
    (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(hours)).to_string()
}

fn call(programme: i64, iukl: i64, year: &str, title_en: &str, title_zh: &str, window: (i64, i64), places: i64) -> NewCall {
    NewCall {
        programme_id: programme,
        academic_year: year.into(),
        direction: "outbound".into(),
        title_en: title_en.into(),
        title_zh: title_zh.into(),
        description_en: "One semester at Infrastructure University Kuala Lumpur, following the consensus of the May 2024 visit. \
                         Courses in engineering and electronic information technology, taught in English."
            .into(),
        description_zh: "依据 2024 年 5 月来访达成的共识，赴吉隆坡基础设施大学交换一学期，修读英文授课的工程与电子信息类课程。".into(),
        opens_at: at(window.0),
        closes_at: at(window.1),
        max_choices: Some(3),
        level: Some("undergraduate".into()),
        min_gpa: Some("3.0".into()),
        language_certificate: false,
        required_documents: Vec::new(),
        criteria: Vec::new(),
        scoring_rule: None,
        response_days: Some(7),
        mobility_start: if year == "2025-2026" { "2025-09-01".into() } else { "2026-09-01".into() },
        mobility_end: if year == "2025-2026" { "2026-01-31".into() } else { "2027-01-31".into() },
        partners: vec![NewCallPartner {
            institution_id: iukl,
            programme_id: None,
            places: Some(places),
            coordinator_email: Some("chen.zhihui@iukl.edu.my".into()),
        }],
    }
}

/// Loads the demo calls and applications, scored by `reviewer`; `students` are the user
/// ids of [`STUDENTS`] in order. Does nothing when the seed's exchange programme is missing.
pub async fn load(conn: &mut AnyConnection, actor: &Actor, reviewer: i64, iukl: i64, students: &[i64], base: &str) -> AppResult<()> {
    let Some(programme) = queries::programme_by_title(&mut *conn, "Undergraduate exchange with IUKL").await? else { return Ok(()) };
    let c = call(programme, iukl, "2025-2026", "IUKL undergraduate exchange 2025/26", "IUKL 本科交换项目 2025/26", (-24 * 30, 24), 3);
    let id = calls::create_call(&mut *conn, actor, &c).await?;
    let cp = queries::call_partners(&mut *conn, id).await?.first().map(|p| p.id).unwrap_or(0);
    let mut apps = Vec::new();
    for ((username, _, gpa, faculty), user) in STUDENTS.iter().zip(students) {
        let who = Actor { id: Some(*user), label: (*username).into() };
        let app = student::start(&mut *conn, &who, *user, id).await?;
        let input = ApplicationInput {
            level: Some("undergraduate".into()),
            gpa: Some((*gpa).into()),
            student_number: Some(format!("2022{:04}", app)),
            faculty: Some((*faculty).into()),
            phone: Some("+86 10 5555 0100".into()),
            language_certificate: Some("IELTS 6.5".into()),
            motivation: Some("I would like to study infrastructure engineering at IUKL for a semester.".into()),
            choices: Some(vec![cp]),
        };
        student::update(&mut *conn, &who, *user, app, &input).await?;
        student::step(&mut *conn, &who, *user, app, StudentAction::Submit).await?;
        apps.push((who, *user, app));
    }
    let (who, user, app) = &apps[5];
    student::step(&mut *conn, who, *user, *app, StudentAction::Withdraw).await?;
    queries::set_closes_at(&mut *conn, id, &at(-1).parse::<jiff::Timestamp>().map(crate::time::to_text).unwrap_or_default()).await?;
    office::screen(&mut *conn, actor, id).await?;
    for (i, (_, _, app)) in apps.iter().take(4).enumerate() {
        let scores = [("academic", 92.0 - 6.0 * i as f64), ("motivation", 85.0 - 4.0 * i as f64)].map(|(c, s)| ScoreInput {
            criterion: c.into(),
            score: s,
            comment: String::new(),
        });
        office::score(&mut *conn, actor, reviewer, *app, &scores).await?;
    }
    office::allocate(&mut *conn, actor, id).await?;
    office::publish(&mut *conn, actor, id).await?;
    for (who, user, app) in &apps[..2] {
        student::step(&mut *conn, who, *user, *app, StudentAction::Accept).await?;
    }
    nomination::nominate(&mut *conn, actor, id, base).await?;
    nomination::decide(&mut *conn, cp, apps[0].2, &PartnerDecision { accept: true, reason: "Welcome to IUKL.".into() }).await?;
    let open = call(programme, iukl, "2026-2027", "IUKL undergraduate exchange 2026/27", "IUKL 本科交换项目 2026/27", (-24, 24 * 60), 5);
    calls::create_call(&mut *conn, actor, &NewCall { required_documents: vec!["transcript".into()], language_certificate: true, ..open })
        .await?;
    Ok(())
}
