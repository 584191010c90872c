//! The page shell shared by all templates, and the error page.

use std::sync::Arc;

use askama::Template;
use axum::http::StatusCode;

use super::{
    context::Ctx,
    i18n::{Locale, Tr},
};
use crate::auth::{CurrentUser, Permission};

/// What the layout needs on every page.
pub struct Base {
    /// Translator.
    pub tr: Tr,
    /// Logged-in user.
    pub user: Option<Arc<CurrentUser>>,
    /// CSRF token for forms.
    pub csrf: String,
    /// Page title (already translated).
    pub title: String,
    /// Which nav entry is current.
    pub section: &'static str,
}

impl Base {
    /// Layout data for a request.
    pub fn new(ctx: &Ctx, title: impl Into<String>, section: &'static str) -> Base {
        Base { tr: Tr(ctx.locale), user: ctx.user.clone(), csrf: ctx.csrf.clone(), title: title.into(), section }
    }

    /// Whether the user holds a permission (for showing links and buttons).
    pub fn can(&self, perm: &str) -> bool {
        let Some(u) = &self.user else { return false };
        Permission::ALL.iter().any(|p| p.as_str() == perm && u.can(*p))
    }

    /// `aria-current` for the nav entry of this section.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section { "page" } else { "false" }
    }

    /// `<html lang>`.
    pub fn lang(&self) -> &'static str {
        self.tr.locale().html_lang()
    }

    /// The UI language's code (`en`, `zh`, `ms`), as the records' per-language fields use it.
    pub fn lang_code(&self) -> &'static str {
        self.tr.locale().code()
    }

    /// The translated string for `key`.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }

    /// A record field's name as a person reads it (`start_date` → "Start date"), from
    /// `field.<name>` in the locale files, else the name made readable.
    pub fn field_label(&self, name: &str) -> String {
        self.named("field", name)
    }

    /// A stored value of a record's field as a person reads it: status and direction
    /// words in the UI language, anything else as it is.
    pub fn value_label(&self, entity: &str, field: &str, value: &str) -> String {
        let prefix = match (field, entity) {
            ("status", "visit") => "visits.status",
            ("status", "agreement") => "agreements.status",
            ("status", "programme") => "programmes.pstatus",
            ("status", "mobility") => "programmes.mstatus",
            ("status", "trip") => "trips.status",
            ("status", "article") => "news.status",
            ("status", "booking") => "rooms.status",
            ("status", "visit_action") => "visits.action_status",
            ("direction", _) => "visits.direction",
            ("kind", "institution") => "institutions.kind",
            ("kind", "agreement") => "agreements.kind",
            _ => return value.to_string(),
        };
        let key = format!("{prefix}.{value}");
        match self.tr.t(&key) {
            found if found != key => found.to_string(),
            _ => value.to_string(),
        }
    }

    /// A kind of record as a person reads it (`visit_action` → "Follow-up action").
    pub fn entity_label(&self, entity: &str) -> String {
        self.named("audit.entity", entity)
    }

    fn named(&self, prefix: &str, name: &str) -> String {
        let key = format!("{prefix}.{name}");
        match self.tr.t(&key) {
            found if found != key => found.to_string(),
            _ => {
                let words = name.replace('_', " ");
                let mut chars = words.chars();
                chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
            }
        }
    }

    /// A counted phrase in the UI language's plural form (`key.one` / `key.other`).
    pub fn plural(&self, key: &str, n: &i64) -> String {
        self.tr.plural(key, *n)
    }

    /// Partnership statuses in their order.
    pub fn partnership_statuses(&self) -> &'static [&'static str] {
        &["prospective", "active", "suspended", "ended"]
    }

    /// Translated partnership status.
    pub fn t_status(&self, status: &str) -> &'static str {
        let key = match status {
            "prospective" => "status.prospective",
            "active" => "status.active",
            "suspended" => "status.suspended",
            "ended" => "status.ended",
            _ => "status.none",
        };
        self.tr.t(key)
    }

    /// A country's name in the UI language (the code if unknown).
    pub fn country(&self, code: &str) -> String {
        crate::reference::country_name(code, self.tr.locale().code())
    }

    /// World regions for filters: (code, name, is continent), continents first.
    pub fn areas(&self) -> Vec<(&'static str, &'static str, bool)> {
        let lang = self.tr.locale().code();
        let mut out: Vec<(&'static str, &'static str, bool)> =
            crate::reference::regions().iter().map(|r| (r.code, r.name(lang), r.level == "continent")).collect();
        out.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(b.1)));
        out
    }

    /// True if the UI is in Chinese.
    pub fn is_zh(&self) -> bool {
        self.tr.locale() == Locale::Zh
    }

    /// The interface languages, for the language switch.
    pub fn languages(&self) -> [Locale; 3] {
        Locale::ALL
    }

    /// True if `l` is the UI language.
    pub fn is_lang(&self, l: &Locale) -> bool {
        self.tr.locale() == *l
    }

    /// A stored `YYYY-MM-DD` date written in the UI language ("8 Mei 2024").
    pub fn date(&self, text: &str) -> String {
        self.tr.date_text(text)
    }

    /// An integer with the UI language's digit grouping.
    pub fn integer(&self, n: &i64) -> String {
        self.tr.integer(*n)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    base: Base,
    status: u16,
    heading: String,
    detail: String,
    errors: Vec<(String, String)>,
}

/// Renders a problem document as a friendly page.
pub fn error_page(locale: Locale, ctx: Option<Ctx>, status: StatusCode, problem: &serde_json::Value) -> String {
    let tr = Tr(locale);
    let slug = problem["type"].as_str().unwrap_or("").trim_start_matches("/problems/");
    let title_key = format!("error.{slug}");
    let heading = match tr.t(&title_key) {
        t if t == title_key => problem["title"].as_str().unwrap_or("Error").to_string(),
        t => t.to_string(),
    };
    let errors = problem["errors"]
        .as_array()
        .map(|a| {
            a.iter().map(|e| (e["field"].as_str().unwrap_or("").to_string(), e["message"].as_str().unwrap_or("").to_string())).collect()
        })
        .unwrap_or_default();
    let base = match &ctx {
        Some(c) => Base::new(c, heading.clone(), ""),
        None => Base { tr, user: None, csrf: String::new(), title: heading.clone(), section: "" },
    };
    let page = ErrorPage { base, status: status.as_u16(), heading, detail: problem["detail"].as_str().unwrap_or("").to_string(), errors };
    page.render().unwrap_or_else(|_| format!("<!doctype html><title>{}</title><h1>{}</h1>", status.as_u16(), status.as_u16()))
}
