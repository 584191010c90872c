//! Unit tests of the proofreading aid.

#![allow(clippy::unwrap_used)]

use super::rules::edit_distance;
use super::*;
use std::sync::OnceLock;

const FIXTURE: &str = include_str!("../../../../shared/fixtures/iukl-visit-2024-05-08.en.txt");

const NAMES: [&str; 8] = ["Chen Zhihui", "Ma Shaojian", "Qin Yongling", "Qin Lijuan", "Peng Gaoliang", "Xiao Jia", "Tang Mei", "Lin Na"];
const WORDS: [&str; 5] = ["IUKL", "Shixun", "Kuala", "Lumpur", "CPC"];

/// One dictionary for all tests (parsing it takes a moment): the one shipped in the
/// binary, so these tests need nothing installed.
fn ctx() -> &'static Context {
    static CTX: OnceLock<Context> = OnceLock::new();
    CTX.get_or_init(|| {
        let ctx = Context::load_default().with_words(WORDS).with_names(NAMES);
        assert_eq!(ctx.spelling_skipped(), None, "the shipped dictionary parses");
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

#[test]
fn the_shipped_dictionary_knows_american_and_british_spellings() {
    for word in ["color", "colour", "organization", "organisation", "program", "programme", "center", "centre"] {
        assert_eq!(brief(&check(word, ctx())), vec![], "{word} is English");
    }
    assert_eq!(brief(&check("symposuim", ctx()))[0].1, "symposuim");
}

#[test]
fn a_credit_name_run_into_a_date_is_glued() {
    let findings = check("Photo: Tang Mei2024-06-01", &no_dictionary());
    let found = brief(&findings);
    assert!(found.iter().any(|f| f.0 == Kind::Glued && f.1.starts_with("Mei2024")), "{found:?}");
    assert_eq!(brief(&check("Room7 and COVID19 and Na2", &no_dictionary())), vec![], "not a name and a year");
}
