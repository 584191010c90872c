//! All SQL of visits: small functions on the caller's connection or transaction, so a
//! handler wraps a whole change (with its audit events) in one transaction. By topic:
//! the visits themselves, the delegation and hosts, agenda sessions, and outcomes with
//! their follow-up actions.

mod delegation;
mod followup;
mod sessions;
mod visits;

pub use self::{delegation::*, followup::*, sessions::*, visits::*};
