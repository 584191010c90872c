//! Unit tests of the article model.

use super::*;
use crate::status::Status;

#[test]
fn slugs_come_from_titles() {
    assert_eq!(slugify("IUKL delegation visits: a symposium!").as_deref(), Some("iukl-delegation-visits-a-symposium"));
    assert_eq!(slugify("马来西亚吉隆坡基础设施大学代表团来访"), None);
    assert!(check_slug("Bad Slug").is_err());
    assert!(check_slug("feed.atom").is_err());
    assert_eq!(check_slug(" iukl-visit-2024 ").ok().as_deref(), Some("iukl-visit-2024"));
}

#[test]
fn tags_are_normalised() {
    let tags = check_tags(&["Visits".into(), " visits ".into(), "".into(), "马来西亚".into()]).expect("tags");
    assert_eq!(tags, vec!["visits".to_string(), "马来西亚".to_string()]);
}

#[test]
fn statuses_are_stored_by_name_in_chain_order() {
    assert_eq!(ArticleStatus::names(), "draft, translation, proofreading, review, approved, published");
    assert_eq!(ArticleStatus::parse("review"), Some(ArticleStatus::Review));
    assert_eq!(ArticleStatus::Approved.rank(), 4);
    assert!(ArticleStatus::Published.can_move_to(ArticleStatus::Approved));
    assert!(!ArticleStatus::Draft.can_move_to(ArticleStatus::Review));
}
