//! The home page, one per person: what waits for the caller (articles at their step,
//! their open actions, approvals that are theirs), this week's visits, then the office's
//! figures, each count equal to what its link lists. And the audit log. It reads across
//! modules, like `reports`, and sits above them.

mod queries;
mod related;

use askama::Template;
use axum::{extract::State, response::Response, routing::get};
use jiff::ToSpan;

use crate::{
    audit::AuditEvent,
    auth::{Access, Permission},
    error::AppResult,
    status::Status,
    visits::queries::{VisitQuery, list_visits},
    web::{
        AppState,
        context::{Ctx, User},
        i18n::Tr,
        pages::Base,
        render,
        routes::Routes,
    },
};

/// Routes of this module.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    Routes::new().get("/", view, get(dashboard)).get("/audit", Access::Permission(Permission::ViewAudit), get(audit_log)).get(
        "/institutions/{id}/related",
        view,
        get(related::related),
    )
}

/// One counted line with the list it counts: (plural key, count, link).
pub(crate) type Tile = (&'static str, i64, String);

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    base: Base,
    waiting: Vec<Tile>,
    week: Vec<crate::visits::model::VisitSummary>,
    week_href: String,
    office: Vec<Tile>,
    recent: Vec<AuditEvent>,
}

async fn dashboard(State(state): State<AppState>, ctx: Ctx, User(user): User) -> AppResult<Response> {
    let tr = Tr(ctx.locale);
    let mut conn = state.db.pool.acquire().await?;
    let waiting = queries::waiting_for(&mut conn, &user).await?;
    let today = crate::time::office_today();
    let end = today.checked_add(6.days()).unwrap_or(today);
    let q = VisitQuery { from: Some(today), to: Some(end), per_page: Some(20), ..Default::default() };
    let (mut week, _) = list_visits(&mut conn, &q).await?;
    week.retain(|v| v.status.as_str() != "cancelled");
    week.sort_by(|a, b| a.start_date.cmp(&b.start_date));
    let office = queries::office_tiles(&state.db, &mut conn).await?;
    let recent = if user.can(Permission::ViewAudit) { queries::recent_events(&mut conn, 10).await? } else { Vec::new() };
    Ok(render(&DashboardPage {
        base: Base::new(&ctx, tr.t("dashboard.title"), "dashboard"),
        waiting,
        week,
        week_href: format!("/visits?from={today}&to={end}"),
        office,
        recent,
    }))
}

impl DashboardPage {
    fn t_visit_status(&self, s: &str) -> &str {
        match s {
            "planned" => self.base.t("visits.status.planned"),
            "confirmed" => self.base.t("visits.status.confirmed"),
            "completed" => self.base.t("visits.status.completed"),
            _ => self.base.t("visits.status.cancelled"),
        }
    }
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
