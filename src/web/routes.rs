//! The route table: every route is registered with the [`Access`] it requires, and one
//! middleware enforces it. The same table feeds the OpenAPI `x-access` extension and
//! `GET /api/v1/meta/routes`, which the permission-matrix test walks.

use axum::{
    Router,
    extract::{MatchedPath, Request},
    http::Method,
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::MethodRouter,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{AppState, context::Ctx, metrics::RouteTemplate};
use crate::{auth::Access, error::AppError};

/// One registered route.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteInfo {
    /// HTTP method.
    pub method: String,
    /// Path template, e.g. `/api/v1/institutions/{id}`.
    pub path: String,
    /// What the caller needs.
    pub access: Access,
}

/// Builder that pairs each route with its access rule.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteInfo>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    /// An empty table.
    pub fn new() -> Self {
        Routes { router: Router::new(), table: Vec::new() }
    }

    /// Registers `handler` for `method` on `path`, guarded by `access`.
    pub fn add(mut self, method: Method, path: &str, access: Access, handler: MethodRouter<AppState>) -> Self {
        let guarded = handler.route_layer(middleware::from_fn(move |req: Request, next: Next| enforce(access, req, next)));
        self.router = self.router.route(path, guarded);
        self.table.push(RouteInfo { method: method.to_string(), path: path.to_string(), access });
        self
    }

    /// Shorthand for GET.
    pub fn get(self, path: &str, access: Access, h: MethodRouter<AppState>) -> Self {
        self.add(Method::GET, path, access, h)
    }

    /// Shorthand for POST.
    pub fn post(self, path: &str, access: Access, h: MethodRouter<AppState>) -> Self {
        self.add(Method::POST, path, access, h)
    }

    /// Shorthand for PATCH.
    pub fn patch(self, path: &str, access: Access, h: MethodRouter<AppState>) -> Self {
        self.add(Method::PATCH, path, access, h)
    }

    /// Shorthand for DELETE.
    pub fn delete(self, path: &str, access: Access, h: MethodRouter<AppState>) -> Self {
        self.add(Method::DELETE, path, access, h)
    }

    /// Joins another module's table.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// Splits into the axum router and the table.
    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.table)
    }
}

/// Checks the caller against a route's access rule.
async fn enforce(access: Access, req: Request, next: Next) -> Response {
    let Some(ctx) = req.extensions().get::<Ctx>() else {
        return AppError::Internal(anyhow::anyhow!("context middleware missing")).into_response();
    };
    let denied = match (access, &ctx.user) {
        (Access::Public, _) => None,
        (_, None) => Some(unauthenticated(ctx, &req)),
        (Access::Authenticated, Some(_)) => None,
        (Access::Permission(p), Some(u)) => u.require(p).err().map(IntoResponse::into_response),
    };
    let template = req.extensions().get::<MatchedPath>().map(|m| RouteTemplate(m.as_str().to_string()));
    let mut res = match denied {
        Some(res) => res,
        None => next.run(req).await,
    };
    if let Some(t) = template {
        res.extensions_mut().insert(t);
    }
    res
}

/// API callers get 401 problem details; browsers are sent to the login page and back.
fn unauthenticated(ctx: &Ctx, req: &Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") {
        if ctx.session_expired {
            return AppError::SessionExpired.into_response();
        }
        return AppError::Unauthorized.into_response();
    }
    let next = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut url = format!("/login?next={}", urlencode(next));
    if ctx.session_expired {
        url.push_str("&expired=1");
    }
    Redirect::to(&url).into_response()
}

/// Percent-encodes a string for a query parameter.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
