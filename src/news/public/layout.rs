//! The layout every public page shares: title and description, canonical link,
//! hreflang alternates and the language switch.

use crate::web::i18n::{Locale, Tr};

/// One entry of the language switch.
pub struct Switch {
    /// en, zh or ms.
    pub code: &'static str,
    /// BCP 47 tag.
    pub html_lang: &'static str,
    /// The language's own name.
    pub label: &'static str,
    /// The same page in that language.
    pub href: String,
    /// True for the page's language.
    pub current: bool,
}

/// What the public layout shows on every page.
pub struct Layout {
    /// Translator.
    pub tr: Tr,
    /// en, zh or ms.
    pub lang: &'static str,
    /// `<html lang>`.
    pub html_lang: &'static str,
    /// `<title>`.
    pub title: String,
    /// `<meta name=description>`.
    pub description: String,
    /// Absolute canonical URL.
    pub canonical: Option<String>,
    /// `(hreflang, absolute URL)` of the page in each language.
    pub alternates: Vec<(String, String)>,
    /// Language switch.
    pub switch: Vec<Switch>,
    /// Tell robots not to index (the not-found page).
    pub noindex: bool,
}

impl Layout {
    /// A page of the public site titled `title`.
    pub fn new(locale: Locale, title: String, description: String) -> Layout {
        Layout {
            tr: Tr(locale),
            lang: locale.code(),
            html_lang: locale.html_lang(),
            title,
            description,
            canonical: None,
            alternates: Vec::new(),
            switch: Vec::new(),
            noindex: false,
        }
    }

    /// Adds the canonical link, the hreflang alternates (for `langs`; `x-default` is the
    /// first) and the language switch; `path` has the page's query without `lang`.
    pub fn with_languages(mut self, base: &str, path: &str, langs: &[&str]) -> Layout {
        let sep = if path.contains('?') { '&' } else { '?' };
        let href = |l: &str| format!("{path}{sep}lang={l}");
        self.canonical = Some(format!("{base}{}", href(self.lang)));
        for l in langs {
            self.alternates.push((html_lang(l).to_string(), format!("{base}{}", href(l))));
        }
        if let Some(first) = langs.first() {
            self.alternates.push(("x-default".into(), format!("{base}{}", href(first))));
        }
        for l in Locale::ALL {
            let code = l.code();
            self.switch.push(Switch {
                code,
                html_lang: l.html_lang(),
                label: l.native_name(),
                href: href(code),
                current: code == self.lang,
            });
        }
        self
    }

    /// The string for `key` in the page's language.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }
}

/// BCP 47 tag of a stored language code.
pub fn html_lang(code: &str) -> &'static str {
    Locale::parse(code).unwrap_or(Locale::En).html_lang()
}

/// The languages whose interface the public pages are written in (list, partners).
pub const SITE_LANGS: [&str; 3] = ["en", "zh", "ms"];
