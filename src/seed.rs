//! The seed story (`shared/fixtures/seed-story.md`): the records `liaison demo` loads.
//! Every record goes through the same domain queries as the API, in one transaction,
//! so the demo data carries an audit trail like any other.

use crate::{
    audit::Actor,
    db::Db,
    institutions::{
        model::{InstitutionFields, PersonInput, PositionInput, UnitName},
        queries,
    },
};

/// Ids of the seed records, for later modules and tests.
#[derive(Debug, Clone, Copy)]
pub struct SeedIds {
    /// The home institution.
    pub home: i64,
    /// Infrastructure University Kuala Lumpur.
    pub iukl: i64,
    /// The delegation's visit of 2024-05-08.
    pub visit: i64,
    /// The demo MoU that follows the visit (demo data, not from the article).
    pub agreement: i64,
    /// The published news article about the visit.
    pub article: i64,
}

fn name(lang: &str, name: &str, primary: bool) -> UnitName {
    UnitName { lang: lang.into(), name: name.into(), primary }
}

fn position(title_en: &str, title_zh: &str, institution_id: i64, unit_id: Option<i64>) -> PositionInput {
    PositionInput { title_en: title_en.into(), title_zh: Some(title_zh.into()), institution_id, unit_id, start_date: None, end_date: None }
}

fn person(name_en: &str, institution_id: i64, positions: Vec<PositionInput>) -> PersonInput {
    PersonInput { name_en: name_en.into(), name_zh: None, email: None, institution_id: Some(institution_id), positions }
}

/// True if the database already holds a home institution (the seed or real data).
pub async fn is_seeded(db: &Db) -> anyhow::Result<bool> {
    Ok(crate::institutions::lookup::home_id(&mut *db.pool.acquire().await?).await?.is_some())
}

/// Loads the seed story's institutions, units, people and positions.
pub async fn load(db: &Db, home_name: &str) -> anyhow::Result<SeedIds> {
    let actor = Actor::system("demo");
    let mut tx = db.begin().await?;
    let home = queries::insert_institution(
        &mut tx,
        &actor,
        &InstitutionFields {
            name_en: home_name.to_string(),
            name_zh: None,
            name_local: None,
            acronym: None,
            country: "CN".into(),
            city: None,
            website: None,
            kind: "university".into(),
            schac_code: None,
            ror_id: None,
            erasmus_code: None,
            is_public: false,
            strengths: Vec::new(),
        },
        true,
    )
    .await?;
    let hr =
        queries::insert_unit(&mut tx, &actor, home, None, &[name("en", "Human Resources Department", true), name("zh", "人事处", false)])
            .await?;
    let sfs = queries::insert_unit(
        &mut tx,
        &actor,
        home,
        None,
        &[
            name("en", "School of Foreign Studies", true),
            name("en", "School of International Education", false),
            name("zh", "外国语学院", false),
            name("zh", "国际教育学院", false),
        ],
    )
    .await?;
    // Shixun Building, conference rooms 1507 and 1508 (capacities are demo values).
    let shixun = crate::rooms::add_building(&mut tx, &actor, home, "Shixun Building", Some("实训楼"), "Asia/Shanghai").await?;
    let r1507 = crate::rooms::add_room(&mut tx, &actor, shixun, "1507", 40, "projector, microphones", false).await?;
    let r1508 = crate::rooms::add_room(&mut tx, &actor, shixun, "1508", 16, "meeting table", false).await?;
    let ma = queries::insert_person(
        &mut tx,
        &actor,
        &person(
            "Ma Shaojian",
            home,
            vec![position("President", "校长", home, None), position("Member of the CPC Committee", "党委委员", home, None)],
        ),
    )
    .await?;
    let qin =
        queries::insert_person(&mut tx, &actor, &person("Qin Yongling", home, vec![position("Vice President", "副校长", home, None)]))
            .await?;

    // IUKL is in the shipped directory (iukl.edu.my): the partner is linked to that
    // entry so the directory shows it as a partner instead of offering it again.
    let iukl = queries::insert_institution_from(
        &mut tx,
        &actor,
        &InstitutionFields {
            name_en: "Infrastructure University Kuala Lumpur".into(),
            name_zh: None,
            name_local: None,
            acronym: Some("IUKL".into()),
            country: "MY".into(),
            city: Some("Kuala Lumpur".into()),
            website: None,
            kind: "university".into(),
            schac_code: Some("iukl.edu.my".into()),
            ror_id: None,
            erasmus_code: None,
            is_public: true,
            strengths: vec!["infrastructure".into(), "engineering".into(), "electronic information technology".into()],
        },
        false,
        Some("iukl.edu.my"),
    )
    .await?;
    queries::add_partnership_event(&mut tx, iukl, "active", "2024-01-01", Some("Newly added international partner institution in 2024"))
        .await?;
    let isi = queries::insert_unit(&mut tx, &actor, iukl, None, &[name("en", "Institute of Smart Industry", true)]).await?;
    let chen = queries::insert_person(
        &mut tx,
        &actor,
        &person("Chen Zhihui", iukl, vec![position("Vice President", "副校长", iukl, None), position("Director", "院长", iukl, Some(isi))]),
    )
    .await?;
    let people = SeedPeople { ma, qin, chen, hr, sfs, r1507, r1508 };
    let visit = visit(&mut tx, &actor, iukl, &people).await?;
    let agreement = demo_agreement(&mut tx, &actor, home, iukl, &people).await?;
    demo_programmes(&mut tx, &actor, agreement, &people).await?;
    let article = crate::news::demo::seed_article(&mut tx, iukl, visit, chen).await.map_err(|e| anyhow::anyhow!("seed article: {e:?}"))?;
    tx.commit().await?;
    Ok(SeedIds { home, iukl, visit, agreement, article })
}

