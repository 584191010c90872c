//! Operations endpoints: liveness, readiness and Prometheus metrics.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{
    auth::Access,
    web::{AppState, routes::Routes},
};

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new().get("/healthz", Access::Public, get(healthz)).get("/readyz", Access::Public, get(readyz)).get(
        "/metrics",
        Access::Public,
        get(metrics),
    )
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let body = state.metrics.render(state.db.pool.size(), state.db.pool.num_idle());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}
