//! The proofreading aid: finds likely defects in an article's English text and says
//! what to do about each one. It only reports; nothing is changed.
//!
//! Rules, each giving one [`Kind`] of [`Finding`]:
//! - **spelling**: words not in a Hunspell-format dictionary (read at run time with the
//!   `spellbook` crate, by default Debian's `hunspell-en-us` at [`DEFAULT_DICTIONARY`]),
//!   nor among the [`Context`]'s extra words (people, institutions, buildings). Words
//!   with digits, acronyms (two or more capitals: `IUKL`, `MoU`), URLs and e-mail
//!   addresses are not checked. Without a dictionary the rule is skipped and
//!   [`Context::spelling_skipped`] says why.
//! - **article**: "a"/"an" against the sound of the next word ("an symposium").
//! - **glued**: a word run into a number with no space ("2024click"), the sign of two
//!   template fields printed together.
//! - **doubled_word**: the same word twice in a row ("the the").
//! - **name**: a capitalised name of two or more words that differs from a name in the
//!   directory in one word, by one or two letters ("Chen Zhihiu" for "Chen Zhihui").

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// Where Debian's `hunspell-en-us` puts the US English dictionary (`.aff` and `.dic` are appended).
pub const DEFAULT_DICTIONARY: &str = "/usr/share/hunspell/en_US";

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A word the dictionary does not know.
    Spelling,
    /// "a" where "an" is wanted, or the reverse.
    Article,
    /// A name close to, but not the same as, a name in the directory.
    Name,
    /// The same word twice in a row.
    DoubledWord,
    /// A word and a number run together with no space.
    Glued,
}

/// One likely defect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind of defect.
    pub kind: Kind,
    /// Byte range in the checked text.
    pub range: Range<usize>,
    /// The text at `range`.
    pub found: String,
    /// What to write instead, when there is a likely replacement for `found`.
    pub suggestion: Option<String>,
    /// What is wrong and what to do, for the proofreader.
    pub message: String,
}

/// What the checker knows: the dictionary (if it could be read), extra words and the
/// directory's names.
pub struct Context {
    dictionary: Option<std::sync::Arc<spellbook::Dictionary>>,
    spelling_skipped: Option<String>,
    extra_words: HashSet<String>,
    names: Vec<String>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("dictionary", &self.dictionary.is_some())
            .field("spelling_skipped", &self.spelling_skipped)
            .field("extra_words", &self.extra_words.len())
            .field("names", &self.names)
            .finish()
    }
}

impl Context {
    /// Reads the dictionary at `base` + `.aff` / `.dic` (e.g. [`DEFAULT_DICTIONARY`]).
    /// A missing or unreadable dictionary is not an error: spelling is then skipped and
    /// [`Context::spelling_skipped`] says why.
    pub fn load(base: impl AsRef<Path>) -> Self {
        let base = base.as_ref();
        match read_dictionary(base) {
            Ok(dictionary) => {
                Context { dictionary: Some(std::sync::Arc::new(dictionary)), spelling_skipped: None, ..Context::without_dictionary("") }
            }
            Err(why) => Context::without_dictionary(&why),
        }
    }

    /// Reads the dictionary at [`DEFAULT_DICTIONARY`].
    pub fn load_default() -> Self {
        Context::load(DEFAULT_DICTIONARY)
    }

    /// The default dictionary, read once per process and shared (reading it takes a
    /// noticeable fraction of a second), with no extra words or names yet.
    pub fn shared_default() -> Self {
        static SHARED: std::sync::OnceLock<(Option<std::sync::Arc<spellbook::Dictionary>>, Option<String>)> = std::sync::OnceLock::new();
        let (dictionary, skipped) = SHARED.get_or_init(|| {
            let c = Context::load_default();
            (c.dictionary, c.spelling_skipped)
        });
        Context { dictionary: dictionary.clone(), spelling_skipped: skipped.clone(), extra_words: HashSet::new(), names: Vec::new() }
    }

    /// A context with no dictionary: every rule but spelling runs.
    pub fn without_dictionary(why: &str) -> Self {
        let why = if why.is_empty() { "no dictionary was given".to_owned() } else { why.to_owned() };
        Context { dictionary: None, spelling_skipped: Some(why), extra_words: HashSet::new(), names: Vec::new() }
    }

