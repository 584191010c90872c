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
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM institutions WHERE is_home = 1").fetch_one(&db.pool).await?;
    Ok(n > 0)
}

/// Loads the seed story's institutions, units, people and positions.
pub async fn load(db: &Db, home_name: &str) -> anyhow::Result<SeedIds> {
    let actor = Actor::system("demo");
    let mut tx = db.pool.begin().await?;
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
    let _ = (hr, sfs);
    // Shixun Building, conference rooms 1507 and 1508 (capacities are demo values).
    let shixun = crate::rooms::add_building(&mut tx, &actor, home, "Shixun Building", None, "Asia/Shanghai").await?;
    crate::rooms::add_room(&mut tx, &actor, shixun, "1507", 40, "projector, microphones", false).await?;
    crate::rooms::add_room(&mut tx, &actor, shixun, "1508", 16, "meeting table", false).await?;
    queries::insert_person(
        &mut tx,
        &actor,
        &person(
            "Ma Shaojian",
            home,
            vec![position("President", "校长", home, None), position("Member of the CPC Committee", "党委委员", home, None)],
        ),
    )
    .await?;
    queries::insert_person(&mut tx, &actor, &person("Qin Yongling", home, vec![position("Vice President", "副校长", home, None)])).await?;

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
    queries::insert_person(
        &mut tx,
        &actor,
        &person("Chen Zhihui", iukl, vec![position("Vice President", "副校长", iukl, None), position("Director", "院长", iukl, Some(isi))]),
    )
    .await?;
    tx.commit().await?;
    Ok(SeedIds { home, iukl })
}
