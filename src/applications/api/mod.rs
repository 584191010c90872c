//! The module's JSON API: calls and what the office does to a whole call (`calls`), and
//! single applications for students and the office (`applications`).

pub mod applications;
pub mod calls;
