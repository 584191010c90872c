//! Article types, their input, and the rules that input must meet.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use status::ArticleStatus;

use crate::error::{AppError, FieldError};

mod status;

/// Languages an article can be written in.
pub const LANGS: &[&str] = &["zh", "en"];

/// The version a reader of `lang` reads when the article has none in `lang`, before the
/// original: Malay readers (the interface has Malay, the articles do not) read English.
pub fn reader_fallback(lang: &str) -> Option<&'static str> {
    (lang == "ms").then_some("en")
}

/// Kinds of record an article can link to.
pub const LINK_KINDS: &[&str] = &["visit", "agreement", "institution", "person"];

/// Checks a language code.
pub fn check_lang(field: &str, lang: &str) -> Result<(), AppError> {
    if LANGS.contains(&lang) {
        Ok(())
    } else {
        Err(AppError::field(field, format!("'{lang}' is not a language of the news; use zh or en")))
    }
}

/// A link to an office record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub struct Link {
    /// visit, agreement, institution or person.
    pub kind: String,
    /// The record's id.
    pub target_id: i64,
    /// The record's name or title (filled in when read).
    #[serde(default)]
    pub label: String,
}

/// A language version as sent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VersionInput {
    /// Title.
    pub title: String,
    /// One or two sentences for lists, feeds and search engines.
    #[serde(default)]
    pub summary: String,
    /// Body in Markdown (raw HTML is shown as text; only http, https and mailto links).
    #[serde(default)]
    pub body: String,
    /// A note shown with the version (e.g. who translated it from what).
    #[serde(default)]
    pub note: String,
    /// The revision this edit started from (required when the version exists): a save
    /// on top of a newer revision answers 409 with a diff instead of overwriting.
    #[serde(default)]
    pub base_revision: Option<i64>,
}

impl VersionInput {
    /// Trims and checks the fields.
    pub fn check(&self) -> Result<(), AppError> {
        let mut errors = Vec::new();
        if self.title.trim().is_empty() {
            errors.push(FieldError::new("title", "give the article a title"));
        } else if self.title.chars().count() > 300 {
            errors.push(FieldError::new("title", "keep the title under 300 characters"));
        }
        if self.summary.chars().count() > 1000 {
            errors.push(FieldError::new("summary", "keep the summary under 1,000 characters"));
        }
        if self.body.len() > 200_000 {
            errors.push(FieldError::new("body", "the body is over 200,000 bytes; split the article"));
        }
        if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
    }
}

/// A new article: its original version and what it is about.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewArticle {
    /// The language it is written in (zh or en).
    pub original_lang: String,
    /// Languages it must be published in (default: zh and en).
    #[serde(default)]
    pub required_langs: Option<Vec<String>>,
    /// The original version.
    pub original: VersionInput,
    /// The public address (default: made from the English or the original title).
    #[serde(default)]
    pub slug: Option<String>,
    /// Links to visits, agreements, institutions and people.
    #[serde(default)]
    pub links: Vec<Link>,
    /// Tags (lowercase words).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The partner shown as related on the public page (default: the first linked institution).
    #[serde(default)]
    pub institution_id: Option<i64>,
}

/// Changes to an article's own fields (absent fields stay).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateArticle {
    /// Public address.
    pub slug: Option<String>,
    /// Required languages (replaces).
    pub required_langs: Option<Vec<String>>,
    /// Links (replaces all).
    pub links: Option<Vec<Link>>,
    /// Tags (replaces all).
    pub tags: Option<Vec<String>>,
    /// Related partner (0 clears).
    pub institution_id: Option<i64>,
}

/// One language version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Version {
    /// zh or en.
    pub lang: String,
    /// True for the language the article was written in.
    pub is_original: bool,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Markdown body.
    pub body: String,
    /// Sanitised HTML of the body.
    pub body_html: String,
    /// Note shown with the version.
    pub note: String,
    /// The latest revision number (send it back as `base_revision`).
    pub revision: i64,
    /// When it was last saved.
    pub updated_at: String,
    /// Who saved it last.
    pub updated_by: String,
}

/// One saved state of a version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Revision {
    /// Number, from 1.
    pub revision: i64,
    /// Title then.
    pub title: String,
    /// Summary then.
    pub summary: String,
    /// Body then.
    pub body: String,
    /// Note then.
    pub note: String,
    /// The revision it restored, if it was a restore.
    pub restored_from: Option<i64>,
    /// Who saved it.
    pub actor_name: String,
    /// When.
    pub at: String,
    /// Unified diff of the body against the revision before it.
    pub diff: String,
}

/// An editorial step.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Step {
    /// submit, send_back, publish or withdraw.
    pub action: String,
    /// Status before.
    pub from_status: ArticleStatus,
    /// Status after.
    pub to_status: ArticleStatus,
    /// The role it was taken in.
    pub role: String,
    /// The user's id.
    pub user_id: Option<i64>,
    /// The user's name.
    pub actor_name: String,
    /// Comment (required when sending back).
    pub comment: String,
    /// When.
    pub at: String,
}

/// One line of the credits block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Credit {
    /// author, translator, photographer, proofreader or reviewer.
    pub role: String,
    /// The names, in the order they took part.
    pub names: Vec<String>,
}