    /// Adds words that are correct although the dictionary may not know them (names of
    /// people, institutions and places, the office's terms).
    pub fn with_words<I, S>(mut self, words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for word in words {
            let word = word.as_ref().trim();
            if !word.is_empty() {
                self.extra_words.insert(word.to_owned());
                self.extra_words.insert(word.to_lowercase());
            }
        }
        self
    }

    /// Adds the directory's names ("Chen Zhihui"): their words are known to the spelling
    /// rule, and near misses of them are reported by the name rule.
    pub fn with_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for name in names {
            let name = name.as_ref().split_whitespace().collect::<Vec<_>>().join(" ");
            if name.is_empty() {
                continue;
            }
            self = self.with_words(name.split(' ').map(str::to_owned).collect::<Vec<_>>());
            if !self.names.contains(&name) {
                self.names.push(name);
            }
        }
        self
    }

    /// Why spelling is not checked (no dictionary), or `None` when it is.
    pub fn spelling_skipped(&self) -> Option<&str> {
        self.spelling_skipped.as_deref()
    }

    fn knows(&self, word: &str) -> bool {
        self.extra_words.contains(word) || self.extra_words.contains(&word.to_lowercase())
    }
}

fn read_dictionary(base: &Path) -> Result<spellbook::Dictionary, String> {
    let with_ext = |ext: &str| {
        let mut p = base.as_os_str().to_owned();
        p.push(ext);
        PathBuf::from(p)
    };
    let (aff_path, dic_path) = (with_ext(".aff"), with_ext(".dic"));
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let aff = read(&aff_path)?;
    let dic = read(&dic_path)?;
    spellbook::Dictionary::new(&aff, &dic).map_err(|e| format!("cannot parse {}: {e}", base.display()))
}

/// Checks `text` and returns the findings in text order.
pub fn check(text: &str, ctx: &Context) -> Vec<Finding> {
    let tokens = tokenize(text);
    let skipped = url_ranges(text);
    let in_url = |t: &Token| skipped.iter().any(|r| r.contains(&t.range.start));
    let words: Vec<&Token> = tokens.iter().filter(|t| !in_url(t)).collect();

    let mut findings = Vec::new();
    names(text, &words, ctx, &mut findings);
    let name_ranges: Vec<Range<usize>> = findings.iter().map(|f| f.range.clone()).collect();
    for t in &words {
        if name_ranges.iter().any(|r| r.contains(&t.range.start)) {
            continue;
        }
        if let Some(f) = spelling(t, ctx) {
            findings.push(f);
        }
        if let Some(f) = glued(t) {
            findings.push(f);
        }
    }
    for pair in words.windows(2) {
        let (first, next) = (pair[0], pair[1]);
        let between = &text[first.range.end..next.range.start];
        if between.is_empty() || !between.chars().all(char::is_whitespace) {
            continue;
        }
        if let Some(f) = article(text, first, next) {
            findings.push(f);
        }
        if let Some(f) = doubled(text, first, next) {
            findings.push(f);
        }
    }
    findings.sort_by_key(|f| (f.range.start, f.range.end));
    findings
}

/// A run of letters and digits, with apostrophes inside it ("master's"); hyphens and
/// everything else separate tokens.
#[derive(Debug)]
struct Token<'a> {
    range: Range<usize>,
    text: &'a str,
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_alnum = chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
        let part_of_word = c.is_alphanumeric() || (is_apostrophe(c) && start.is_some() && next_alnum);
        match (part_of_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Token { range: s..i, text: &text[s..i] });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Token { range: s..text.len(), text: &text[s..] });
    }
    out
}

/// Byte ranges of whitespace-separated chunks that are URLs or e-mail addresses.
fn url_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for chunk in text.split_inclusive(char::is_whitespace) {
        let trimmed = chunk.trim_end();
        let lower = trimmed.to_ascii_lowercase();
        let looks_like_url = lower.contains("://") || lower.trim_start_matches(['(', '<', '"']).starts_with("www.");
        let looks_like_mail = trimmed.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
        if looks_like_url || looks_like_mail {
            out.push(offset..offset + trimmed.len());
        }
        offset += chunk.len();
    }
    out
}

fn uppercase_count(word: &str) -> usize {
    word.chars().filter(|c| c.is_uppercase()).count()
}