/// Records of the seed that the visit refers to.
struct SeedPeople {
    ma: i64,
    qin: i64,
    chen: i64,
    hr: i64,
    sfs: i64,
    r1507: i64,
    r1508: i64,
}

/// The visit of 2024-05-08 as the article tells it. The article says "morning" and
/// "subsequently" without clock times: 09:00–09:45 and 10:00–11:30 are demo values.
async fn visit(tx: &mut sqlx::AnyConnection, actor: &Actor, iukl: i64, p: &SeedPeople) -> anyhow::Result<i64> {
    use crate::visits::{
        model::{HostInput, MemberInput, NewAction, NewOutcome, NewSession, NewVisit, UpdateAction},
        queries as v, sessions,
    };
    let host_person = |id| HostInput { person_id: Some(id), unit_id: None };
    let host_unit = |id| HostInput { person_id: None, unit_id: Some(id) };
    let id = v::create_visit(
        &mut *tx,
        actor,
        &NewVisit {
            direction: "inbound".into(),
            title: "Delegation from Infrastructure University Kuala Lumpur: symposium on educational cooperation and exchange".into(),
            purpose: "A symposium on international educational cooperation and exchange, to explore cooperation projects between the two schools."
                .into(),
            start_date: "2024-05-08".into(),
            end_date: "2024-05-08".into(),
            time_zone: Some("Asia/Shanghai".into()),
            institution_ids: vec![iukl],
            head_count: Some(4),
            members: vec![MemberInput { person_id: p.chen, role: "leader".into() }],
            leader_person_id: None,
            hosts: vec![host_person(p.ma), host_person(p.qin), host_unit(p.hr), host_unit(p.sfs)],
        },
    )
    .await?;
    let all_areas: Vec<String> = crate::cooperation::AREAS.iter().map(|a| a.key.to_string()).collect();
    let session = |kind: &str, title: &str, from: &str, to: &str, room, who: Vec<i64>, topics: &[&str], minutes: &str| NewSession {
        kind: kind.into(),
        title: title.into(),
        starts_at: format!("2024-05-08T{from}:00+08:00"),
        ends_at: format!("2024-05-08T{to}:00+08:00"),
        room_id: Some(room),
        venue: String::new(),
        participant_ids: who,
        topics: topics.iter().map(|t| t.to_string()).collect(),
        minutes: minutes.into(),
        attendees: None,
    };
    sessions::add(
        &mut *tx,
        actor,
        id,
        &session(
            "courtesy_meeting",
            "President Ma Shaojian meets the IUKL delegation",
            "09:00",
            "09:45",
            p.r1508,
            vec![p.ma, p.chen],
            &["joint_education", "academic_exchange", "teacher_training", "degree_progression", "student_exchange"],
            "Ma Shaojian welcomed Chen Zhihui and his team, noted IUKL's reputation in infrastructure, engineering and electronic \
             information technology, and hoped the symposium would lead to cooperation in joint education programmes, academic \
             exchanges, teacher training, undergraduate-to-master's progression and undergraduate exchange programmes.",
        ),
    )
    .await?;
    let topics: Vec<&str> = all_areas.iter().map(String::as_str).collect();
    sessions::add(
        &mut *tx,
        actor,
        id,
        &session(
            "symposium",
            "Symposium on international educational cooperation and exchange",
            "10:00",
            "11:30",
            p.r1507,
            vec![p.qin, p.chen],
            &topics,
            "Qin Yongling and Chen Zhihui introduced their schools' educational profiles, specialised programmes, honours and \
             awards, and international exchange. Chen Zhihui proposed cooperation in degree enhancement, student and faculty \
             visits, joint training programmes and collaborative research.",
        ),
    )
    .await?;
    let outcome = v::add_outcome(
        &mut *tx,
        actor,
        id,
        &NewOutcome {
            kind: "consensus".into(),
            text: "Both schools reached a consensus on international educational cooperation projects, laying a solid foundation for \
                   further collaboration."
                .into(),
        },
    )
    .await?;
    // Follow-up actions (demo values: the article names none); both done since.
    for (title, due) in [
        ("Draft a cooperation agreement with IUKL covering the agreed areas", "2024-06-30"),
        ("Publish the news article on the visit", "2024-05-24"),
    ] {
        let a = v::add_action(
            &mut *tx,
            actor,
            id,
            &NewAction { title: title.into(), owner_id: None, due_date: due.into(), outcome_id: Some(outcome.id) },
        )
        .await?;
        v::update_action(&mut *tx, actor, a.id, &UpdateAction { status: Some("done".into()), ..Default::default() }).await?;
    }
    v::set_status(&mut *tx, actor, id, crate::visits::model::VisitStatus::Confirmed, None).await?;
    v::set_status(&mut *tx, actor, id, crate::visits::model::VisitStatus::Completed, None).await?;
    Ok(id)
}

