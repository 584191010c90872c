//! Reference data about the world shipped in the binary (see `data/LICENSES.md`):
//! countries and territories with their names in English, Chinese and Malay from CLDR,
//! and the UN M49 regions. Immutable and identical on every instance, so it lives in
//! memory, parsed on first use. Any layer may read it.

use std::{collections::HashMap, sync::LazyLock};

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
    rows(include_str!("../data/regions.tsv"))
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
    rows(include_str!("../data/countries.tsv"))
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
}