/// Acronyms: all capitals ("IUKL", "UN") or two or more capitals ("MoU").
fn is_acronym(word: &str) -> bool {
    word.chars().count() >= 2 && uppercase_count(word) >= 2
}

// --- spelling -------------------------------------------------------------------------

fn spelling(t: &Token, ctx: &Context) -> Option<Finding> {
    let dictionary = ctx.dictionary.as_ref()?;
    let word = t.text;
    if word.chars().any(|c| c.is_numeric()) || is_acronym(word) || ctx.knows(word) {
        return None;
    }
    let normalized = word.replace('\u{2019}', "'");
    if dictionary.check(&normalized) || ctx.knows(&normalized) {
        return None;
    }
    let mut suggestions = Vec::new();
    dictionary.suggest(&normalized, &mut suggestions);
    // Prefer a one-word suggestion ("Translator" over "Transl or", "Transl-or"), else the dictionary's first.
    let splits = |s: &String| s.contains(' ') || (s.contains('-') && !word.contains('-'));
    let suggestion = match suggestions.iter().position(|s| !splits(s)) {
        Some(i) => Some(suggestions.swap_remove(i)),
        None => suggestions.into_iter().next(),
    };
    let message = match &suggestion {
        Some(s) => {
            format!("\"{word}\" is not in the dictionary: did you mean \"{s}\"? If it is a name or a term, add it to the word list.")
        }
        None => format!("\"{word}\" is not in the dictionary. If it is a name or a term, add it to the word list."),
    };
    Some(Finding { kind: Kind::Spelling, range: t.range.clone(), found: word.to_owned(), suggestion, message })
}

// --- a / an ---------------------------------------------------------------------------

/// Whether `word` is said starting with a vowel sound, so takes "an"; `None` when the
/// rules cannot tell.
fn starts_with_vowel_sound(word: &str) -> Option<bool> {
    let first = word.chars().next()?;
    if first.is_ascii_digit() {
        let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
        // eight, eighty…, eleven, eighteen (and 11,000 / 18,000 are written with a comma).
        return Some(digits.starts_with('8') || digits == "11" || digits == "18");
    }
    if !first.is_alphabetic() {
        return None;
    }
    // A single letter or an acronym is read letter by letter: "an MoU", "a UN agency".
    const SAID_AS_WORDS: [&str; 6] = ["NATO", "NASA", "FIFA", "SARS", "MOOC", "UNESCO"];
    if word.chars().count() == 1 || (is_acronym(word) && !SAID_AS_WORDS.contains(&word)) {
        return Some("AEFHILMNORSX".contains(first.to_ascii_uppercase()));
    }
    let w = word.to_lowercase();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| w.starts_with(p));
    if starts(&["hour", "honest", "honour", "honor", "heir"]) {
        return Some(true);
    }
    if w == "one" || w == "once" || starts(&["eu", "ewe"]) {
        return Some(false);
    }
    if let Some(rest) = w.strip_prefix("un") {
        // "uni-" and "unanim-" are said "yoo"; other "un-" words are the negative prefix.
        let yoo = (rest.starts_with('i') && !starts(&["unin", "unim"])) || rest.starts_with("anim") || rest.starts_with("ary");
        return Some(!yoo);
    }
    let letters: Vec<char> = w.chars().collect();
    let is_vowel = |c: char| "aeiou".contains(c);
    if letters[0] == 'u' {
        // u + consonant + vowel: "usual", "use", "utility", "uranium" ("a"); "umbrella", "utter" ("an").
        let yoo = letters.len() >= 3 && !is_vowel(letters[1]) && letters[1] != 'h' && is_vowel(letters[2]);
        let yoo = yoo || (letters.len() == 2 && letters[1] == 's') || w == "ufo";
        return Some(!yoo);
    }
    Some(is_vowel(letters[0]))
}

fn at_sentence_start(text: &str, at: usize) -> bool {
    let before = &text[..at];
    let trimmed = before.trim_end();
    trimmed.is_empty()
        || before[trimmed.len()..].contains('\n')
        || trimmed.ends_with(['.', '!', '?', ':', ';', '"', '\u{201c}', '(', '\u{2014}'])
}

