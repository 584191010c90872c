//! All of the news desk's SQL but the public site's (in `public::queries`), by topic:
//! articles and the list, language versions and revisions (optimistic concurrency),
//! editorial steps, links and tags, photo rows, the view counter's tables, and what is
//! read from the directory.

mod articles;
pub mod directory;
mod links;
pub mod photos;
mod steps;
mod versions;
pub mod views;

pub use articles::{ArticleQuery, create_article, get_article, list_articles, touch, update_article};
pub use steps::{StepRequest, take_step};
pub use versions::{EditConflict, diff, list_revisions, restore_revision, save_version};
