//! All SQL of the institutions module, by topic. Writes take the caller's transaction
//! and record their audit event on it.

mod institutions;
mod list;
mod merges;
mod partnership;
mod people;
mod positions;
mod units;

pub use institutions::*;
pub use list::*;
pub use merges::*;
pub use partnership::*;
pub use people::*;
pub use positions::*;
pub use units::*;
