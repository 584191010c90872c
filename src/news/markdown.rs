//! Markdown to safe HTML.
//!
//! Instead of rendering everything and cleaning the HTML afterwards, unsafe input never
//! becomes markup: raw HTML in the Markdown is shown as text (pulldown-cmark escapes it),
//! and links or images whose address is not http, https, mailto or relative are dropped,
//! keeping their text. What remains is the fixed set of elements pulldown-cmark writes,
//! with escaped attributes — no sanitiser (and its HTML parser) is needed.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// True when a link or image address may be followed: relative (`/…`, `#…`, `a/b`), or
/// http, https or mailto. Browsers drop tabs, newlines and leading spaces inside a
/// scheme ("java\tscript:"), so those are removed before the scheme is read.
pub fn safe_url(url: &str) -> bool {
    let cleaned: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let lower = cleaned.to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after a path, query or fragment start is not a scheme.
            if lower[..colon].contains(['/', '?', '#']) {
                return true;
            }
            matches!(&lower[..colon], "http" | "https" | "mailto")
        }
    }
}

/// Renders Markdown to HTML that is safe to insert into a page.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut dropped_links = 0usize;
    let mut in_dropped_image = 0usize;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        Event::Start(Tag::Link { ref dest_url, .. }) if !safe_url(dest_url) => {
            dropped_links += 1;
            None
        }
        Event::End(TagEnd::Link) if dropped_links > 0 => {
            dropped_links -= 1;
            None
        }
        Event::Start(Tag::Image { ref dest_url, .. }) if !safe_url(dest_url) => {
            in_dropped_image += 1;
            None
        }
        Event::End(TagEnd::Image) if in_dropped_image > 0 => {
            in_dropped_image -= 1;
            None
        }
        other => Some(other),
    });
    let mut out = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut out, events);
    out
}

/// The text of Markdown without markup (for summaries, feeds and the proofreading aid).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render("Hello <script>alert(1)</script> and <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let block = render("<div onclick=\"x()\">\n\n<script>alert(1)</script>\n</div>");
        assert!(!block.contains("<div") && !block.contains("<script"), "{block}");
    }

    #[test]
    fn unsafe_links_lose_their_address_and_keep_their_text() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
        ] {
            let html = render(&format!("[click me]({bad}) and ![pic]({bad})"));
            assert!(!html.contains("href"), "{bad}: {html}");
            assert!(!html.contains("<img"), "{bad}: {html}");
            assert!(html.contains("click me"), "{bad}: {html}");
        }
        let autolink = render("<javascript:alert(1)>");
        assert!(!autolink.contains("href"), "{autolink}");
    }

    #[test]
    fn ordinary_markdown_renders() {
        let html = render("# Title\n\nA **bold** [link](https://example.org/a?b=1&c=2) and [local](/news/x).\n\n- one\n- two");
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("href=\"https://example.org/a?b=1&amp;c=2\""), "{html}");
        assert!(html.contains("href=\"/news/x\""));
        assert!(html.contains("<li>two</li>"));
        assert!(render("[mail](mailto:io@example.org)").contains("mailto:"));
        assert!(safe_url("a/b:c") && safe_url("#top") && !safe_url("file:///etc/passwd"));
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(plain_text("# A\n\nB **c** [d](https://x)"), "A\nB c d");
    }
}