/// A plausible agreement after the visit's consensus. The article reports a consensus, not
/// an agreement: this record is demo data and says so (`is_demo`, and in its notes).
async fn demo_agreement(tx: &mut sqlx::AnyConnection, actor: &Actor, home: i64, iukl: i64, p: &SeedPeople) -> anyhow::Result<i64> {
    use crate::agreements::{
        changes as a,
        model::{AgreementStatus as S, NewAgreement, NewSignatory, PartyInput},
    };
    let id = a::create_agreement(
        &mut *tx,
        actor,
        &NewAgreement {
            kind: "mou".into(),
            title: "Memorandum of understanding on international educational cooperation (IUKL)".into(),
            parties: vec![PartyInput { institution_id: home, unit_id: Some(p.sfs) }, PartyInput { institution_id: iukl, unit_id: None }],
            areas: crate::cooperation::AREAS.iter().map(|a| a.key.to_string()).collect(),
            signed_date: None,
            effective_date: Some("2024-09-10".into()),
            expiry_date: Some("2029-09-09".into()),
            notice_days: Some(180),
            auto_renew: true,
            visit_id: None,
            responsible_id: None,
            unit_id: Some(p.sfs),
            notes: "Demo data: a plausible agreement following the visit of 2024-05-08. The news article reports a consensus on \
                    cooperation projects, not a signed agreement."
                .into(),
        },
    )
    .await?;
    sqlx::query("UPDATE agreements SET is_demo = 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
    // The draft was written after the visit, not on the day the demo is loaded.
    sqlx::query("UPDATE agreement_status_events SET on_date = '2024-05-20' WHERE agreement_id = $1 AND status = 'draft'")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for (status, on) in [(S::Negotiation, "2024-06-15"), (S::Signed, "2024-09-10"), (S::InEffect, "2024-09-10")] {
        a::set_status(&mut *tx, actor, id, status, Some(on), Some("demo data")).await?;
    }
    for person_id in [p.ma, p.chen] {
        let s = NewSignatory { person_id, position_title: None, institution_id: None, signed_date: Some("2024-09-10".into()) };
        a::add_signatory(&mut *tx, actor, id, &s).await?;
    }
    Ok(id)
}

/// Programmes under the demo MoU, in areas the two schools discussed (demo data).
async fn demo_programmes(tx: &mut sqlx::AnyConnection, actor: &Actor, agreement_id: i64, p: &SeedPeople) -> anyhow::Result<()> {
    use crate::programmes::{
        changes as q,
        model::{CoordinatorInput, NewProgramme, Quota},
    };
    let programme = |area: &str, title: &str, structure: Option<&str>, notes: &str| NewProgramme {
        agreement_id,
        area: area.into(),
        title: title.into(),
        status: Some("active".into()),
        start_date: Some("2024-09-10".into()),
        end_date: Some("2029-09-09".into()),
        structure: structure.map(str::to_string),
        structure_notes: notes.into(),
        project_title: None,
        investigators: String::new(),
        funding: String::new(),
    };
    let quota = |dir: &str, n: i64| Quota { academic_year: "2025-2026".into(), direction: dir.into(), quota: n };
    let plans = [
        (
            programme(
                "degree_progression",
                "Undergraduate-to-master's progression with IUKL",
                Some("3+1+1"),
                "Years 1-3 at home; year 4 at IUKL (bachelor's degree); year 5 at IUKL (master's degree).",
            ),
            vec![quota("outbound", 10)],
        ),
        (programme("teacher_training", "Teacher training at IUKL's Institute of Smart Industry", None, ""), vec![quota("outbound", 5)]),
        (programme("student_exchange", "Undergraduate exchange with IUKL", None, ""), vec![quota("inbound", 5), quota("outbound", 5)]),
    ];
    for (input, quotas) in plans {
        let id = q::create_programme(&mut *tx, actor, &input).await?;
        sqlx::query("UPDATE programmes SET is_demo = 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
        q::set_quotas(&mut *tx, actor, id, &quotas).await?;
        q::add_coordinator(&mut *tx, actor, id, &CoordinatorInput { person_id: p.qin, side: "home".into() }).await?;
        q::add_coordinator(&mut *tx, actor, id, &CoordinatorInput { person_id: p.chen, side: "partner".into() }).await?;
    }
    Ok(())
}
