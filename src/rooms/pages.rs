//! Pages of rooms: the list, a week grid of availability, and "find a free room".

use crate::web::routes::Routes;

/// Routes of this module's pages.
pub fn routes() -> Routes {
    Routes::new()
}
