//! HTTP plumbing, knowing no domain module: application state, the middleware stack,
//! the request context, extractors, forms, paging, downloads, i18n and the page shell.
//! The routes themselves are assembled in `crate::app`.

pub mod assets;
pub mod caching;
pub mod context;
pub mod download;
pub mod extract;
pub mod forms;
pub mod i18n;
pub mod metrics;
pub mod pages;
pub mod paging;
pub mod redirect;
pub mod routes;

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    sync::Arc,
};

use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, Request},
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{auth::Access, config::Settings, db::Db, error::AppError};
pub use routes::{RouteInfo, Routes};

/// Shared state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Validated settings.
    pub settings: Arc<Settings>,
    /// Request metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// The route table (for the OpenAPI document and the permission walk).
    pub routes: Arc<Vec<RouteInfo>>,
    /// What modules keep for the life of the instance (caches, counters), by type.
    pub services: Arc<Services>,
}

impl AppState {
    /// A module's kept value, registered by the composition layer (`crate::app`).
    ///
    /// # Panics
    /// If nothing of that type was registered: a defect of the build, found by any test
    /// that reaches the handler, not something a request can cause.
    pub fn service<T: Any + Send + Sync>(&self) -> &T {
        self.services.get::<T>().unwrap_or_else(|| panic!("service {} is not registered", std::any::type_name::<T>()))
    }

    /// Like [`AppState::service`], as a shared handle that outlives the request.
    pub fn service_arc<T: Any + Send + Sync>(&self) -> Arc<T> {
        self.services.get_arc::<T>().unwrap_or_else(|| panic!("service {} is not registered", std::any::type_name::<T>()))
    }
}

/// Values kept per instance, one per type, so that `web` needs to know none of them.
#[derive(Default)]
pub struct Services(HashMap<TypeId, Arc<dyn Any + Send + Sync>>);

impl Services {
    /// Registers a value (replacing one of the same type).
    pub fn with<T: Any + Send + Sync>(mut self, value: Arc<T>) -> Self {
        self.0.insert(TypeId::of::<T>(), value);
        self
    }

    /// The value of type `T`, if registered.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>()).and_then(|v| v.downcast_ref::<T>())
    }

    /// A shared handle on the value of type `T`, if registered.
    pub fn get_arc<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        self.0.get(&TypeId::of::<T>()).cloned().and_then(|v| v.downcast::<T>().ok())
    }
}

/// Wraps the application's routes in the middleware stack, outermost first: metrics,
/// security headers, cache privacy, HTML errors, request context, body limit.
pub fn stack(routes: Routes, db: Db, settings: Arc<Settings>, services: Services) -> Router {
    let routes = routes.get("/static/{file}", Access::Public, get(assets::serve_asset));
    let (router, table) = routes.into_parts();
    let state = AppState {
        db,
        metrics: Arc::new(metrics::Metrics::default()),
        routes: Arc::new(table),
        services: Arc::new(services),
        settings: settings.clone(),
    };
    router
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), context::context))
        .layer(middleware::from_fn(i18n::translate_problems))
        .layer(middleware::from_fn(html_errors))
        .layer(middleware::from_fn(post_only_pages))
        .layer(middleware::from_fn(caching::private_when_personal))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.entry("x-frame-options").or_insert(HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    ));
    res
}

/// A page address that only takes forms (`/visits/2/sessions`) is where the browser
/// stays after a refused form; opened again with GET it leads to the page the form is on
/// (its parent address) instead of answering 405.
async fn post_only_pages(req: Request, next: Next) -> Response {
    let get = req.method() == axum::http::Method::GET || req.method() == axum::http::Method::HEAD;
    let path = (get && !req.uri().path().starts_with("/api/")).then(|| req.uri().path().to_string());
    let res = next.run(req).await;
    let Some(path) = path.filter(|_| res.status() == axum::http::StatusCode::METHOD_NOT_ALLOWED) else { return res };
    let parent = match path.trim_end_matches('/').rsplit_once('/') {
        Some((p, _)) if !p.is_empty() => p.to_string(),
        _ => "/".to_string(),
    };
    axum::response::Redirect::to(&parent).into_response()
}

/// Browsers get a friendly HTML page for errors outside `/api`; API clients keep the
/// problem document.
async fn html_errors(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let wants_html = !path.starts_with("/api/")
        && !matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics")
        && !req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("json") && !a.contains("html"));
    let lang_hint = context::cookie(req.headers(), context::LANG_COOKIE).map(str::to_string);
    let res = next.run(req).await;
    let is_problem = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !wants_html || !is_problem {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let ctx = parts.extensions.get::<context::Ctx>().cloned();
    let locale = ctx.as_ref().map(|c| c.locale).or_else(|| lang_hint.as_deref().and_then(i18n::Locale::parse)).unwrap_or(i18n::Locale::En);
    let page = pages::error_page(locale, ctx, parts.status, &problem);
    let mut out = Response::from_parts(parts, Body::from(page));
    out.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    out.headers_mut().remove(header::CONTENT_LENGTH);
    out
}

/// Renders a template or answers 500.
pub fn render<T: askama::Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => axum::response::Html(html).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}
