//! Text normalisation for matching: words, tokens, acronyms, one-edit typos, hosts.

pub(super) fn key(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

pub(super) const STOP: &[&str] = &[
    "of", "the", "and", "for", "de", "del", "la", "le", "di", "da", "des", "du", "y", "e", "et", "und", "at", "in", "a", "an", "do", "dos",
    "das",
];

pub(super) fn expand(token: &str) -> &str {
    match token {
        "univ" | "uni" | "u" | "universiti" | "universidad" | "universidade" | "universita" | "universite" | "universitat"
        | "uniwersytet" => "university",
        "inst" | "institut" | "instituto" | "istituto" => "institute",
        "tech" | "techn" | "technol" | "teknologi" | "tecnologia" => "technology",
        "coll" | "col" => "college",
        "sci" | "sciences" => "science",
        "natl" | "nat" => "national",
        "intl" | "int" => "international",
        "acad" => "academy",
        "poly" => "polytechnic",
        "med" => "medical",
        "eng" | "engg" | "engr" => "engineering",
        "mgmt" => "management",
        "agri" | "agric" => "agricultural",
        "st" => "saint",
        "ctr" | "cntr" => "center",
        "centre" => "center",
        other => other,
    }
}

pub(super) fn fold_char(c: char) -> char {
    match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è'..='ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ì'..='ï' | 'ī' | 'ı' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ù'..='ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' | 'ş' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        'ğ' => 'g',
        'ř' => 'r',
        'ť' | 'ţ' => 't',
        'ď' => 'd',
        'ß' => 's',
        c => c,
    }
}

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// Lower-cased, accent-folded words, punctuation dropped (apostrophes join: "nat'l").
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = fold_char(c);
        if c.is_alphanumeric() && !is_cjk(c) {
            cur.push(c);
        } else if c == '\'' || c == '’' {
            continue;
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Normalised tokens: words, abbreviations expanded ("kl" → "kuala lumpur"), stop words dropped.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in words(text) {
        if w == "kl" {
            out.push("kuala".to_string());
            out.push("lumpur".to_string());
            continue;
        }
        let w = expand(&w);
        if !STOP.contains(&w) {
            out.push(w.to_string());
        }
    }
    out
}

/// The acronym of a name: initials of its significant words ("Infrastructure University
/// Kuala Lumpur" → "iukl"), or `None` for one-word names.
pub fn acronym_of(name: &str) -> Option<String> {
    let ws: Vec<String> = words(name).into_iter().filter(|w| !STOP.contains(&w.as_str())).collect();
    (ws.len() >= 2).then(|| ws.iter().filter_map(|w| w.chars().next()).collect())
}

/// Acronyms written into a name, like "(IUKL)" or "UTM - Universiti Teknologi Malaysia".
pub(super) fn written_acronyms(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            (2..=10).contains(&w.len())
                && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && w.chars().any(|c| c.is_ascii_uppercase())
        })
        .map(str::to_lowercase)
        .collect()
}

pub(super) fn deletions(token: &str) -> Vec<String> {
    let chars: Vec<char> = token.chars().collect();
    (0..chars.len()).map(|i| chars.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| *c).collect()).collect()
}

pub(super) fn damerau1(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let mut i = 0;
    while i < a.len() && i < b.len() && a[i] == b[i] {
        i += 1;
    }
    if i == a.len() && i == b.len() {
        return true;
    }
    let (ra, rb) = (&a[i..], &b[i..]);
    ra.get(1..) == rb.get(1..)
        || ra == rb.get(1..).unwrap_or(&[])
        || ra.get(1..).unwrap_or(&[]) == rb
        || (ra.len() >= 2 && rb.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
}

/// Cleans a domain or e-mail address down to a host name.
pub fn host_of(query: &str) -> Option<String> {
    let q = query.trim().to_lowercase();
    let q = q.rsplit('@').next().unwrap_or(&q);
    let q = q.strip_prefix("https://").or_else(|| q.strip_prefix("http://")).unwrap_or(q);
    let host = q.split(['/', '?', '#', ':']).next().unwrap_or("").trim_end_matches('.');
    let valid = host.contains('.') && !host.contains(' ') && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    valid.then(|| host.strip_prefix("www.").unwrap_or(host).to_string())
}
