//! The aid's rules: spelling, a/an, words glued to numbers, doubled words and near
//! misses of the directory's names (see the module header of `proofread`).

use std::ops::Range;

use super::{Context, Finding, Kind, Token};

fn uppercase_count(word: &str) -> usize {
    word.chars().filter(|c| c.is_uppercase()).count()
}

/// Acronyms: all capitals ("IUKL", "UN") or two or more capitals ("MoU").
fn is_acronym(word: &str) -> bool {
    word.chars().count() >= 2 && uppercase_count(word) >= 2
}

// --- spelling -------------------------------------------------------------------------

pub(super) fn spelling(t: &Token, ctx: &Context) -> Option<Finding> {
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

pub(super) fn article(text: &str, first: &Token, next: &Token) -> Option<Finding> {
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

/// A capitalised word of two or more letters, the rest lower case ("Mei", "Na"): part
/// of a person's name.
fn name_like(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(char::is_uppercase) && s.chars().count() >= 2 && chars.all(char::is_lowercase)
}

pub(super) fn glued(t: &Token) -> Option<Finding> {
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
            // "click15110", and a credit's name run into a date ("Tang Mei2024-06-01") —
            // but not "mp3", "COVID19", "Room7".
            (wordlike(a) && b.len() >= 2) || (name_like(a) && is_year(b))
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

pub(super) fn doubled(text: &str, first: &Token, next: &Token) -> Option<Finding> {
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
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
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

pub(super) fn names(text: &str, words: &[&Token], ctx: &Context, out: &mut Vec<Finding>) {
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
