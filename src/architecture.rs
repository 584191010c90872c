//! The layering of the crate's modules, checked by a test over the sources: every
//! `crate::…` path a module names (in `use` lines and in code) must point down the list
//! below. See `docs/ARCHITECTURE.md` for why.
//!
//! - **foundation** (no HTTP, no domain): each may use those before it.
//! - **platform** (accounts, audit, mail, HTTP plumbing, feeds): foundation, and the
//!   platform modules before it.
//! - **domain**: foundation, platform, and the *lower* domain modules — but never their
//!   `api` or `pages` (HTTP handlers are nobody's library).
//! - **composition** (assembles the rest): anything.

/// Foundation modules, in order: each may use the ones before it.
pub const FOUNDATION: &[&str] =
    &["error", "time", "secret", "status", "config", "db", "tabular", "cooperation", "reference", "xml", "files", "net"];

/// Platform modules, in order.
pub const PLATFORM: &[&str] = &["audit", "auth", "mail", "web", "feeds"];

/// Domain modules, lowest first: a module may read the ones before it.
pub const DOMAIN: &[&str] = &[
    "sso",
    "account",
    "institutions",
    "rooms",
    "visits",
    "trips",
    "agreements",
    "programmes",
    "applications",
    "expiry",
    "calendar",
    "news",
    "reports",
    "dashboard",
    "search",
];

/// Composition modules: they name everything and nothing names them (but each other).
pub const COMPOSITION: &[&str] = &["app", "openapi", "ops", "jobs", "storage", "seed", "startup", "cli", "architecture"];

/// Submodules of a domain module that other modules may not import.
pub const HTTP_FACES: &[&str] = &["api", "pages"];

/// Why `from` may not name `to` (with `sub`, the submodule named), or None if it may.
pub fn violation(from: &str, to: &str, sub: Option<&str>) -> Option<String> {
    if from == to {
        return None;
    }
    let rank = |list: &[&str], m: &str| list.iter().position(|x| *x == m);
    let layer = |m: &str| {
        [(FOUNDATION, 0), (PLATFORM, 1), (DOMAIN, 2), (COMPOSITION, 3)].iter().find_map(|(list, l)| rank(list, m).map(|r| (*l, r)))
    };
    let (Some((fl, fr)), Some((tl, tr))) = (layer(from), layer(to)) else {
        return Some(format!("`{from}` → `{to}`: a module missing from the layer lists in src/architecture.rs"));
    };
    if fl == 3 && tl < 3 {
        return None;
    }
    if tl > fl || (tl == fl && tr > fr && fl != 3) {
        return Some(format!("`{from}` may not use `{to}`: it sits above it"));
    }
    if fl == 3 && tl == 3 {
        return None;
    }
    if fl == 2 && tl == 2 && sub.is_some_and(|s| HTTP_FACES.contains(&s)) {
        return Some(format!("`{from}` may not use `{to}::{}`: another module's HTTP handlers", sub.unwrap_or_default()));
    }
    None
}

/// Every `crate::a::b…` path in a source text, as (a, b), comments left out; `use
/// crate::{…}` groups are expanded.
pub fn crate_paths(source: &str) -> Vec<(String, Option<String>)> {
    let code: String = source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + 7..];
        if after.starts_with('{') {
            let end = matching_brace(after).unwrap_or(after.len());
            expand(&after[1..end.saturating_sub(1).max(1)], &mut Vec::new(), &mut out);
            rest = &after[end.min(after.len())..];
        } else {
            let path: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            let mut parts = path.split("::").filter(|p| !p.is_empty());
            let is_macro = after[path.len()..].starts_with('!');
            if let Some(first) = parts.next().filter(|_| !is_macro) {
                out.push((first.to_string(), parts.next().map(str::to_string)));
            }
            rest = after;
        }
    }
    out
}

/// The length up to and including the brace closing the one `text` starts with.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Expands a use tree's items (`a::{b, c}, d`) under `prefix` into first two segments.
fn expand(items: &str, prefix: &mut Vec<String>, out: &mut Vec<(String, Option<String>)>) {
    let mut depth = 0;
    let mut start = 0;
    let bytes: Vec<char> = items.chars().collect();
    let mut pieces = Vec::new();
    for (i, c) in bytes.iter().enumerate() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                pieces.push(bytes[start..i].iter().collect::<String>());
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(bytes[start..].iter().collect::<String>());
    for piece in pieces {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        match piece.find("::{") {
            Some(j) => {
                let head: Vec<String> = piece[..j].split("::").map(|s| s.trim().to_string()).collect();
                let inner = &piece[j + 3..piece.len().saturating_sub(1)];
                let depth_before = prefix.len();
                prefix.extend(head);
                expand(inner, prefix, out);
                prefix.truncate(depth_before);
            }
            None => {
                let mut all = prefix.clone();
                all.extend(piece.split(" as ").next().unwrap_or(piece).split("::").map(|s| s.trim().to_string()));
                all.retain(|s| s != "self");
                if let Some(first) = all.first() {
                    out.push((first.clone(), all.get(1).cloned()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }

    #[test]
    fn every_crate_path_points_down_the_layers() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut problems = Vec::new();
        for file in files {
            let rel = file.strip_prefix(&src).map(|p| p.to_string_lossy().to_string()).unwrap_or_default();
            let from = rel.split('/').next().unwrap_or("").trim_end_matches(".rs").to_string();
            if matches!(from.as_str(), "lib" | "main" | "architecture") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (to, sub) in crate_paths(&text) {
                if let Some(why) = violation(&from, &to, sub.as_deref()) {
                    problems.push(format!("src/{rel}: {why}"));
                }
            }
        }
        problems.sort();
        problems.dedup();
        assert!(problems.is_empty(), "layering broken (see docs/ARCHITECTURE.md):\n{}", problems.join("\n"));
    }

    #[test]
    fn the_rules_refuse_what_they_should() {
        assert!(violation("web", "institutions", None).is_some());
        assert!(violation("institutions", "programmes", Some("queries")).is_some());
        assert!(violation("news", "visits", Some("queries")).is_none());
        assert!(violation("news", "visits", Some("pages")).is_some());
        assert!(violation("config", "mail", None).is_some());
        assert!(violation("app", "news", Some("pages")).is_none());
        assert!(violation("institutions", "web", Some("paging")).is_none());
    }

    #[test]
    fn use_groups_are_expanded() {
        let text = "use crate::{\n    auth::{Access, Permission},\n    visits::{pages::X, queries},\n    web::AppState,\n};\n// crate::news in a comment\nlet x = crate::time::today();";
        let got = crate_paths(text);
        assert!(got.contains(&("visits".into(), Some("pages".into()))));
        assert!(got.contains(&("auth".into(), Some("Access".into()))));
        assert!(got.contains(&("time".into(), Some("today".into()))));
        assert!(!got.iter().any(|(m, _)| m == "news"));
    }
}
