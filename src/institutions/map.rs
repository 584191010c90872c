//! The world map of partners: a server-rendered SVG, countries coloured by how many
//! partners they hold, with the country's name and count on hover and a link per
//! country. Served as its own document (cacheable, with an ETag) so pages stay light.

use std::{
    collections::BTreeMap,
    fmt::Write,
    hash::{Hash, Hasher},
};

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::reference;
use crate::{
    error::AppResult,
    web::{AppState, context::Ctx},
};

/// Partners per country code.
pub type Counts = BTreeMap<String, i64>;

/// Active partners per country; `public_only` limits it to those marked public.
pub async fn partner_counts(state: &AppState, public_only: bool) -> AppResult<Counts> {
    let rows = super::queries::partners_per_country(&state.db, public_only).await?;
    Ok(rows.into_iter().collect())
}

/// Colour class 0–5 for a count (0 = none).
fn shade(n: i64, max: i64) -> usize {
    if n <= 0 {
        return 0;
    }
    let steps = 5.0;
    (1.0 + ((n as f64).ln_1p() / (max.max(1) as f64).ln_1p() * (steps - 1.0)).round()) as usize
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Renders the map. `link` gives the target for a country with partners.
pub fn render(counts: &Counts, lang: &str, link: impl Fn(&str) -> String, title: &str) -> String {
    let world = reference::world();
    let max = counts.values().copied().max().unwrap_or(0);
    let mut svg = String::with_capacity(1_100_000);
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{}\" role=\"img\" aria-label=\"{}\"><title>{}</title><style>\
         path{{stroke:#fff;stroke-width:.3}} .c0{{fill:#d9dee5}} .c1{{fill:#c6dbef}} .c2{{fill:#9ecae1}} .c3{{fill:#6baed6}} .c4{{fill:#3182bd}} .c5{{fill:#08519c}}\
         a:hover path,a:focus path{{fill:#f0b400}}</style>",
        world.view_box,
        esc(title),
        esc(title)
    );
    for (code, en_name, d) in &world.shapes {
        let n = counts.get(*code).copied().unwrap_or(0);
        let name = reference::country(code).map(|c| c.name(lang)).unwrap_or(en_name);
        let label = esc(&format!("{name}: {n}"));
        if n > 0 {
            let _ = write!(
                svg,
                "<a href=\"{}\" target=\"_top\"><path id=\"{code}\" class=\"c{}\" d=\"{d}\"><title>{label}</title></path></a>",
                esc(&link(code)),
                shade(n, max)
            );
        } else {
            let _ = write!(svg, "<path id=\"{code}\" class=\"c0\" d=\"{d}\"><title>{label}</title></path>");
        }
    }
    svg.push_str("</svg>");
    svg
}

fn etag(counts: &Counts, lang: &str, kind: &str) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (counts, lang, kind, env!("CARGO_PKG_VERSION")).hash(&mut h);
    format!("\"{:x}\"", h.finish())
}

fn svg_response(headers: &HeaderMap, tag: String, cache: &'static str, body: impl FnOnce() -> String) -> Response {
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    // The map is embedded with <object> on our own pages and styles itself inline.
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8".to_string()),
            (header::ETAG, tag),
            (header::CACHE_CONTROL, cache.to_string()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'".to_string()),
            (header::X_FRAME_OPTIONS, "SAMEORIGIN".to_string()),
        ],
        body(),
    )
        .into_response()
}

/// `GET /partners/map.svg`: public partners by country, linking to the public list.
pub async fn public_map(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> AppResult<Response> {
    let counts = partner_counts(&state, true).await?;
    let lang = ctx.locale.code();
    let tag = etag(&counts, lang, "public");
    let title = crate::web::i18n::Tr(ctx.locale).t("partners.map").to_string();
    Ok(svg_response(&headers, tag, "public, max-age=300", || render(&counts, lang, |c| format!("/partners#country-{c}"), &title)))
}

/// `GET /institutions/map.svg`: active partners by country, linking to the filtered list.
pub async fn staff_map(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> AppResult<Response> {
    let counts = partner_counts(&state, false).await?;
    let lang = ctx.locale.code();
    let tag = etag(&counts, lang, "staff");
    let title = crate::web::i18n::Tr(ctx.locale).t("partners.map").to_string();
    Ok(svg_response(&headers, tag, "private, max-age=60", || {
        render(&counts, lang, |c| format!("/institutions?country={c}&status=active"), &title)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_with_partners_are_coloured_linked_and_named() {
        let counts: Counts = [("MY".to_string(), 3), ("TH".to_string(), 1)].into_iter().collect();
        let svg = render(&counts, "zh", |c| format!("/x?c={c}"), "map");
        assert!(svg.contains("<a href=\"/x?c=MY\" target=\"_top\"><path id=\"MY\" class=\"c5\""));
        assert!(svg.contains("<title>马来西亚: 3</title>"));
        assert!(svg.contains("<path id=\"FR\" class=\"c0\""));
        assert_eq!(shade(1, 3), 3);
    }
}
