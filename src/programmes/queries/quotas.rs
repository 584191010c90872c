//! SQL of programme quotas: read, replaced as a set, looked up per year and direction.

use sqlx::AnyConnection;

use crate::{error::AppResult, programmes::model::Quota};

/// The programme's quotas by year and direction.
pub async fn quotas_of(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<Quota>> {
    Ok(sqlx::query_as(
        "SELECT academic_year, direction, quota FROM programme_quotas WHERE programme_id = $1 ORDER BY academic_year, direction",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Replaces the programme's quotas with the (checked) set given.
pub async fn replace_quotas(conn: &mut AnyConnection, id: i64, quotas: &[Quota]) -> AppResult<()> {
    sqlx::query("DELETE FROM programme_quotas WHERE programme_id = $1").bind(id).execute(&mut *conn).await?;
    for q in quotas {
        sqlx::query("INSERT INTO programme_quotas (programme_id, academic_year, direction, quota) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&q.academic_year)
            .bind(&q.direction)
            .bind(q.quota)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The programme's places for one year and direction, if a quota is set.
pub async fn quota_for(conn: &mut AnyConnection, programme_id: i64, year: &str, direction: &str) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT quota FROM programme_quotas WHERE programme_id = $1 AND academic_year = $2 AND direction = $3")
        .bind(programme_id)
        .bind(year)
        .bind(direction)
        .fetch_optional(conn)
        .await?)
}

/// An agreement's quotas summed over its programmes: (year, direction, places), one year
/// if `year` is not empty.
pub async fn agreement_quota_sums(conn: &mut AnyConnection, agreement_id: i64, year: &str) -> AppResult<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT q.academic_year, q.direction, CAST(SUM(q.quota) AS BIGINT) FROM programme_quotas q JOIN programmes p ON p.id = q.programme_id
         WHERE p.agreement_id = $1 AND ($2 = '' OR q.academic_year = $2)
         GROUP BY q.academic_year, q.direction",
    )
    .bind(agreement_id)
    .bind(year)
    .fetch_all(conn)
    .await?)
}
