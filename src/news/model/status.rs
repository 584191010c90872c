//! An article's status: where it is in the editorial chain.

use crate::status::Status;

crate::status_machine! {
    /// Where an article is in the editorial chain, in the chain's order. The steps are
    /// every move the chain knows — on to the next status (past translation when it is
    /// not needed), back to any earlier one, publish, withdraw; which of them an article
    /// may take, and who takes it, is `workflow::plan`'s rule.
    pub enum ArticleStatus {
        /// The author writes it.
        Draft = "draft" => [Translation, Proofreading],
        /// A translator writes the other language's version.
        Translation = "translation" => [Proofreading, Draft],
        /// A proofreader checks both versions.
        Proofreading = "proofreading" => [Review, Translation, Draft],
        /// A reviewer decides.
        Review = "review" => [Approved, Proofreading, Translation, Draft],
        /// Approved, waiting to be published.
        Approved = "approved" => [Published, Review, Proofreading, Translation, Draft],
        /// On the public site (from `published_at`); withdrawn back to approved.
        Published = "published" => [Approved],
    }
}

impl ArticleStatus {
    /// Place in the chain, from 0 (draft).
    pub fn rank(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}
