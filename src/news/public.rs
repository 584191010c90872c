//! (being written) The public news site.

use crate::web::{AppState, routes::Routes};

/// Forgets cached public pages after a news write.
pub fn invalidate(_state: &AppState) {}

/// Routes of this part.
pub fn routes() -> Routes {
    Routes::new()
}
