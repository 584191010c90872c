//! SQL of `mobility_counts`: kept in step with `mobilities` in the same transaction as
//! every change, so quotas, balances and reports read a few counted rows instead of
//! scanning every mobility.

use sqlx::AnyConnection;

use crate::{
    error::AppResult,
    programmes::model::{Mobility, MobilityStatus},
    status::Status,
};

/// Adds one to (`up`) or takes one from the count of the mobility's key under `status`;
/// a count that reaches zero is dropped. Decrements are a plain UPDATE: an upsert would
/// first propose a row with n = -1, which the CHECK refuses.
pub async fn bump(conn: &mut AnyConnection, m: &Mobility, status: MobilityStatus, up: bool) -> AppResult<()> {
    let key = "programme_id = $1 AND partner_institution_id = $2 AND academic_year = $3 AND direction = $4
         AND participant_kind = $5 AND status = $6";
    let sql = if up {
        "INSERT INTO mobility_counts (programme_id, partner_institution_id, academic_year, direction, participant_kind, status, n)
         VALUES ($1, $2, $3, $4, $5, $6, 1)
         ON CONFLICT (programme_id, partner_institution_id, academic_year, direction, participant_kind, status)
         DO UPDATE SET n = mobility_counts.n + 1"
            .to_string()
    } else {
        format!("UPDATE mobility_counts SET n = n - 1 WHERE {key}")
    };
    let statements = [sql, format!("DELETE FROM mobility_counts WHERE n = 0 AND {key}")];
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(m.programme_id)
            .bind(m.partner_institution_id)
            .bind(&m.academic_year)
            .bind(&m.direction)
            .bind(&m.participant_kind)
            .bind(status.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Places taken in a programme for one year and direction (withdrawn mobilities free
/// their place).
pub async fn places_taken(conn: &mut AnyConnection, programme_id: i64, year: &str, direction: &str) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM mobility_counts
         WHERE programme_id = $1 AND academic_year = $2 AND direction = $3 AND status <> 'withdrawn'",
    )
    .bind(programme_id)
    .bind(year)
    .bind(direction)
    .fetch_one(conn)
    .await?)
}

/// An agreement's mobilities that are not withdrawn, counted per (year, direction), one
/// year if `year` is not empty.
pub async fn agreement_mobility_sums(conn: &mut AnyConnection, agreement_id: i64, year: &str) -> AppResult<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT c.academic_year, c.direction, CAST(SUM(c.n) AS BIGINT) FROM mobility_counts c JOIN programmes p ON p.id = c.programme_id
         WHERE p.agreement_id = $1 AND c.status <> 'withdrawn' AND ($2 = '' OR c.academic_year = $2)
         GROUP BY c.academic_year, c.direction",
    )
    .bind(agreement_id)
    .bind(year)
    .fetch_all(conn)
    .await?)
}
