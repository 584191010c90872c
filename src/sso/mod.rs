//! Single sign-on through the campus identity provider: OpenID Connect (authorization
//! code flow with PKCE) and CAS 3.0, the providers configured in `config::SsoSettings`.
//!
//! A sign-in starts at `/auth/{provider}/start`, which records the sign-in under way in
//! the database (state, nonce, PKCE verifier; used once, so any instance can finish it)
//! and binds it to the browser with a cookie; the provider sends the browser back to
//! `/auth/{provider}/callback`, where the code or ticket is checked, the identity is
//! matched to an account (`accounts`), and an ordinary session is made (`auth::session`).
//! The administrators' list of identities and unlinking are in `api` and on `/users`.

pub mod accounts;
pub mod api;
pub mod cas;
pub mod identities;
pub mod jwt;
pub mod model;
pub mod oidc;
mod pages;
pub mod queries;

use std::time::Duration;

use axum::routing::{delete, get, post};

use crate::{
    auth::{Access, Permission},
    config::Protocol,
    web::{AppState, routes::Routes},
};

/// What sign-on keeps for the life of an instance: the HTTP client for provider calls,
/// the discovery and key caches, and the public base URL callbacks are built on.
pub struct SsoService {
    /// Client for provider calls (rustls + ring).
    pub http: reqwest::Client,
    /// Discovery documents and key sets.
    pub cache: oidc::Cache,
    /// Base of our callback addresses, e.g. `https://liaison.example.edu`.
    pub base_url: String,
}

impl SsoService {
    /// The service for an instance reachable at `base_url`.
    pub fn new(base_url: String) -> anyhow::Result<SsoService> {
        Ok(SsoService { http: crate::net::client(Duration::from_secs(10))?, cache: oidc::Cache::default(), base_url })
    }

    /// The callback address registered at a provider.
    pub fn callback_url(&self, provider: &str) -> String {
        format!("{}/auth/{provider}/callback", self.base_url)
    }
}

/// Where a user goes after signing in: the page asked for, unless they may not read the
/// office's records (students), who go to their own applications.
pub async fn landing(state: &AppState, user_id: i64, next: String) -> anyhow::Result<String> {
    let user = crate::auth::users::load_current(&state.db, user_id).await?;
    let staff = user.is_some_and(|u| u.can(Permission::ViewRecords));
    Ok(if staff || next != "/" { next } else { "/my/applications".into() })
}

/// The provider's logout address for a session opened through it, returning to our
/// login page; `None` if the provider offers none (or is gone from the configuration).
pub async fn provider_logout(state: &AppState, provider: &str, id_token: Option<&str>) -> Option<String> {
    let p = state.settings.sso.provider(provider)?;
    let sso = state.service::<SsoService>();
    let back = format!("{}/login", sso.base_url);
    match p.protocol {
        Protocol::Oidc => oidc::logout_url(&sso.http, &sso.cache, p, id_token, &back).await,
        Protocol::Cas => cas::logout_url(p, &back),
    }
}

/// Removes sign-ins never completed; run periodically.
pub async fn sweep(db: &crate::db::Db) -> anyhow::Result<u64> {
    Ok(queries::delete_expired_logins(db, &crate::time::now_text()).await?)
}

/// Routes of this module.
pub fn routes() -> Routes {
    let manage = Access::Permission(Permission::ManageUsers);
    Routes::new()
        .get("/auth/{provider}/start", Access::Public, get(pages::start))
        .get("/auth/{provider}/callback", Access::Public, get(pages::callback))
        .get("/api/v1/identities", manage, get(api::list_identities))
        .post("/api/v1/users/{id}/identities", manage, post(api::link_identity))
        .delete("/api/v1/identities/{id}", manage, delete(api::unlink_identity))
}
