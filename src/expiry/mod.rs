//! Agreement expiry: which signed or in-effect agreements expire, or must be given
//! notice, within N days (a list with a per-unit filter, and a dashboard tile); a weekly
//! e-mail digest to each responsible user; and a per-user iCalendar feed of expiry and
//! notice dates.
//!
//! It reads the agreements tables of migration 0005 with its own SQL and never writes
//! them, so it does not depend on the agreements module's code. "Today" is the UTC date.

pub mod api;
pub mod digest;
pub mod feed;
pub mod model;
pub mod pages;
pub mod queries;

use axum::routing::get;

use crate::{
    auth::{Access, Permission},
    web::routes::Routes,
};

pub use digest::queue_digests;

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list_expiring, feed::expiry_feed),
    tags((name = "expiry", description = "Agreements coming up for expiry or notice"))
)]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    Routes::new().get("/api/v1/agreements/expiring", view, get(api::list_expiring)).get("/agreements/expiring", view, get(pages::list)).get(
        "/users/{id}/expiry.ics",
        Access::Public,
        get(feed::expiry_feed),
    )
}

/// Today (UTC), what expiry windows count from.
pub use crate::time::today_date as today;

/// The dashboard tile: agreements in the default 90-day window.
pub async fn dashboard_count(conn: &mut sqlx::AnyConnection) -> crate::error::AppResult<i64> {
    let w = model::Window { today: today(), days: model::DEFAULT_DAYS, unit_id: None };
    let rows = queries::candidates(&mut *conn, &w, queries::Scope::All, "en").await?;
    let n = queries::in_window(&w, rows, &mut Default::default())?.len();
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}
