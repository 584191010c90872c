//! Pages of visits: list, form, the visit with its delegation, agenda, outcomes and
//! actions, a day view, the printable itinerary and "my actions".

use crate::web::routes::Routes;

/// Routes of the pages.
pub fn routes() -> Routes {
    Routes::new()
}
