//! Text for XML documents (the SVG charts, the Atom feed, the sitemap).

/// Escapes text for XML content and attributes (SVG, the Atom feed, the sitemap);
/// control characters XML 1.0 forbids become spaces.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_and_forbidden_controls_are_escaped() {
        assert_eq!(super::escape("a<b & 'c'\u{1}"), "a&lt;b &amp; &apos;c&apos; ");
    }
}
