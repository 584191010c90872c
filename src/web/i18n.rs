//! UI strings from `locales/*.json` (embedded): English, Simplified Chinese and Malay.
//! A missing key falls back to English, then to the key itself; a unit test keeps the
//! three languages' files in step and finds Malay strings left in English.
//!
//! User-facing messages (field errors, problem details) are written in English in the
//! code and translated by [`Tr::message`] through `locales/messages.zh.json` and
//! `locales/messages.ms.json` (see [`messages`]); [`translate_problems`] does that for
//! every problem document answered to a request in another language. Dates and numbers
//! are written by CLDR's patterns ([`formats`]).

pub mod formats;
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
    /// Malay (Bahasa Melayu, as written in Malaysia).
    Ms,
}

impl Locale {
    /// Every interface language, in the order the language switch offers them.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Zh, Locale::Ms];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Zh => "zh",
            Locale::Ms => "ms",
        }
    }

    /// BCP 47 tag for `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Zh => "zh-Hans",
            Locale::Ms => "ms",
        }
    }

    /// The language's name in itself, for the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Zh => "中文",
            Locale::Ms => "Bahasa Melayu",
        }
    }

    /// Parses a stored code or an `Accept-Language` tag.
    pub fn parse(s: &str) -> Option<Locale> {
        let s = s.trim().to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| s == l.code() || s.strip_prefix(l.code()).is_some_and(|rest| rest.starts_with('-')))
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
            include_str!(concat!("../../locales/search.", $lang, ".json")),
        ]
    };
}

static EN: LazyLock<Table> = LazyLock::new(|| load(&locale_files!("en")));
static ZH: LazyLock<Table> = LazyLock::new(|| load(&locale_files!("zh")));
static MS: LazyLock<Table> = LazyLock::new(|| load(&locale_files!("ms")));

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
        self.table().get(key).or_else(|| EN.get(key)).map(String::as_str).unwrap_or(key)
    }

    /// `key.one` or `key.other`, chosen by the language's CLDR plural rule for `n`
    /// (English: one for 1, other otherwise; Chinese and Malay: always other), with `{n}`
    /// replaced.
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
            Locale::Ms => &MS,
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
            Locale::Ms => messages::to_malay(english),
        }
    }

    /// A date written in this language's CLDR long pattern ("8 Mei 2024").
    pub fn long_date(&self, d: jiff::civil::Date) -> String {
        formats::date(self.0, d, formats::DateStyle::Long)
    }

    /// A stored `YYYY-MM-DD` date in the long pattern; other text as it is.
    pub fn date_text(&self, text: &str) -> String {
        text.parse().map(|d| self.long_date(d)).unwrap_or_else(|_| text.to_string())
    }

    /// An integer with this language's digit grouping.
    pub fn integer(&self, n: i64) -> String {
        formats::integer(self.0, n)
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
    fn every_locale_has_the_same_keys() {
        let keys = |t: &Table| {
            let mut k: Vec<String> = t.keys().cloned().collect();
            k.sort();
            k
        };
        let en = keys(&EN);
        for (lang, table) in [("zh", &*ZH), ("ms", &*MS)] {
            let other = keys(table);
            let missing: Vec<&String> = en.iter().filter(|k| !table.contains_key(*k)).collect();
            let extra: Vec<&String> = other.iter().filter(|k| !EN.contains_key(*k)).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, not in English {extra:?}");
        }
    }

    /// English strings that are rightly the same in Malay: abbreviations both languages
    /// use, words Malay borrowed whole, and text that is only placeholders.
    const SAME_IN_MALAY: &[&str] = &["API", "Agenda", "Domain", "Menu", "Status", "Tag", "Unit", "{member} ({role})"];

    #[test]
    fn every_malay_string_is_translated() {
        let untranslated: Vec<String> = EN
            .iter()
            .filter(|(k, en)| !en.is_empty() && MS.get(*k) == Some(*en) && !SAME_IN_MALAY.contains(&en.as_str()))
            .map(|(k, en)| format!("{k} = {en:?}"))
            .collect();
        assert!(
            untranslated.is_empty(),
            "Malay strings still in English (translate them, or add the string to SAME_IN_MALAY):\n{}",
            untranslated.join("\n")
        );
    }

    #[test]
    fn placeholders_survive_translation() {
        let holes = |t: &str| {
            let mut h: Vec<String> = t.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string())).collect();
            h.sort();
            h
        };
        for (lang, table) in [("zh", &*ZH), ("ms", &*MS)] {
            for (k, en) in EN.iter() {
                let to = table.get(k).map(String::as_str).unwrap_or("");
                // A plural form may leave the count out ("The best match") or name it.
                let plural = k.ends_with(".one") || k.ends_with(".other");
                let keep = |h: Vec<String>| h.into_iter().filter(|x| !(plural && x == "n")).collect::<Vec<_>>();
                assert_eq!(keep(holes(en)), keep(holes(to)), "{lang}: {k}: {to:?} must keep the placeholders of {en:?}");
            }
        }
    }

    #[test]
    fn plurals_follow_the_language_rule() {
        assert_eq!(Tr(Locale::En).plural("dashboard.partners", 1), "active partner");
        assert_eq!(Tr(Locale::En).plural("dashboard.partners", 0), "active partners");
        assert_eq!(Tr(Locale::En).plural("dashboard.partners", 2), "active partners");
        assert_eq!(Tr(Locale::Zh).plural("dashboard.partners", 1), "个合作中的伙伴院校");
        assert!(!Tr(Locale::Ms).plural("dashboard.partners", 1).is_empty());
        assert_eq!(Tr(Locale::Ms).plural("dashboard.partners", 1), Tr(Locale::Ms).plural("dashboard.partners", 2));
    }

    #[test]
    fn accept_language_picks_the_first_supported() {
        assert_eq!(Locale::from_accept_language("fr-FR, zh-CN;q=0.8, en;q=0.5"), Some(Locale::Zh));
        assert_eq!(Locale::from_accept_language("de"), None);
        assert_eq!(Locale::from_accept_language("ms-MY, en;q=0.8"), Some(Locale::Ms));
        assert_eq!(Locale::parse("ms"), Some(Locale::Ms));
        assert_eq!(Locale::parse("msa"), None);
    }
}
