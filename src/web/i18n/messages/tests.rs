//! The catalogue's matching, and a scan of the sources proving every validation message
//! written in them has a Chinese and a Malay entry.

use std::{collections::BTreeMap, path::Path};

use super::*;

#[test]
fn exact_entries_templates_and_fallback() {
    assert_eq!(to_chinese("give the visit a title"), "请填写来访标题");
    assert_eq!(to_chinese("there is no institution 42"), "不存在编号为 42 的院校");
    assert_eq!(to_chinese("the mobility is nominated; it cannot go back to accepted"), "该交流已处于 nominated 状态，不能退回 accepted");
    assert_eq!(to_chinese("no such message in the catalogue"), "no such message in the catalogue");
}

#[test]
fn matched_parts_that_are_messages_are_translated_too() {
    let msg = "This article must appear in Chinese as well: the Chinese version needs a title and a body before it can be published.";
    let zh = to_chinese(msg);
    assert!(zh.contains("中文") && zh.contains("发布") && !zh.contains("Chinese"), "{zh}");
}

#[test]
fn templates_match_with_placeholders_anywhere() {
    let segs = parse("'{a}' is not {kind} ({why})");
    let mut caps = Vec::new();
    assert!(matches(&segs, "'x.pdf' is not a PDF (judged by content)", &mut caps));
    assert_eq!(caps, [("a".to_string(), "x.pdf"), ("kind".to_string(), "a PDF"), ("why".to_string(), "judged by content")]);
    assert!(!matches(&segs, "'' is not a PDF (x)", &mut Vec::new()));
}

/// The two catalogues, by language.
fn catalogues() -> [(&'static str, BTreeMap<String, String>); 2] {
    let read = |text: &str| -> BTreeMap<String, String> { serde_json::from_str(text).expect("valid JSON") };
    [("zh", read(include_str!("../../../../locales/messages.zh.json"))), ("ms", read(include_str!("../../../../locales/messages.ms.json")))]
}

#[test]
fn translations_use_only_their_key_placeholders() {
    for (lang, table) in catalogues() {
        for (en, to) in &table {
            let names =
                |t: &str| parse(t).into_iter().filter_map(|s| if let Seg::Hole(h) = s { Some(h) } else { None }).collect::<Vec<_>>();
            let (from, into) = (names(en), names(to));
            assert!(into.iter().all(|h| from.contains(h)), "{lang}: '{to}' uses a placeholder that '{en}' lacks");
            assert!(from.iter().all(|h| !h.is_empty()), "'{en}': name every placeholder");
            assert!(!to.trim().is_empty(), "'{en}' has no {lang} translation");
        }
    }
}

#[test]
fn the_malay_catalogue_translates_every_chinese_entry() {
    let [(_, zh), (_, ms)] = catalogues();
    let missing: Vec<&String> = zh.keys().filter(|k| !ms.contains_key(*k)).collect();
    let extra: Vec<&String> = ms.keys().filter(|k| !zh.contains_key(*k)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "messages.ms.json lacks {missing:?} and has extra {extra:?}");
    // A Malay entry equal to its English is a message nobody translated; the few that are
    // the same in both languages are named here.
    const SAME: &[&str] = &[];
    let untranslated: Vec<&String> = ms.iter().filter(|(en, to)| en == to && !SAME.contains(&en.as_str())).map(|(en, _)| en).collect();
    assert!(untranslated.is_empty(), "untranslated Malay messages: {untranslated:?}");
}

#[test]
fn malay_messages_are_translated_with_their_parts() {
    assert_eq!(to_malay("no such message in the catalogue"), "no such message in the catalogue");
    assert_ne!(to_malay("give the visit a title"), "give the visit a title");
    let ms = to_malay("there is no institution 42");
    assert!(ms.contains("42") && !ms.contains("there is no"), "{ms}");
}

/// Calls whose argument at the given position is a user-facing message.
const CONSTRUCTORS: &[(&str, usize)] = &[
    ("AppError::field(", 1),
    ("FieldError::new(", 1),
    // Helpers that wrap the constructors with a fixed field.
    ("out_of_order(", 0),
    ("need(", 2),
];

/// Validators whose `Err(...)` text becomes a field message elsewhere.
const VALIDATOR_FILES: &[&str] = &[
    "auth/password.rs",
    "institutions/identifiers.rs",
    "institutions/model/mod.rs",
    "institutions/model/people.rs",
    "programmes/model/mod.rs",
    "programmes/model/programme.rs",
    "applications/model/mod.rs",
];

#[test]
fn every_message_in_the_sources_has_a_chinese_and_a_malay_entry() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).expect("readable source");
        let name = file.strip_prefix(&src).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        if name.starts_with("web/i18n/") {
            continue;
        }
        let mut calls: Vec<(&str, usize)> = CONSTRUCTORS.to_vec();
        if VALIDATOR_FILES.contains(&name.as_str()) {
            calls.push(("Err(", 0));
        }
        for (message, line) in messages_in(&text, &calls) {
            found.entry(message).or_insert_with(|| format!("src/{name}:{line}"));
        }
    }
    assert!(found.len() > 150, "the scan found only {} messages", found.len());
    for (lang, table) in catalogues() {
        let known: Vec<String> = table.keys().map(|k| normalise(k)).collect();
        let missing: Vec<String> =
            found.iter().filter(|(m, _)| !known.contains(&normalise(m))).map(|(m, at)| format!("  {at}: {m:?}")).collect();
        assert!(missing.is_empty(), "messages without an entry in locales/messages.{lang}.json:\n{}", missing.join("\n"));
    }
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Every placeholder becomes `{}`, so `{id}` in the sources matches `{institution}` here.
fn normalise(template: &str) -> String {
    parse(template).into_iter().map(|s| if let Seg::Lit(l) = s { l } else { "{}".into() }).collect()
}

