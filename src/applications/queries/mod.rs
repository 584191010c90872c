//! All of the module's SQL, in small functions on the caller's connection or transaction:
//! calls and their partners (`calls`), applications, their choices, documents and events
//! (`applications`), reviewers' scores and the allocation's columns (`review`), and the
//! lookups of programmes, quotas and the signing key (`lookups`). Programmes, people and
//! institutions are read with this module's own SQL.

mod applications;
mod calls;
mod lookups;
mod review;

pub use applications::*;
pub use calls::*;
pub use lookups::*;
pub use review::*;
