//! `/partners`: the public list and map of the partner institutions marked public, in
//! the public site's layout (the same header, language switch and footer as the news).

use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::{HeaderValue, header},
    response::Response,
};

use super::{Params, layout::Layout};
use crate::{
    error::AppResult,
    institutions::{lookup::public_partner_groups, model::Institution},
    web::{AppState, context::Ctx, render},
};

#[derive(Template)]
#[template(path = "news/public_partners.html")]
struct PartnersPage {
    site: Layout,
    groups: Vec<(String, String, Vec<Institution>)>,
}

impl PartnersPage {
    fn zh(&self) -> bool {
        self.site.lang == "zh"
    }
}

/// `GET /partners?lang=`.
pub async fn public_partners(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let (locale, _) = Params::parse(raw.as_deref()).locale(&ctx);
    let groups = public_partner_groups(&state.db, locale.code()).await?;
    let tr = crate::web::i18n::Tr(locale);
    let base = &state.service::<super::NewsSite>().base_url;
    let site = Layout::new(locale, tr.t("partners.title").to_string(), tr.t("partners.intro").to_string()).with_languages(
        base,
        "/partners",
        &["zh", "en", "ms"],
    );
    let mut res = render(&PartnersPage { site, groups });
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    Ok(res)
}
