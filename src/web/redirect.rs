//! Where a request may send the browser next: only a path on this site.

/// `next` if it is a same-site path, else `/`.
///
/// A same-site path starts with a single `/` (not `//` or `/\`, which browsers read as
/// another host) and holds no control characters, whitespace or backslashes (browsers
/// strip tabs and newlines before resolving, so `/\t/evil.example` would leave the site,
/// and a CR or LF cannot go in a `Location` header at all).
pub fn same_site_path(next: Option<&str>) -> String {
    match next {
        Some(n) if is_same_site_path(n) => n.to_string(),
        _ => "/".into(),
    }
}

fn is_same_site_path(n: &str) -> bool {
    let mut chars = n.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !n.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_site_paths_pass() {
        for ok in ["/", "/partners", "/rooms/3?week=2024-05-06", "/a/b#c", "/%09/x"] {
            assert_eq!(same_site_path(Some(ok)), ok, "{ok}");
        }
        for bad in [
            "",
            "partners",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\r\nX",
            "/ /evil",
            "/a\\b",
            "/\u{0}",
            "/\u{a0}x",
            "https://evil.example",
        ] {
            assert_eq!(same_site_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(same_site_path(None), "/");
    }
}
