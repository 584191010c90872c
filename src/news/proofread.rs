//! The proofreading aid: finds likely defects in an article's English text and says
//! what to do about each one. It only reports; nothing is changed.
//!
//! Rules, each giving one [`Kind`] of [`Finding`]:
//! - **spelling**: words not in a Hunspell-format dictionary (read with the `spellbook`
//!   crate; by default the English dictionary shipped in the binary,
//!   `data/dictionary/en.{aff,dic}`: SCOWL's American and British word lists merged, so
//!   "color" and "colour" both pass; see `data/LICENSES.md`),
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
//!
//! Here: the findings, the context (dictionary, known words and names), the tokenizer
//! and [`check`]; the rules are in `rules`, the tests in `tests`.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use rules::{article, doubled, glued, names, spelling};

mod rules;
#[cfg(test)]
mod tests;

/// The English dictionary shipped in the binary (American and British spellings).
const SHIPPED_AFF: &str = include_str!("../../data/dictionary/en.aff");
const SHIPPED_DIC: &str = include_str!("../../data/dictionary/en.dic");

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
    /// Large word lists shared between requests (the directory's names), lower case.
    shared_words: Vec<std::sync::Arc<HashSet<String>>>,
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
    /// Reads the dictionary at `base` + `.aff` / `.dic` (e.g. `/usr/share/hunspell/en_US`).
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

    /// The English dictionary shipped in the binary: nothing to install.
    pub fn load_default() -> Self {
        match spellbook::Dictionary::new(SHIPPED_AFF, SHIPPED_DIC) {
            Ok(dictionary) => {
                Context { dictionary: Some(std::sync::Arc::new(dictionary)), spelling_skipped: None, ..Context::without_dictionary("") }
            }
            Err(e) => Context::without_dictionary(&format!("the shipped dictionary does not parse: {e}")),
        }
    }

    /// The default dictionary, read once per process and shared (reading it takes a
    /// noticeable fraction of a second), with no extra words or names yet.
    pub fn shared_default() -> Self {
        static SHARED: std::sync::OnceLock<(Option<std::sync::Arc<spellbook::Dictionary>>, Option<String>)> = std::sync::OnceLock::new();
        let (dictionary, skipped) = SHARED.get_or_init(|| {
            let c = Context::load_default();
            (c.dictionary, c.spelling_skipped)
        });
        Context {
            dictionary: dictionary.clone(),
            spelling_skipped: skipped.clone(),
            extra_words: HashSet::new(),
            shared_words: Vec::new(),
            names: Vec::new(),
        }
    }

    /// A context with no dictionary: every rule but spelling runs.
    pub fn without_dictionary(why: &str) -> Self {
        let why = if why.is_empty() { "no dictionary was given".to_owned() } else { why.to_owned() };
        Context { dictionary: None, spelling_skipped: Some(why), extra_words: HashSet::new(), shared_words: Vec::new(), names: Vec::new() }
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

    /// Adds a shared list of correct words, lower case (kept by reference, not copied).
    pub fn with_shared_words(mut self, words: std::sync::Arc<HashSet<String>>) -> Self {
        self.shared_words.push(words);
        self
    }

    fn knows(&self, word: &str) -> bool {
        let lower = word.to_lowercase();
        self.extra_words.contains(word) || self.extra_words.contains(&lower) || self.shared_words.iter().any(|w| w.contains(&lower))
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
