//! Pages (placeholder).
use crate::web::routes::Routes;
/// Routes of the pages.
pub fn routes() -> Routes {
    Routes::new()
}
