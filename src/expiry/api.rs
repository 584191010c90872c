//! JSON API of expiry: the agreements coming up for expiry or notice.

use axum::{Json, extract::State};

use super::{
    model::{ExpiringListResponse, ExpiryQueryParams, Window},
    queries,
};
use crate::{
    error::{AppResult, Problem},
    web::{AppState, extract::ApiQuery},
};

/// `GET /api/v1/agreements/expiring`: signed or in-effect agreements whose expiry date
/// or notice date falls within `days` (default 90) from today, the nearest date first.
#[utoipa::path(get, path = "/api/v1/agreements/expiring", tag = "expiry", params(ExpiryQueryParams),
    responses((status = 200, body = ExpiringListResponse), (status = 422, body = Problem)))]
pub async fn list_expiring(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ExpiryQueryParams>,
) -> AppResult<Json<ExpiringListResponse>> {
    let w = Window::parse(&q, super::today())?;
    let mut conn = state.db.pool.acquire().await?;
    let items = queries::expiring(&mut conn, &w, "en").await?;
    Ok(Json(ExpiringListResponse { today: w.today.to_string(), days: w.days, until: w.last().to_string(), unit_id: w.unit_id, items }))
}
