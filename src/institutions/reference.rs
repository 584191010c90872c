//! Reference data shipped in the binary (see `data/LICENSES.md`): the worldwide
//! directory of higher-education institutions derived from swot and the world map
//! outlines; the countries and regions are in `crate::reference`. Immutable and
//! identical on every instance, so it lives in memory, parsed on first use.

use std::sync::LazyLock;

pub use crate::reference::*;

use super::matching::{Entry, Index};

fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines().skip(1).filter(|l| !l.is_empty()).map(|l| l.split('\t').collect())
}

/// One institution of the worldwide directory.
#[derive(Debug)]
pub struct DirectoryEntry {
    /// Main web domain (the entry's key).
    pub domain: &'static str,
    /// ISO country code from the domain, or "".
    pub country: &'static str,
    /// Main name.
    pub name: &'static str,
    /// Other names.
    pub other_names: Vec<&'static str>,
    /// Chinese name, or "".
    pub name_zh: &'static str,
    /// Further domains.
    pub more_domains: Vec<&'static str>,
}

fn split(s: &'static str) -> Vec<&'static str> {
    s.split('|').filter(|x| !x.is_empty()).collect()
}

static DIRECTORY: LazyLock<Vec<DirectoryEntry>> = LazyLock::new(|| {
    rows(include_str!("../../data/directory.tsv"))
        .filter(|c| c.len() >= 6)
        .map(|c| DirectoryEntry {
            domain: c[0],
            country: c[1],
            name: without_country(c[2], c[1]),
            other_names: split(c[3]),
            name_zh: c[4],
            more_domains: split(c[5]),
        })
        .collect()
});

/// A name without a trailing ", <its country>" ("University of Toronto, Canada"): the
/// country is shown beside every entry, and the suffix made such entries rank below
/// shorter names that merely contain the query.
fn without_country(name: &'static str, country: &str) -> &'static str {
    let Some((head, tail)) = name.rsplit_once(", ") else { return name };
    let is_country = crate::reference::country(country).is_some_and(|c| c.en.eq_ignore_ascii_case(tail.trim()));
    if is_country && !head.trim().is_empty() { head } else { name }
}

/// The directory, sorted by domain.
pub fn directory() -> &'static [DirectoryEntry] {
    &DIRECTORY
}

/// A directory entry by its domain.
pub fn directory_entry(domain: &str) -> Option<&'static DirectoryEntry> {
    DIRECTORY.binary_search_by(|e| e.domain.cmp(domain)).ok().map(|i| &DIRECTORY[i])
}

static DIRECTORY_INDEX: LazyLock<Index> = LazyLock::new(|| {
    Index::build(
        DIRECTORY
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut names = vec![e.name.to_string()];
                names.extend(e.other_names.iter().map(|n| n.to_string()));
                let mut domains = vec![e.domain.to_string()];
                domains.extend(e.more_domains.iter().map(|d| d.to_string()));
                Entry {
                    key: i as u64,
                    names,
                    name_zh: (!e.name_zh.is_empty()).then(|| e.name_zh.to_string()),
                    acronyms: Vec::new(),
                    domains,
                }
            })
            .collect(),
    )
});

/// The matcher index over the directory, built on first use (about 0.2 s and 25 MB;
/// not at start, so an instance that never matches stays small).
pub fn directory_index() -> &'static Index {
    &DIRECTORY_INDEX
}

/// The world map: viewBox and (code, name, path) per country.
pub struct WorldMap {
    /// SVG viewBox.
    pub view_box: &'static str,
    /// Country outlines.
    pub shapes: Vec<(&'static str, &'static str, &'static str)>,
}

static WORLD: LazyLock<WorldMap> = LazyLock::new(|| {
    let text: &'static str = include_str!("../../data/world.tsv");
    let mut lines = text.lines();
    let view_box = lines.next().and_then(|l| l.split('\t').nth(1)).unwrap_or("0 0 1010 666");
    let shapes = lines.filter_map(|l| {
        let mut it = l.splitn(3, '\t');
        Some((it.next()?, it.next()?, it.next()?))
    });
    WorldMap { view_box, shapes: shapes.collect() }
});

/// The world map outlines.
pub fn world() -> &'static WorldMap {
    &WORLD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_knows_the_seed_partner_by_domain() {
        let e = directory_entry("iukl.edu.my").expect("IUKL in the directory");
        assert_eq!(e.country, "MY");
        assert!(directory().len() > 25_000);
        let hits = directory_index().search("someone@s.iukl.edu.my", 3);
        assert_eq!(directory()[hits[0].entry].domain, "iukl.edu.my");
    }

    #[test]
    fn the_world_map_has_country_outlines() {
        let w = world();
        assert!(w.shapes.iter().any(|(c, _, p)| *c == "MY" && p.starts_with('m')));
        assert!(w.shapes.len() > 200);
    }
}
