//! Operations endpoints: liveness, readiness and Prometheus metrics.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode, header},
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

/// Prometheus metrics: with a `metrics_token` set, for whoever sends it as a bearer token;
/// without one, for this machine's scrapers only — behind a trusted reverse proxy that
/// is the client it forwards, not the proxy's loopback connection. Anyone else gets 404,
/// as if there were none.
async fn metrics(State(state): State<AppState>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    let allowed = match &state.settings.metrics_token {
        Some(token) => bearer.is_some_and(|given| crate::secret::same_secret(token, given)),
        None => {
            let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
            state.settings.trusted_proxies.client(peer.ip(), forwarded).is_loopback()
        }
    };
    if !allowed {
        return crate::error::AppError::NotFound.into_response();
    }
    let body = state.metrics.render(state.db.pool.size(), state.db.pool.num_idle());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}
