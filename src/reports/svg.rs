//! A hand-written SVG bar chart: one horizontal bar per row with its label and value,
//! presentation attributes only (no `<style>`, no script, so the page's CSP holds when it
//! is inlined), `role="img"` with a `<title>` and `<desc>` for screen readers, and a font
//! list that has CJK faces so Chinese labels render.

use std::fmt::Write;

/// At most this many bars; the description says how many rows were left out.
pub const MAX_BARS: usize = 40;

const WIDTH: usize = 760;
const LABEL_W: usize = 260;
const BAR_MAX: usize = 400;
const ROW_H: usize = 26;
const TOP: usize = 36;
const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

pub use crate::xml::escape;

/// Shortens a label to `max` characters (CJK characters count double, being wider).
fn shorten(s: &str, max: usize) -> String {
    let mut width = 0;
    let mut out = String::new();
    for c in s.chars() {
        width += if (c as u32) >= 0x2E80 { 2 } else { 1 };
        if width > max {
            out.push('…');
            return out;
        }
        out.push(c);
    }
    out
}

/// The chart of `bars` (label, value) titled `title`; `desc` describes it in words and
/// `more` is the note shown when rows were left out.
pub fn bar_chart(title: &str, desc: &str, bars: &[(String, i64)], more: &str) -> String {
    let shown = &bars[..bars.len().min(MAX_BARS)];
    let height = TOP + shown.len().max(1) * ROW_H + if bars.len() > shown.len() { 30 } else { 12 };
    let max = shown.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let mut s = String::with_capacity(256 + shown.len() * 400);
    let (t, d) = (escape(title), escape(desc));
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{t}" aria-describedby="chart-desc" font-family="{FONT}" font-size="13"><title>{t}</title><desc id="chart-desc">{d}</desc>"##
    );
    let _ = write!(s, r##"<text x="0" y="20" font-size="15" font-weight="600" fill="#1f2937">{t}</text>"##);
    for (i, (label, value)) in shown.iter().enumerate() {
        let y = TOP + i * ROW_H;
        let w = (*value as f64 / max as f64 * BAR_MAX as f64).round() as usize;
        let (l, full) = (escape(&shorten(label, 34)), escape(label));
        let _ = write!(
            s,
            r##"<g class="bar"><title>{full}: {value}</title><text x="{lx}" y="{ty}" text-anchor="end" fill="#1f2937">{l}</text><rect x="{LABEL_W}" y="{ry}" width="{w}" height="{bh}" rx="2" fill="#2563eb"/><text x="{vx}" y="{ty}" fill="#1f2937">{value}</text></g>"##,
            lx = LABEL_W - 8,
            ty = y + 17,
            ry = y + 4,
            bh = ROW_H - 8,
            vx = LABEL_W + w + 6,
        );
    }
    if shown.is_empty() {
        let _ = write!(s, r##"<text x="0" y="{}" fill="#6b7280">{}</text>"##, TOP + 17, escape(more));
    } else if bars.len() > shown.len() {
        let _ = write!(s, r##"<text x="0" y="{}" fill="#6b7280">{}</text>"##, height - 10, escape(more));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_per_row_and_text_is_escaped() {
        let svg = bar_chart("A & B", "d", &[("<x>".into(), 3), ("马来西亚".into(), 1)], "");
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("&lt;x&gt;") && svg.contains("A &amp; B") && svg.contains("马来西亚"));
    }

    #[test]
    fn long_charts_are_cut_with_a_note() {
        let bars: Vec<(String, i64)> = (0..100).map(|i| (format!("p{i}"), i)).collect();
        let svg = bar_chart("t", "d", &bars, "first 40");
        assert_eq!(svg.matches("<rect").count(), MAX_BARS);
        assert!(svg.contains("first 40"));
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("马来西亚", 4), "马来…");
    }
}
