//! Translations of user-facing messages (field errors, problem details), gettext style:
//! the English message is its own id. `locales/messages.zh.json` maps English to Chinese
//! and `locales/messages.ms.json` English to Malay; keys with `{name}` placeholders are
//! templates whose placeholders match any text, and the matched parts are put into the
//! translation. A matched part that is itself a message of the catalogue (an exact entry)
//! is translated too. Unknown messages stay in English.

use std::{borrow::Cow, collections::HashMap, sync::LazyLock};

/// One piece of a message template.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    /// Text that must appear as is.
    Lit(String),
    /// A placeholder: any non-empty text.
    Hole(String),
}

/// A compiled template and its translation.
#[derive(Debug)]
struct Template {
    segs: Vec<Seg>,
    to: String,
}

/// One language's catalogue, split into exact entries and templates.
struct Catalogue {
    exact: HashMap<String, String>,
    /// Most specific first (longest literal text).
    templates: Vec<Template>,
}

static ZH: LazyLock<Catalogue> = LazyLock::new(|| compile(include_str!("../../../locales/messages.zh.json")));
static MS: LazyLock<Catalogue> = LazyLock::new(|| compile(include_str!("../../../locales/messages.ms.json")));

fn compile(text: &str) -> Catalogue {
    // The file is embedded at compile time and checked by the unit tests below, so a parse
    // failure here is a build defect, not user input.
    let table: HashMap<String, String> = serde_json::from_str(text).expect("messages catalogue is valid JSON");
    let mut exact = HashMap::new();
    let mut templates = Vec::new();
    for (en, to) in table {
        let segs = parse(&en);
        if segs.iter().any(|s| matches!(s, Seg::Hole(_))) {
            templates.push(Template { segs, to });
        } else {
            exact.insert(en, to);
        }
    }
    templates.sort_by_key(|t| std::cmp::Reverse(literal_len(&t.segs)));
    Catalogue { exact, templates }
}

fn literal_len(segs: &[Seg]) -> usize {
    segs.iter().map(|s| if let Seg::Lit(l) = s { l.chars().count() } else { 0 }).sum()
}

/// Splits `a {x} b` into literal text and named placeholders.
fn parse(template: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else { break };
        if open > 0 {
            segs.push(Seg::Lit(rest[..open].to_string()));
        }
        segs.push(Seg::Hole(rest[open + 1..open + len].to_string()));
        rest = &rest[open + len + 1..];
    }
    if !rest.is_empty() {
        segs.push(Seg::Lit(rest.to_string()));
    }
    segs
}

/// Matches `text` against the template pieces, collecting what each placeholder matched.
fn matches<'t>(segs: &[Seg], text: &'t str, caps: &mut Vec<(String, &'t str)>) -> bool {
    match segs.split_first() {
        None => text.is_empty(),
        Some((Seg::Lit(l), rest)) => text.strip_prefix(l.as_str()).is_some_and(|t| matches(rest, t, caps)),
        Some((Seg::Hole(name), rest)) => {
            // Try every non-empty prefix, shortest first, so the text after it can match.
            for (end, _) in text.char_indices().skip(1).chain(std::iter::once((text.len(), ' '))) {
                caps.push((name.clone(), &text[..end]));
                if matches(rest, &text[end..], caps) {
                    return true;
                }
                caps.pop();
            }
            false
        }
    }
}

/// Puts the captured parts into a translation's placeholders.
fn fill(to: &str, caps: &[(String, &str)], cat: &Catalogue) -> String {
    parse(to)
        .into_iter()
        .map(|seg| match seg {
            Seg::Lit(l) => l,
            Seg::Hole(name) => match caps.iter().find(|(n, _)| *n == name) {
                Some((_, v)) => cat.exact.get(*v).cloned().unwrap_or_else(|| v.to_string()),
                None => format!("{{{name}}}"),
            },
        })
        .collect()
}

fn lookup<'a>(cat: &Catalogue, english: &'a str) -> Cow<'a, str> {
    if let Some(to) = cat.exact.get(english) {
        return Cow::Owned(to.clone());
    }
    let mut caps = Vec::new();
    for t in &cat.templates {
        caps.clear();
        if matches(&t.segs, english, &mut caps) {
            return Cow::Owned(fill(&t.to, &caps, cat));
        }
    }
    Cow::Borrowed(english)
}

/// The Chinese for an English message, or the English when the catalogue lacks it.
pub fn to_chinese(english: &str) -> Cow<'_, str> {
    lookup(&ZH, english)
}

/// The Malay for an English message, or the English when the catalogue lacks it.
pub fn to_malay(english: &str) -> Cow<'_, str> {
    lookup(&MS, english)
}

#[cfg(test)]
mod tests;
