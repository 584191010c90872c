//! One shape for every status machine (visits, agreements, programmes, mobilities, trips,
//! articles, bookings): an enum whose stored and wire form is a snake_case word, and one
//! `allowed_next` that the API (what it accepts), the pages (which buttons show) and the
//! OpenAPI document (the field's `enum`) all read.
//!
//! Declare a machine with [`status_machine!`]; it derives serde and the OpenAPI schema
//! from the same list of states, so the three cannot drift apart.

use crate::error::{AppError, AppResult};

/// A status with its allowed steps.
pub trait Status: Copy + Eq + Sized + 'static {
    /// Every state, in the order lists and filters show them.
    const ALL: &'static [Self];

    /// The stored and wire form (`in_effect`).
    fn as_str(self) -> &'static str;

    /// The states this one may move to in one step.
    fn allowed_next(self) -> &'static [Self];

    /// Reads the stored form.
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| x.as_str() == s)
    }

    /// Whether `to` is one step from here.
    fn can_move_to(self, to: Self) -> bool {
        self.allowed_next().contains(&to)
    }

    /// Every state's stored form joined by ", " (for messages).
    fn names() -> String {
        Self::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// Reads user input for `field`, or a 422 naming the states.
    fn parse_field(field: &str, s: &str) -> AppResult<Self> {
        Self::parse(s).ok_or_else(|| AppError::field(field, format!("'{s}' is not a status; use one of {}", Self::names())))
    }

    /// Reads a value stored by us; a value the schema's `CHECK` lets through but this
    /// enum does not know is a defect, answered as a 500.
    fn from_stored(s: &str) -> AppResult<Self> {
        Self::parse(s).ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown stored status '{s}'")))
    }
}

/// Declares a status enum: variants with their stored names, and the allowed steps.
///
/// ```ignore
/// status_machine! {
///     /// A visit's status.
///     pub enum VisitStatus {
///         Planned = "planned" => [Confirmed, Cancelled],
///         Confirmed = "confirmed" => [Completed, Cancelled],
///         Completed = "completed" => [],
///         Cancelled = "cancelled" => [],
///     }
/// }
/// ```
#[macro_export]
macro_rules! status_machine {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:tt => [ $($next:ident),* $(,)? ] ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $crate::status::Status for $name {
            const ALL: &'static [Self] = &[ $( $name::$variant ),+ ];

            fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text ),+ }
            }

            fn allowed_next(self) -> &'static [Self] {
                match self { $( $name::$variant => &[ $( $name::$next ),* ] ),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::status::Status::as_str(*self))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Status;

    crate::status_machine! {
        /// A door.
        pub enum Door {
            /// Open.
            Open = "open" => [Closed],
            /// Closed.
            Closed = "closed" => [Open, Locked],
            /// Locked.
            Locked = "locked" => [Closed],
        }
    }

    #[test]
    fn parses_steps_and_names() {
        assert_eq!(Door::parse("locked"), Some(Door::Locked));
        assert_eq!(Door::parse("ajar"), None);
        assert!(Door::Closed.can_move_to(Door::Locked));
        assert!(!Door::Open.can_move_to(Door::Locked));
        assert_eq!(Door::names(), "open, closed, locked");
        assert_eq!(serde_json::to_string(&Door::Locked).ok().as_deref(), Some("\"locked\""));
        assert!(Door::parse_field("status", "ajar").is_err());
    }
}
