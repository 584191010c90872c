//! The partners of a call as the student's page shows them, kept per instance for a few
//! seconds. A call may offer hundreds of partners, and the student's form lists them
//! all in each choice; reading and decoding them on every page view was most of the
//! page's cost (see docs/BENCHMARKS.md). A call's partner rows do not change after it is
//! opened; only an institution's name can, and a renamed partner shows its new name on
//! this page within [`TTL`]. Everything that decides (choices, allocation, nomination)
//! reads the database.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use sqlx::AnyConnection;

use super::{model::CallPartner, queries};
use crate::error::AppResult;

/// How long a call's partner list is kept.
pub const TTL: Duration = Duration::from_secs(5);

/// Calls kept at most (the oldest half is dropped beyond it).
const MAX: usize = 1000;

/// A call's partners and when they were read.
type Kept = (Instant, Arc<Vec<CallPartner>>);

/// Partner lists by call, with when they were read.
#[derive(Default)]
pub struct CallPartnersCache(Mutex<HashMap<i64, Kept>>);

impl CallPartnersCache {
    /// The call's partners, from the cache when read less than [`TTL`] ago.
    pub async fn get(&self, conn: &mut AnyConnection, call_id: i64) -> AppResult<Arc<Vec<CallPartner>>> {
        if let Some((at, list)) = self.0.lock().ok().and_then(|m| m.get(&call_id).cloned())
            && at.elapsed() < TTL
        {
            return Ok(list);
        }
        let list = Arc::new(queries::call_partners(conn, call_id).await?);
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= MAX {
                let mut ages: Vec<(Instant, i64)> = m.iter().map(|(k, (at, _))| (*at, *k)).collect();
                ages.sort();
                for (_, k) in ages.into_iter().take(MAX / 2) {
                    m.remove(&k);
                }
            }
            m.insert(call_id, (Instant::now(), list.clone()));
        }
        Ok(list)
    }
}
