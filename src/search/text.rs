//! Text as the index sees it: folded (lower case, no diacritics, full-width forms made
//! plain), cut into terms the same way on both engines. Latin and digit runs are words;
//! a run of Chinese characters becomes its single characters and its overlapping pairs
//! ("马来西亚" → 马 来 西 亚 马来 来西 西亚), so a two-character word such as 合作 or 大学 is
//! found inside any sentence without a dictionary. A query's Chinese run is looked up by
//! its pairs (all of them), a Latin word as a prefix (as you type).

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// True for Han ideographs and the kana (written without spaces like Chinese).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Lower case, diacritics removed, compatibility forms (full-width digits, ligatures)
/// replaced by their plain letters.
pub fn fold(text: &str) -> String {
    text.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// A name as a sort key: folded, its words joined by single spaces ("Universiti  Malaya,"
/// → "universiti malaya"), so a query's text finds the names starting with it.
pub fn key(text: &str) -> String {
    let mut out = String::new();
    for run in runs(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        match run {
            Run::Word(w) => out.push_str(&w),
            Run::Cjk(chars) => out.extend(chars),
        }
    }
    out
}

/// One piece of folded text: a word of letters and digits, or a run of CJK characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    /// Letters and digits (any script but CJK).
    Word(String),
    /// Chinese (or Japanese) characters written together.
    Cjk(Vec<char>),
}

/// The runs of `text`, folded, in order.
pub fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let flush = |word: &mut String, cjk: &mut Vec<char>, out: &mut Vec<Run>| {
        if !word.is_empty() {
            out.push(Run::Word(std::mem::take(word)));
        }
        if !cjk.is_empty() {
            out.push(Run::Cjk(std::mem::take(cjk)));
        }
    };
    for c in fold(text).chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                flush(&mut word, &mut Vec::new(), &mut out);
            }
            cjk.push(c);
        } else if c.is_alphanumeric() {
            if !cjk.is_empty() {
                flush(&mut String::new(), &mut cjk, &mut out);
            }
            word.push(c);
        } else {
            flush(&mut word, &mut cjk, &mut out);
        }
    }
    flush(&mut word, &mut cjk, &mut out);
    out
}

/// The index terms of a text: its words (and, for a word mixing letters and digits such
/// as `b1507`, its parts), its CJK characters and their pairs; each once, in order.
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    for run in runs(text) {
        match run {
            Run::Word(w) => {
                for part in digit_parts(&w) {
                    push(part.to_string());
                }
                push(w);
            }
            Run::Cjk(chars) => {
                for c in &chars {
                    push(c.to_string());
                }
                for pair in chars.windows(2) {
                    push(pair.iter().collect());
                }
            }
        }
    }
    out
}

/// `b1507` → `b`, `1507`; a word that is all letters or all digits has no parts.
fn digit_parts(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut prev: Option<bool> = None;
    for (i, c) in word.char_indices() {
        let digit = c.is_ascii_digit();
        if prev.is_some_and(|p| p != digit) {
            parts.push(&word[start..i]);
            start = i;
        }
        prev = Some(digit);
    }
    if parts.is_empty() {
        return parts;
    }
    parts.push(&word[start..]);
    parts
}

/// Words a query may leave out: they join names rather than tell them apart.
const STOP_WORDS: &[&str] = &["of", "the", "and", "for", "in", "at", "de", "da", "dan", "di", "und", "la", "le", "du"];

/// One term of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    /// The folded term.
    pub text: String,
    /// True when it matches any term that starts with it (a Latin word as typed).
    pub prefix: bool,
}

/// The terms a query must all match: words as prefixes (stop words left out unless
/// nothing else is left), a single CJK character as itself, a longer CJK run as its
/// pairs. At most 12 terms.
pub fn query_terms(query: &str) -> Vec<QueryTerm> {
    let mut words = Vec::new();
    let mut stops = Vec::new();
    let mut cjk = Vec::new();
    for run in runs(query) {
        match run {
            Run::Word(w) if STOP_WORDS.contains(&w.as_str()) => stops.push(QueryTerm { text: w, prefix: false }),
            // One letter (an initial) as a prefix would match half the index: it is a word.
            Run::Word(w) => words.push(QueryTerm { prefix: w.chars().count() > 1, text: w }),
            Run::Cjk(chars) if chars.len() == 1 => cjk.push(QueryTerm { text: chars[0].to_string(), prefix: false }),
            Run::Cjk(chars) => cjk.extend(chars.windows(2).map(|p| QueryTerm { text: p.iter().collect(), prefix: false })),
        }
    }
    let mut all = if words.is_empty() && cjk.is_empty() { stops } else { words };
    all.extend(cjk);
    let mut seen = Vec::new();
    all.retain(|t| {
        let new = !seen.contains(&t.text);
        seen.push(t.text.clone());
        new
    });
    all.truncate(12);
    all
}

/// The optimal-string-alignment distance (edits, with a swap of neighbours as one),
/// stopping early once it exceeds `max`.
pub fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    // Three rolling rows: this one, the one before, and the one before that (for swaps).
    let mut rows = vec![vec![0usize; width]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i;
        let mut best = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev][j] + 1).min(rows[cur][j - 1] + 1).min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = d;
            best = best.min(d);
        }
        if best > max {
            return None;
        }
    }
    let d = rows[a.len() % 3][b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_runs_become_characters_and_pairs() {
        assert_eq!(terms("马来西亚"), ["马", "来", "西", "亚", "马来", "来西", "西亚"]);
        let t = terms("双方就学生交流、本硕连读达成合作共识");
        assert!(t.contains(&"合作".to_string()) && t.contains(&"本硕".to_string()));
    }

    #[test]
    fn words_are_folded_and_split_from_digits_and_chinese() {
        assert_eq!(terms("实训楼1508会议室"), ["实", "训", "楼", "实训", "训楼", "1508", "会", "议", "室", "会议", "议室"]);
        assert_eq!(terms("Universität ＫＬ B1507"), ["universitat", "kl", "b", "1507", "b1507"]);
        assert_eq!(fold("Café"), "cafe");
    }

    #[test]
    fn queries_use_prefixes_pairs_and_leave_out_joining_words() {
        let q = query_terms("University of Toronto");
        assert_eq!(q.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(), ["university", "toronto"]);
        assert!(q.iter().all(|t| t.prefix));
        let q = query_terms("马来西亚");
        assert_eq!(q.iter().map(|t| (t.text.as_str(), t.prefix)).collect::<Vec<_>>(), [("马来", false), ("来西", false), ("西亚", false)]);
        assert_eq!(query_terms("楼")[0].text, "楼");
        assert_eq!(query_terms("of").len(), 1);
        assert!(query_terms(" ,.; ").is_empty());
    }

    #[test]
    fn keys_are_folded_words_joined_by_one_space() {
        assert_eq!(key("Universiti  Malaya, Kuala-Lumpur"), "universiti malaya kuala lumpur");
        assert_eq!(key("实训楼 1507"), "实训楼 1507");
    }

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("toronto", "toronto", 2), Some(0));
        assert_eq!(distance("tornoto", "toronto", 2), Some(1));
        assert_eq!(distance("infrastucture", "infrastructure", 2), Some(1));
        assert_eq!(distance("kuala", "lumpur", 2), None);
        assert_eq!(distance("", "ab", 2), Some(2));
    }
}
