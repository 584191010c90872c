//! Pages of lists: the page size and number a request asks for, clamped, and the page
//! the API answers with.

use serde::Serialize;
use utoipa::ToSchema;

/// The highest page number served: past it a list is empty anyway, and an offset
/// computed from a larger one could overflow.
pub const MAX_PAGE: i64 = 1_000_000;

/// A page of results.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Page number, from 1.
    pub page: i64,
    /// Items per page.
    pub per_page: i64,
    /// Items matching the filters, over all pages.
    pub total: i64,
}

/// (page, per_page) from a request's optional values: page from 1 to [`MAX_PAGE`],
/// per_page from 1 to `max` (`default` when not given).
pub fn paging(page: Option<i64>, per_page: Option<i64>, default: i64, max: i64) -> (i64, i64) {
    (page.unwrap_or(1).clamp(1, MAX_PAGE), per_page.unwrap_or(default).clamp(1, max))
}

/// The rows to skip for a page.
pub fn offset(page: i64, per_page: i64) -> i64 {
    (page.clamp(1, MAX_PAGE) - 1).saturating_mul(per_page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_clamped_and_offsets_never_overflow() {
        assert_eq!(paging(None, None, 50, 200), (1, 50));
        assert_eq!(paging(Some(0), Some(500), 50, 200), (1, 200));
        assert_eq!(paging(Some(i64::MAX), Some(0), 25, 100), (MAX_PAGE, 1));
        assert_eq!(offset(3, 50), 100);
        assert!(offset(i64::MAX, i64::MAX) > 0);
    }
}
