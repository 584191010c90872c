//! Rooms: buildings, rooms and bookings (pending / confirmed / cancelled, see
//! [`BookingStatus`]).
//!
//! Two confirmed bookings of one room never overlap. Every booking change runs in one
//! transaction that starts by bumping the room's `lock_version`: on PostgreSQL that
//! takes the room row's lock, on SQLite the database write lock, so concurrent requests
//! on any number of instances check for overlaps one after another; the loser gets 409
//! with the booking it collided with. One code path for both engines.
//!
//! The routes are `api::routes()` (JSON) and `pages::routes()` (HTML).

pub mod api;
pub mod booking;
pub mod buildings;
pub mod model;
pub mod pages;
pub mod queries;

pub use booking::{book, set_status};
pub use buildings::{add_building, add_room};
pub use model::{Booking, BookingResult, BookingStatus, Building, NewBooking, Room};
pub use queries::{free_rooms, get_booking, get_room, list_buildings, list_rooms, pending_bookings, room_bookings, room_time_zone};

/// Routes of this module: the API and the pages.
pub fn routes() -> crate::web::routes::Routes {
    api::routes().merge(pages::routes())
}