fn article(text: &str, first: &Token, next: &Token) -> Option<Finding> {
    let written_an = match first.text {
        "a" | "A" => false,
        "an" | "An" => true,
        _ => return None,
    };
    // A capital "A" inside a sentence is a label ("Appendix A and B"), not the article.
    if first.text == "A" && !at_sentence_start(text, first.range.start) {
        return None;
    }
    let wants_an = starts_with_vowel_sound(next.text)?;
    if wants_an == written_an {
        return None;
    }
    let capital = first.text.starts_with('A');
    let right = match (wants_an, capital) {
        (true, true) => "An",
        (true, false) => "an",
        (false, true) => "A",
        (false, false) => "a",
    };
    let range = first.range.start..next.range.end;
    let found = &text[range.clone()];
    let space = &text[first.range.end..next.range.start];
    let sound = if wants_an { "a vowel" } else { "a consonant" };
    Some(Finding {
        kind: Kind::Article,
        range: range.clone(),
        found: found.to_owned(),
        suggestion: Some(format!("{right}{space}{}", next.text)),
        message: format!(
            "\"{}\" before \"{}\": \"{}\" starts with {sound} sound, so write \"{right} {}\".",
            first.text, next.text, next.text, next.text
        ),
    })
}

// --- glued fields ---------------------------------------------------------------------

/// A letter run that reads as a word: four or more letters, a vowel, not all capitals.
fn wordlike(run: &str) -> bool {
    run.chars().count() >= 4 && run.chars().any(|c| "aeiouyAEIOUY".contains(c)) && uppercase_count(run) <= 1
}

fn is_year(run: &str) -> bool {
    run.len() == 4 && (run.starts_with("19") || run.starts_with("20"))
}

fn glued(t: &Token) -> Option<Finding> {
    let word = t.text;
    if !word.chars().any(|c| c.is_ascii_digit()) || !word.chars().any(char::is_alphabetic) {
        return None;
    }
    // Split into runs of digits and of non-digits, and look at each boundary.
    let mut runs: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices().skip(1) {
        let prev = word[..i].chars().next_back().is_some_and(|p| p.is_ascii_digit());
        if prev != c.is_ascii_digit() {
            runs.push((start, &word[start..i]));
            start = i;
        }
    }
    runs.push((start, &word[start..]));
    for pair in runs.windows(2) {
        let ((a_at, a), (b_at, b)) = (pair[0], pair[1]);
        let a_digits = a.starts_with(|c: char| c.is_ascii_digit());
        let glued = if a_digits {
            // "2024click", "1507conference" — but not "1990s", "2nd", "10km".
            (is_year(a) && b.chars().count() >= 2) || wordlike(b)
        } else {
            // "click15110" — but not "mp3", "COVID19", "Room7".
            wordlike(a) && b.len() >= 2
        };
        if glued {
            let (number, label) = if a_digits { (a, b) } else { (b, a) };
            let what = if is_year(number) { "a date" } else { "a number" };
            return Some(Finding {
                kind: Kind::Glued,
                range: t.range.clone(),
                found: word.to_owned(),
                suggestion: Some(format!("{}{} {}", &word[..a_at], a, &word[b_at..])),
                message: format!(
                    "\"{word}\": {what} (\"{number}\") and the word \"{label}\" run together with no space. It looks like two \
                     fields printed together (for example a date and a page's view counter, a template defect): separate them, \
                     or remove the one that does not belong in the text."
                ),
            });
        }
    }
    None
}

// --- doubled words --------------------------------------------------------------------

fn doubled(text: &str, first: &Token, next: &Token) -> Option<Finding> {
    if !first.text.chars().all(char::is_alphabetic) || !first.text.eq_ignore_ascii_case(next.text) {
        return None;
    }
    let range = first.range.start..next.range.end;
    Some(Finding {
        kind: Kind::DoubledWord,
        range: range.clone(),
        found: text[range].to_owned(),
        suggestion: Some(first.text.to_owned()),
        message: format!("\"{}\" is written twice in a row: delete one.", first.text),
    })
}

// --- names ----------------------------------------------------------------------------

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase) && word.chars().skip(1).all(|c| c.is_lowercase())
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// two neighbouring characters ("Zhihiu" for "Zhihui") each count one.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

