//! All of the module's SQL, in small functions on the caller's connection or transaction,
//! so a service wraps a whole change (with its audit event) in one transaction:
//! programmes and coordinators (`programmes`), quotas (`quotas`), mobilities and their
//! status history (`mobilities`), and the kept `mobility_counts` with the balance sums
//! read from them (`counts`). Agreements, people and institutions are read with this
//! module's own SQL (no dependency on those modules).

mod counts;
mod mobilities;
mod programmes;
mod quotas;

pub use counts::*;
pub use mobilities::*;
pub use programmes::*;
pub use quotas::*;
