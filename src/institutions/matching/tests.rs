//! Unit tests of the matcher.

use super::{text::damerau1, *};

fn index() -> Index {
    let e = |key: u64, names: &[&str], zh: Option<&str>, domain: &str| Entry {
        key,
        names: names.iter().map(|s| s.to_string()).collect(),
        name_zh: zh.map(str::to_string),
        acronyms: vec![],
        domains: vec![domain.to_string()],
    };
    Index::build(vec![
        e(1, &["Infrastructure University Kuala Lumpur", "Infrastructure University"], None, "iukl.edu.my"),
        e(2, &["Universiti Teknologi Malaysia"], None, "utm.my"),
        e(3, &["University of Malaya"], Some("马来亚大学"), "um.edu.my"),
        e(4, &["Tsinghua University"], Some("清华大学"), "tsinghua.edu.cn"),
        e(5, &["International Islamic University Malaysia"], None, "iium.edu.my"),
        e(6, &["Kuala Lumpur University of Science and Technology"], None, "kliust.edu.my"),
    ])
}

fn top(idx: &Index, q: &str) -> Option<u64> {
    chosen(&idx.search(q, 5)).map(|h| idx.entries()[h.entry].key)
}

#[test]
fn the_seed_partner_is_found_however_it_is_written() {
    let idx = index();
    for q in [
        "IUKL",
        "Infrastructure Univ. KL",
        "infrastructure university kuala lumpur",
        "Kuala Lumpur Infrastructure University",
        "Infrastructure Univeristy Kuala Lumpur",
        "iukl.edu.my",
        "someone@s.iukl.edu.my",
        "https://www.iukl.edu.my/about",
        "Infrastructure University Kuala Lumpur (IUKL)",
    ] {
        assert_eq!(top(&idx, q), Some(1), "{q}: {:?}", idx.search(q, 3));
    }
}

#[test]
fn chinese_names_and_accents_match() {
    let idx = index();
    assert_eq!(top(&idx, "清华大学"), Some(4));
    assert_eq!(top(&idx, "Tsinghua Universität"), Some(4));
}

#[test]
fn nothing_is_chosen_for_an_unknown_or_ambiguous_name() {
    let idx = index();
    assert_eq!(top(&idx, "Northern Lights Culinary Academy"), None);
    assert_eq!(top(&idx, "University"), None);
    assert_eq!(top(&idx, "Malaysia"), None);
}

#[test]
fn one_edit_typos_are_tolerated() {
    assert!(damerau1("univeristy", "university"));
    assert!(damerau1("studies", "syudies"));
    assert!(!damerau1("studies", "stories"));
}