/// The message templates passed to the given calls: (template, line).
fn messages_in(text: &str, calls: &[(&str, usize)]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (call, position) in calls {
        for (at, _) in text.match_indices(call) {
            let before = text[..at].chars().next_back().unwrap_or(' ');
            if before.is_alphanumeric() || before == '_' || text[..at].ends_with("fn ") {
                continue;
            }
            let args = arguments(&text[at + call.len()..]);
            if let Some(msg) = args.get(*position).and_then(|a| message_of(a)) {
                out.push((msg, text[..at].matches('\n').count() + 1));
            }
        }
    }
    out
}

/// The top-level arguments of a call, given the text after its `(`.
fn arguments(text: &str) -> Vec<&str> {
    let (mut args, mut depth, mut start) = (Vec::new(), 0usize, 0usize);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                // Skip the string literal, escapes included.
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' if text[i..].len() >= 3 && (text[i + 2..].starts_with('\'') || text[i + 1..].starts_with('\\')) => {
                // A char literal such as ',' or '\n'.
                let close = text[i + 2..].find('\'').map(|j| i + 2 + j).unwrap_or(i);
                while chars.peek().is_some_and(|(j, _)| *j <= close) {
                    chars.next();
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                args.push(text[start..i].trim());
                return args;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    args
}

/// The message of an argument that is a string literal or a `format!` with a literal.
fn message_of(arg: &str) -> Option<String> {
    let arg = [".into()", ".to_string()", ".to_owned()"].iter().fold(arg.trim(), |a, s| a.strip_suffix(s).unwrap_or(a).trim());
    if let Some(inner) = arg.strip_prefix("format!(").and_then(|a| a.strip_suffix(')')) {
        let first = arguments(&format!("{inner})")).first().map(|s| s.to_string())?;
        return literal(&first).map(|t| placeholders(&t));
    }
    literal(arg)
}

fn literal(arg: &str) -> Option<String> {
    let body = arg.strip_prefix('"')?.strip_suffix('"')?;
    Some(body.replace("\\\"", "\"").replace("\\\\", "\\"))
}

/// `{x}`, `{}`, `{0}` and `{x:?}` become placeholders; `{{` and `}}` are literal braces.
fn placeholders(template: &str) -> String {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let name = name.split(':').next().unwrap_or("");
                out.push_str(&format!("{{{}}}", if name.is_empty() { "_" } else { name }));
            }
            _ => out.push(c),
        }
    }
    out
}

#[test]
fn the_scanner_reads_literals_and_format_templates() {
    let src = r#"
        errors.push(FieldError::new(format!("x[{i}]"), format!("'{v}' is not {}, see {{docs}}", list.join(", "))));
        return Err(AppError::field("name", "must not be empty"));
        AppError::field(
            "kind",
            "use a or b".to_string(),
        )
        need(ok, "f", "say, what ('x')");
    "#;
    let calls = [("AppError::field(", 1), ("FieldError::new(", 1), ("need(", 2)];
    let found: Vec<String> = messages_in(src, &calls).into_iter().map(|(m, _)| m).collect();
    assert_eq!(found, ["must not be empty", "use a or b", "'{v}' is not {_}, see {docs}", "say, what ('x')"]);
}
