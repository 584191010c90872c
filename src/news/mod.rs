//! News: bilingual articles about the office's work (visits, agreements, programmes),
//! written in Chinese and English, proofread, and published (this first part: the
//! proofreading aid).

pub mod proofread;
