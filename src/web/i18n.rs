//! UI strings from `locales/*.json` (embedded), English and Simplified Chinese.
//! A missing key falls back to English, then to the key itself; a unit test keeps the
//! two files in step.
//!
//! User-facing messages (field errors, problem details) are written in English in the
//! code and translated by [`Tr::message`] through `locales/messages.zh.json` (see
//! [`messages`]); [`translate_problems`] does that for every problem document answered to
//! a Chinese request.

mod messages;
mod problem;

use std::{borrow::Cow, collections::HashMap, sync::LazyLock};

pub use problem::translate_problems;

use crate::error::FieldError;

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// English.
    En,
    /// Chinese (Simplified).
    Zh,
}

impl Locale {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Zh => "zh",
        }
    }

    /// BCP 47 tag for `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Zh => "zh-Hans",
        }
    }

    /// Parses a stored code or an `Accept-Language` tag.
    pub fn parse(s: &str) -> Option<Locale> {
        let s = s.trim().to_ascii_lowercase();
        if s == "en" || s.starts_with("en-") {
            Some(Locale::En)
        } else if s == "zh" || s.starts_with("zh-") {
            Some(Locale::Zh)
        } else {
            None
        }
    }

    /// Picks the first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        header.split(',').filter_map(|part| Locale::parse(part.split(';').next().unwrap_or(""))).next()
    }
}

type Table = HashMap<String, String>;

/// One file per language for the shell, plus one per module (`locales/<module>.<lang>.json`),
/// so that modules add their strings without touching each other's files.
macro_rules! locale_files {
    ($lang:literal) => {
        [
            include_str!(concat!("../../locales/", $lang, ".json")),
            include_str!(concat!("../../locales/visits.", $lang, ".json")),
            include_str!(concat!("../../locales/rooms.", $lang, ".json")),
            include_str!(concat!("../../locales/trips.", $lang, ".json")),
            include_str!(concat!("../../locales/calendar.", $lang, ".json")),
            include_str!(concat!("../../locales/agreements.", $lang, ".json")),
            include_str!(concat!("../../locales/programmes.", $lang, ".json")),
            include_str!(concat!("../../locales/applications.", $lang, ".json")),
            include_str!(concat!("../../locales/reports.", $lang, ".json")),
            include_str!(concat!("../../locales/expiry.", $lang, ".json")),
            include_str!(concat!("../../locales/news.", $lang, ".json")),
            include_str!(concat!("../../locales/news-public.", $lang, ".json")),
            include_str!(concat!("../../locales/dashboard.", $lang, ".json")),
            include_str!(concat!("../../locales/fields.", $lang, ".json")),
            include_str!(concat!("../../locales/account.", $lang, ".json")),
        ]
    };
}

static EN: LazyLock<Table> = LazyLock::new(|| load(&locale_files!("en")));
static ZH: LazyLock<Table> = LazyLock::new(|| load(&locale_files!("zh")));

fn load(texts: &[&str]) -> Table {
    // The files are embedded at compile time and checked by the unit test below, so a
    // parse failure here is a build defect, not user input.
    texts.iter().flat_map(|t| serde_json::from_str::<Table>(t).expect("locale file is valid JSON")).collect()
}

/// Translator for one request, handed to templates.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Locale);

impl Tr {
    /// The string for `key` in this language.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        let table: &'static Table = match self.0 {
            Locale::En => &EN,
            Locale::Zh => &ZH,
        };
        table.get(key).or_else(|| EN.get(key)).map(String::as_str).unwrap_or(key)
    }

    /// `key.one` or `key.other`, chosen by the language's CLDR plural rule for `n`
    /// (English: one for 1, other otherwise; Chinese: always other), with `{n}` replaced.
    pub fn plural(&self, key: &str, n: i64) -> String {
        let category = plural_category(self.0, n);
        let chosen = format!("{key}.{category}");
        let other = format!("{key}.other");
        let text = [chosen.as_str(), other.as_str()]
            .into_iter()
            .find_map(|k| self.table().get(k).or_else(|| EN.get(k)))
            .map(String::as_str)
            .unwrap_or(key);
        text.replace("{n}", &n.to_string())
    }

    fn table(&self) -> &'static Table {
        match self.0 {
            Locale::En => &EN,
            Locale::Zh => &ZH,
        }
    }

    /// The language.
    pub fn locale(&self) -> Locale {
        self.0
    }

    /// A user-facing message (written in English in the code) in this language; messages
    /// the catalogue lacks stay in English.
    pub fn message<'a>(&self, english: &'a str) -> Cow<'a, str> {
        match self.0 {
            Locale::En => Cow::Borrowed(english),
            Locale::Zh => messages::to_chinese(english),
        }
    }

    /// Field errors with their messages in this language, as a page shows them (in
    /// sentence case).
    pub fn field_errors(&self, errors: Vec<FieldError>) -> Vec<FieldError> {
        errors.into_iter().map(|e| FieldError { message: sentence(&self.message(&e.message)), field: e.field }).collect()
    }

    /// (field, message) pairs with their messages in this language, as a page shows them
    /// (in sentence case).
    pub fn field_messages(&self, errors: Vec<(String, String)>) -> Vec<(String, String)> {
        errors.into_iter().map(|(field, message)| (field, sentence(&self.message(&message)))).collect()
    }
}

/// A message as a sentence: its first letter upper-case.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() => c.to_uppercase().chain(chars).collect(),
        _ => text.to_string(),
    }
}

/// The CLDR plural category of an integer count (`one` or `other`; the rules of the
/// shipped languages need no more).
fn plural_category(locale: Locale, n: i64) -> &'static str {
    match locale {
        Locale::En if n == 1 => "one",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locales_have_the_same_keys() {
        let mut en: Vec<&String> = EN.keys().collect();
        let mut zh: Vec<&String> = ZH.keys().collect();
        en.sort();
        zh.sort();
        assert_eq!(en, zh);
    }

    #[test]
    fn plurals_follow_the_language_rule() {
        assert_eq!(Tr(Locale::En).plural("dashboard.partners", 1), "active partner");
        assert_eq!(Tr(Locale::En).plural("dashboard.partners", 0), "active partners");
        assert_eq!(Tr(Locale::En).plural("dashboard.partners", 2), "active partners");
        assert_eq!(Tr(Locale::Zh).plural("dashboard.partners", 1), "个合作中的伙伴院校");
    }

    #[test]
    fn accept_language_picks_the_first_supported() {
        assert_eq!(Locale::from_accept_language("fr-FR, zh-CN;q=0.8, en;q=0.5"), Some(Locale::Zh));
        assert_eq!(Locale::from_accept_language("de"), None);
    }
}