/// A photo of an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Photo {
    /// Id.
    pub id: i64,
    /// Order on the page.
    pub position: i64,
    /// Type of the stored variants (image/jpeg, image/png or image/webp).
    pub content_type: String,
    /// Width of the largest variant, pixels.
    pub width: i64,
    /// Height of the largest variant, pixels.
    pub height: i64,
    /// Widths of the stored variants, smallest first.
    pub widths: Vec<i64>,
    /// Photographer credited.
    pub photographer_name: String,
    /// Photographer's account, if any.
    pub photographer_id: Option<i64>,
    /// Caption in Chinese.
    pub caption_zh: String,
    /// Caption in English.
    pub caption_en: String,
}

impl Photo {
    /// The caption in `lang`, else the other one.
    pub fn caption(&self, lang: &str) -> &str {
        let (a, b) = if lang == "zh" { (&self.caption_zh, &self.caption_en) } else { (&self.caption_en, &self.caption_zh) };
        if a.is_empty() { b } else { a }
    }

    /// Public URL of the variant of `width` (the photo's file name carries its type).
    pub fn url(&self, width: i64) -> String {
        format!("/news/photos/{}/{}.{}", self.id, width, extension(&self.content_type))
    }

    /// The largest variant's width.
    pub fn largest(&self) -> i64 {
        self.widths.last().copied().unwrap_or(self.width)
    }
}

/// File extension of an image type.
pub fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "jpg",
    }
}

/// Everything about an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Article {
    /// Id.
    pub id: i64,
    /// Public address: /news/{slug}.
    pub slug: String,
    /// Language written in.
    pub original_lang: String,
    /// Languages it must be published in.
    pub required_langs: Vec<String>,
    /// Where it is in the editorial chain.
    pub status: ArticleStatus,
    /// Author's account.
    pub author_id: Option<i64>,
    /// Author's name.
    pub author_name: String,
    /// Related partner.
    pub institution_id: Option<i64>,
    /// Related partner's name (English, else Chinese).
    pub institution_name: Option<String>,
    /// When it is (or will be) public.
    pub published_at: Option<String>,
    /// Views counted (once per visitor per day).
    pub view_count: i64,
    /// True for the demo's article.
    pub is_demo: bool,
    /// Created.
    pub created_at: String,
    /// Last changed.
    pub updated_at: String,
    /// Language versions, original first.
    pub versions: Vec<Version>,
    /// Links to records.
    pub links: Vec<Link>,
    /// Tags.
    pub tags: Vec<String>,
    /// Photos in order.
    pub photos: Vec<Photo>,
    /// Editorial steps, oldest first.
    pub steps: Vec<Step>,
    /// Credits: Author, Translator, Photographer, Proofreader, Reviewer (those known).
    pub credits: Vec<Credit>,
}

impl Article {
    /// The version in `lang`, if there is one.
    pub fn version(&self, lang: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.lang == lang)
    }

    /// The version in `lang`, else the original.
    pub fn version_or_original(&self, lang: &str) -> Option<&Version> {
        self.version(lang)
            .or_else(|| reader_fallback(lang).and_then(|l| self.version(l)))
            .or_else(|| self.version(&self.original_lang))
            .or(self.versions.first())
    }

    /// Required languages that have no version with a title and a body.
    pub fn missing_langs(&self) -> Vec<String> {
        self.required_langs
            .iter()
            .filter(|l| !self.version(l).is_some_and(|v| !v.title.trim().is_empty() && !v.body.trim().is_empty()))
            .cloned()
            .collect()
    }
}

/// A row of the article list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleSummary {
    /// Id.
    pub id: i64,
    /// Public address.
    pub slug: String,
    /// Where it is in the editorial chain.
    pub status: ArticleStatus,
    /// Title in the original language.
    pub title: String,
    /// Languages that have a version.
    pub langs: Vec<String>,
    /// Author's name.
    pub author_name: String,
    /// When public.
    pub published_at: Option<String>,
    /// Last changed.
    pub updated_at: String,
    /// Views.
    pub view_count: i64,
}

/// Makes a public address from a title: lowercase ASCII words joined by '-', at most
/// 80 characters; `None` when the title has no ASCII letters or digits (Chinese titles).
pub fn slugify(title: &str) -> Option<String> {
    let mut out = String::new();
    for word in title.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if out.len() + word.len() + 1 > 80 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    (!out.is_empty()).then_some(out)
}

/// Checks a slug given by a person.
pub fn check_slug(slug: &str) -> Result<String, AppError> {
    let s = slug.trim().to_ascii_lowercase();
    let ok = !s.is_empty()
        && s.len() <= 100
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !matches!(s.as_str(), "feed.atom" | "photos" | "new");
    if ok { Ok(s) } else { Err(AppError::field("slug", "use lowercase letters, digits and single hyphens (e.g. iukl-delegation-visit)")) }
}

/// Checks and normalises tags: trimmed, lowercase, 1–40 characters, no duplicates.
pub fn check_tags(tags: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim().to_lowercase();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > 40 || t.contains(',') {
            return Err(AppError::field("tags", format!("'{t}' is not a tag: at most 40 characters, no commas")));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
