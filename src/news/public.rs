//! (being written)

use crate::web::routes::Routes;

/// Routes of this part.
pub fn routes() -> Routes {
    Routes::new()
}
