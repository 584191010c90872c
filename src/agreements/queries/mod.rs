//! All SQL of agreements: small functions on the caller's connection or transaction, so
//! a service wraps a whole change (with its audit event) in one transaction. By topic:
//! reading (`read`), writing rows (`write`), documents (`documents`), and what agreements
//! refer to in other tables (`related`).

mod documents;
mod read;
mod related;
mod write;

pub use documents::*;
pub use read::*;
pub use related::*;
pub use write::*;
