//! The composition layer's router: every module's routes, and the values modules keep
//! for the life of the instance, handed to `web`'s middleware stack. This is the one
//! place that names every module; `web` names none.

use std::sync::Arc;

use axum::Router;

use crate::{
    config::Settings,
    db::Db,
    files::Files,
    institutions::partner_index::PartnerCache,
    news::public::NewsSite,
    sso::SsoService,
    web::{self, Routes, Services},
};

/// All routes of all modules.
pub fn routes() -> Routes {
    Routes::new()
        .merge(crate::ops::routes())
        .merge(crate::openapi::routes())
        .merge(crate::sso::routes())
        .merge(crate::account::routes())
        .merge(crate::dashboard::routes())
        .merge(crate::institutions::routes())
        .merge(crate::rooms::routes())
        .merge(crate::visits::routes())
        .merge(crate::trips::routes())
        .merge(crate::calendar::routes())
        .merge(crate::agreements::routes())
        .merge(crate::expiry::routes())
        .merge(crate::programmes::routes())
        .merge(crate::applications::routes())
        .merge(crate::reports::routes())
        .merge(crate::news::routes())
        .merge(crate::search::routes())
}

/// Builds the application router: the routes in the middleware stack, with the
/// partners' matcher cache, the public news site, the file store and sign-on's client
/// registered for their modules.
pub fn router(db: Db, settings: Arc<Settings>, news: Arc<NewsSite>, files: Files, sso: Arc<SsoService>) -> Router {
    let base = Arc::new(crate::applications::PublicBase(news.base_url.clone()));
    let services = Services::default()
        .with(Arc::new(PartnerCache::default()))
        .with(news)
        .with(Arc::new(files))
        .with(sso)
        .with(base)
        .with(Arc::new(crate::applications::cache::CallPartnersCache::default()));
    web::stack(routes(), db, settings, services)
}
