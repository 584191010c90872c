//! Reference data shipped in the binary (see `data/LICENSES.md`): country names from
//! CLDR, the worldwide directory of higher-education institutions derived from swot,
//! and the world map outlines. Immutable and identical on every instance, so it lives
//! in memory, parsed on first use.

use std::{collections::HashMap, sync::LazyLock};

use super::matching::{Entry, Index};

/// A country or territory with its names.
#[derive(Debug)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    /// English name.
    pub en: &'static str,
    /// Chinese (Simplified) name.
    pub zh: &'static str,
    /// Malay name.
    pub ms: &'static str,
    /// UN M49 continent code (e.g. 142 Asia).
    pub continent: &'static str,
    /// UN M49 sub-region code (e.g. 035 South-Eastern Asia).
    pub subregion: &'static str,
}

/// A world region (UN M49, as CLDR names it).
#[derive(Debug)]
pub struct Region {
    /// Three-digit code.
    pub code: &'static str,
    /// English name.
    pub en: &'static str,
    /// Chinese name.
    pub zh: &'static str,
    /// Malay name.
    pub ms: &'static str,
    /// `continent` or `subregion`.
    pub level: &'static str,
}

impl Region {
    /// The name in a UI language code.
    pub fn name(&self, lang: &str) -> &'static str {
        match lang {
            "zh" => self.zh,
            "ms" => self.ms,
            _ => self.en,
        }
    }
}

static REGIONS: LazyLock<Vec<Region>> = LazyLock::new(|| {
    rows(include_str!("../../data/regions.tsv"))
        .filter(|c| c.len() >= 5)
        .map(|c| Region { code: c[0], en: c[1], zh: c[2], ms: c[3], level: c[4] })
        .collect()
});

/// Continents and sub-regions, by code.
pub fn regions() -> &'static [Region] {
    &REGIONS
}

/// The country codes inside a region (continent or sub-region), or `None` for an
/// unknown region code.
pub fn countries_in(region: &str) -> Option<Vec<&'static str>> {
    REGIONS
        .iter()
        .any(|r| r.code == region)
        .then(|| COUNTRIES.iter().filter(|c| c.continent == region || c.subregion == region).map(|c| c.code).collect())
}

impl Country {
    /// The name in a UI language code (`en`, `zh`, `ms`).
    pub fn name(&self, lang: &str) -> &'static str {
        match lang {
            "zh" => self.zh,
            "ms" => self.ms,
            _ => self.en,
        }
    }
}

fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines().skip(1).filter(|l| !l.is_empty()).map(|l| l.split('\t').collect())
}

static COUNTRIES: LazyLock<Vec<Country>> = LazyLock::new(|| {
    rows(include_str!("../../data/countries.tsv"))
        .filter(|c| c.len() >= 6)
        .map(|c| Country { code: c[0], en: c[1], zh: c[2], ms: c[3], continent: c[4], subregion: c[5] })
        .collect()
});

/// All countries, by code.
pub fn countries() -> &'static [Country] {
    &COUNTRIES
}

/// A country by ISO code.
pub fn country(code: &str) -> Option<&'static Country> {
    COUNTRIES.binary_search_by(|c| c.code.cmp(code)).ok().map(|i| &COUNTRIES[i])
}

/// The name of a country code in a language, or the code itself if unknown.
pub fn country_name(code: &str, lang: &str) -> String {
    country(code).map(|c| c.name(lang).to_string()).unwrap_or_else(|| code.to_string())
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
            name: c[2],
            other_names: split(c[3]),
            name_zh: c[4],
            more_domains: split(c[5]),
        })
        .collect()
});

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

/// Country-name lookup for matching free text like "Malaysia" to `MY` (any language).
pub fn country_by_name(name: &str) -> Option<&'static Country> {
    static BY_NAME: LazyLock<HashMap<String, usize>> = LazyLock::new(|| {
        let mut m = HashMap::new();
        for (i, c) in COUNTRIES.iter().enumerate() {
            for n in [c.en, c.zh, c.ms] {
                m.insert(n.to_lowercase(), i);
            }
        }
        m
    });
    BY_NAME.get(&name.trim().to_lowercase()).map(|&i| &COUNTRIES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_have_names_in_three_languages() {
        let my = country("MY").expect("Malaysia");
        assert_eq!((my.en, my.zh), ("Malaysia", "马来西亚"));
        assert!(countries().len() > 240);
        assert_eq!(country_by_name("马来西亚").map(|c| c.code), Some("MY"));
        assert!(country("XX").is_none());
        assert_eq!((my.continent, my.subregion), ("142", "035"));
        let sea = countries_in("035").expect("South-Eastern Asia");
        assert!(sea.contains(&"MY") && sea.contains(&"TH") && !sea.contains(&"CN"));
        assert!(countries_in("999").is_none());
    }

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