fn names(text: &str, words: &[&Token], ctx: &Context, out: &mut Vec<Finding>) {
    let mut taken_until = 0;
    for (i, _) in words.iter().enumerate() {
        if words[i].range.start < taken_until {
            continue;
        }
        let mut best: Option<(usize, &String, Range<usize>)> = None;
        for name in &ctx.names {
            let n = name.split(' ').count();
            let Some(window) = words.get(i..i + n) else { continue };
            let joined_by_spaces = window.windows(2).all(|p| {
                let between = &text[p[0].range.end..p[1].range.start];
                between == " " || between == "\u{a0}"
            });
            if !joined_by_spaces || !window.iter().all(|t| is_capitalised(t.text)) {
                continue;
            }
            let range = window[0].range.start..window[n - 1].range.end;
            let found = window.iter().map(|t| t.text).collect::<Vec<_>>().join(" ");
            if ctx.names.contains(&found) {
                continue;
            }
            // Exactly one word differs, by one letter (words of up to three letters) or two.
            let differing: Vec<(&str, &str)> = window.iter().map(|t| t.text).zip(name.split(' ')).filter(|(a, b)| a != b).collect();
            let [(written, known)] = differing[..] else { continue };
            let distance = edit_distance(written, known);
            let allowed = if known.chars().count() <= 3 { 1 } else { 2 };
            if distance <= allowed && best.as_ref().is_none_or(|(d, _, _)| distance < *d) {
                best = Some((distance, name, range));
            }
        }
        if let Some((_, name, range)) = best {
            let found = text[range.clone()].to_owned();
            taken_until = range.end;
            out.push(Finding {
                kind: Kind::Name,
                range,
                message: format!(
                    "\"{found}\" is close to \"{name}\" in the directory: check the spelling of the name (if it is another \
                     person, add them to the directory)."
                ),
                found,
                suggestion: Some(name.clone()),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::sync::OnceLock;

    const FIXTURE: &str = include_str!("../../../shared/fixtures/iukl-visit-2024-05-08.en.txt");

    const NAMES: [&str; 8] =
        ["Chen Zhihui", "Ma Shaojian", "Qin Yongling", "Qin Lijuan", "Peng Gaoliang", "Xiao Jia", "Tang Mei", "Lin Na"];
    const WORDS: [&str; 5] = ["IUKL", "Shixun", "Kuala", "Lumpur", "CPC"];

    /// One dictionary for all tests (parsing en_US takes a moment). CI installs it
    /// (scripts/test-deps.sh), so a missing dictionary fails these tests.
    fn ctx() -> &'static Context {
        static CTX: OnceLock<Context> = OnceLock::new();
        CTX.get_or_init(|| {
            let ctx = Context::load_default().with_words(WORDS).with_names(NAMES);
            assert_eq!(ctx.spelling_skipped(), None, "install hunspell-en-us (scripts/test-deps.sh)");
            ctx
        })
    }

    fn no_dictionary() -> Context {
        Context::without_dictionary("test").with_names(NAMES)
    }

    fn brief(findings: &[Finding]) -> Vec<(Kind, &str, Option<&str>)> {
        findings.iter().map(|f| (f.kind, f.found.as_str(), f.suggestion.as_deref())).collect()
    }

    #[test]
    fn fixture_gives_exactly_the_four_seed_defects() {
        let findings = check(FIXTURE, ctx());
        assert_eq!(
            brief(&findings),
            vec![
                (Kind::Glued, "2024click", Some("2024 click")),
                (Kind::Article, "an symposium", Some("a symposium")),
                (Kind::Spelling, "Syudies", Some("Studies")),
                (Kind::Spelling, "Translor", Some("Translator")),
            ]
        );
        for f in &findings {
            assert_eq!(&FIXTURE[f.range.clone()], f.found);
            assert!(!f.message.is_empty());
        }
        assert!(findings[0].message.contains("two fields"), "{}", findings[0].message);
    }

    #[test]
    fn missing_dictionary_skips_spelling_without_panicking() {
        let ctx = Context::load("/nonexistent/xx_XX");
        assert!(ctx.spelling_skipped().unwrap().contains("/nonexistent/xx_XX.aff"));
        let findings = check(FIXTURE, &ctx);
        assert!(findings.iter().all(|f| f.kind != Kind::Spelling));
        assert_eq!(findings.len(), 2, "{findings:?}");
    }

    #[test]
    fn spelling_skips_digits_acronyms_urls_and_extra_words() {
        let text = "Visit https://www.iukl.edu.my/abuot or mail office@iukl.edu.my; the MoU and XYZQ in 2024 at Room 1507b.";
        assert_eq!(brief(&check(text, ctx())), vec![]);
        assert_eq!(brief(&check("Zhihui met Qwertyx.", ctx()))[0].1, "Qwertyx");
        let with_word = Context::load_default().with_words(["Qwertyx"]);
        assert_eq!(check("Zhihui met Qwertyx.", &with_word).len(), 1, "Zhihui is only known through the names");
        assert_eq!(check("Qwertyx", &with_word), vec![]);
    }

    #[test]
    fn spelling_accepts_possessives_and_curly_apostrophes() {
        assert_eq!(brief(&check("the master's and the master\u{2019}s programs; the schools' profiles", ctx())), vec![]);
    }

    fn article_of(phrase: &str) -> Vec<(Kind, String, Option<String>)> {
        check(phrase, &no_dictionary()).into_iter().map(|f| (f.kind, f.found, f.suggestion)).collect()
    }

    #[test]
    fn article_rules() {
        for ok in [
            "an hour",
            "a university",
            "an MoU",
            "a European",
            "an apple",
            "a one-year",
            "an honest",
            "a UN agency",
            "an IUKL delegation",
            "a usual day",
            "an umbrella",
            "an unusual visit",
            "an 8-member team",
            "a 4-member team",
            "a symposium",
            "Appendix A and B",
        ] {
            assert_eq!(article_of(ok), vec![], "{ok}");
        }
        for (bad, fix) in [
            ("an symposium", "a symposium"),
            ("a hour", "an hour"),
            ("an university", "a university"),
            ("a MoU", "an MoU"),
            ("an European", "a European"),
            ("a apple", "an apple"),
            ("an one-year", "a one"),
            ("a honest", "an honest"),
            ("An delegation", "A delegation"),
            ("see. A apple", "An apple"),
        ] {
            let got = article_of(bad);
            assert_eq!(got.len(), 1, "{bad}: {got:?}");
            assert_eq!((got[0].0, got[0].2.as_deref()), (Kind::Article, Some(fix)), "{bad}");
        }
    }

    #[test]
    fn glued_word_and_number() {
        let f = check("May 24, 2024click: 15110", &no_dictionary());
        assert_eq!(brief(&f), vec![(Kind::Glued, "2024click", Some("2024 click"))]);
        assert_eq!(f[0].range, 8..17);
        assert_eq!(brief(&check("views15110", &no_dictionary())), vec![(Kind::Glued, "views15110", Some("views 15110"))]);
        for ok in ["the 1990s", "the 2nd visit", "10km away", "mp3 files", "COVID19", "Room 1507", "May 8, 2024.", "H2O"] {
            assert_eq!(check(ok, &no_dictionary()), vec![], "{ok}");
        }
    }

    #[test]
    fn doubled_words() {
        let f = check("They met the the delegation. The\nthe end; it is, is it?", &no_dictionary());
        assert_eq!(brief(&f), vec![(Kind::DoubledWord, "the the", Some("the")), (Kind::DoubledWord, "The\nthe", Some("The"))]);
    }

    #[test]
    fn near_misses_of_directory_names() {
        let f = check("Chen Zhihiu met Ma Shaojian and Chen Zhihui; Lin Na and Lin Ne; Xiao Jai.", ctx());
        assert_eq!(
            brief(&f),
            vec![
                (Kind::Name, "Chen Zhihiu", Some("Chen Zhihui")),
                (Kind::Name, "Lin Ne", Some("Lin Na")),
                (Kind::Name, "Xiao Jai", Some("Xiao Jia")),
            ]
        );
        assert!(f[0].message.contains("Chen Zhihui"));
        // Far from every name, or not a capitalised pair: left to the spelling rule.
        assert_eq!(check("Wang Lei and Tang mei, Lin Li, Tang Meiling", &no_dictionary()), vec![]);
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("Zhihui", "Zhihiu"), 1);
        assert_eq!(edit_distance("Jia", "Jai"), 1);
        assert_eq!(edit_distance("Wang", "Tang"), 1);
        assert_eq!(edit_distance("Na", "Li"), 2);
        assert_eq!(edit_distance("Na", "Ne"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("秦丽娟", "秦丽"), 1);
    }
}
