//! The home page (key figures with links to the lists they count) and the audit log.
//! It reads across modules, like `reports`, and sits above them.

mod queries;

use askama::Template;
use axum::{extract::State, response::Response, routing::get};

use crate::{
    audit::AuditEvent,
    auth::{Access, Permission},
    error::AppResult,
    web::{AppState, context::Ctx, i18n::Tr, pages::Base, render, routes::Routes},
};

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new().get("/", Access::Permission(Permission::ViewRecords), get(dashboard)).get(
        "/audit",
        Access::Permission(Permission::ViewAudit),
        get(audit_log),
    )
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    base: Base,
    counts: Vec<(&'static str, i64, &'static str)>,
    recent: Vec<AuditEvent>,
}

async fn dashboard(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let tr = Tr(ctx.locale);
    let mut conn = state.db.pool.acquire().await?;
    let counts = queries::tiles(&mut conn).await?;
    let recent = queries::recent_events(&mut conn, 10).await?;
    Ok(render(&DashboardPage { base: Base::new(&ctx, tr.t("dashboard.title"), "dashboard"), counts, recent }))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    base: Base,
    events: Vec<AuditEvent>,
}

async fn audit_log(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let events = queries::recent_events(&mut *state.db.pool.acquire().await?, 200).await?;
    Ok(render(&AuditPage { base: Base::new(&ctx, Tr(ctx.locale).t("audit.title"), "audit"), events }))
}
