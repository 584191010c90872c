//! `liaison demo`: the seed story, the demo administrator and news editors, then serve.

use std::process::ExitCode;

use super::say;
use crate::{
    audit::Actor,
    auth::users::{self, NewGrant, NewUser},
    config::{self, Settings},
    db::Db,
    error::AppError,
    seed,
    startup::Application,
};

/// The people the seed article credits, as demo accounts: username, shown name, role.
const DEMO_EDITORS: &[(&str, &str, &str)] = &[
    ("qin.lijuan", "Qin Lijuan", "author"),
    ("peng.gaoliang", "Peng Gaoliang", "translator"),
    ("xiao.jia", "Xiao Jia", "photographer"),
    ("tang.mei", "Tang Mei", "proofreader"),
    ("lin.na", "Lin Na", "reviewer"),
];

/// Loads the seed story (into an empty database), sets up the demo accounts and serves.
pub(super) async fn demo(settings: Settings) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings).await?;
    db.migrate().await?;
    let mut fresh = None;
    if seed::is_seeded(&db).await? {
        println!("the database already holds data; the seed story is not loaded again");
    } else {
        let ids = seed::load(&db, &settings.home_name).await?;
        fresh = Some(ids.iukl);
        // The release's photos are not in the fixture: a picture drawn in code stands in,
        // credited to the photographer the article names, and its caption says so.
        let meta = crate::news::photos::PhotoMeta {
            caption_en: "Placeholder picture drawn for the demo: the release's photos are not part of the seed data.".into(),
            caption_zh: "演示用示意图：新闻原图不在样例数据中。".into(),
            photographer_name: Some("Xiao Jia".into()),
            photographer_id: None,
        };
        crate::news::photos::store_photo(
            &db,
            &crate::files::Files::open(&settings)?,
            &Actor::system("demo"),
            ids.article,
            crate::news::photos::demo_image(),
            &meta,
        )
        .await
        .map_err(say)?;
        println!("seed story loaded into {}", config::redact_url(&settings.database_url));
    }
    let password = std::env::var("LIAISON_DEMO_PASSWORD").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| crate::auth::random_token(8));
    let actor = Actor::system("demo");
    match users::id_by_username(&db, "admin").await {
        Ok(id) => users::set_password(&db, &actor, id, password.clone()).await?,
        Err(AppError::NotFound) => {
            let new = NewUser {
                username: "admin".into(),
                display_name: Some("Demo administrator".into()),
                email: None,
                password: password.clone(),
                grants: vec![NewGrant { role: "admin".into(), unit_id: None }],
            };
            users::create_user(&db, &actor, new).await?;
        }
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    }
    println!("demo admin user: admin");
    println!("demo admin password: {password}");
    // The seed article's editorial chain, as accounts to try the news desk with.
    for (username, name, role) in DEMO_EDITORS {
        if let Err(AppError::NotFound) = users::id_by_username(&db, username).await {
            let new = NewUser {
                username: (*username).into(),
                display_name: Some((*name).into()),
                email: None,
                password: password.clone(),
                grants: vec![NewGrant { role: (*role).into(), unit_id: None }],
            };
            users::create_user(&db, &actor, new).await?;
        }
    }
    let names: Vec<String> = DEMO_EDITORS.iter().map(|(u, _, r)| format!("{u} ({r})")).collect();
    println!("demo news editors (same password): {}", names.join(", "));
    if let Some(iukl) = fresh {
        demo_applications(&db, &actor, iukl, &password, &settings).await?;
    }
    let names: Vec<&str> = crate::applications::demo::STUDENTS.iter().map(|s| s.0).collect();
    println!("demo students (same password): {}", names.join(", "));
    let app = Application::with_db(settings, db).await?;
    println!("listening on http://{}", app.local_addr());
    app.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}

/// The demo students' accounts and the call "IUKL undergraduate exchange 2025/26" with
/// their applications at different stages, scored by the demo administrator.
async fn demo_applications(db: &Db, actor: &Actor, iukl: i64, password: &str, settings: &Settings) -> anyhow::Result<()> {
    let mut students = Vec::new();
    for (username, name, _, _) in crate::applications::demo::STUDENTS {
        let new = NewUser {
            username: (*username).into(),
            display_name: Some((*name).into()),
            email: Some(format!("{username}@students.example.edu")),
            password: password.to_string(),
            grants: vec![NewGrant { role: "student".into(), unit_id: None }],
        };
        students.push(users::create_user(db, actor, new).await?);
    }
    let admin = users::id_by_username(db, "admin").await?;
    let base = settings.public_url.clone().unwrap_or_else(|| format!("http://{}", settings.addr));
    let mut tx = db.begin().await?;
    crate::applications::demo::load(&mut tx, actor, admin, iukl, &students, &base).await?;
    tx.commit().await?;
    println!("demo call loaded: IUKL undergraduate exchange 2025/26 ({} applications)", students.len());
    Ok(())
}
