//! The leadership dashboard's key figures.

use sqlx::AnyConnection;

use crate::{error::AppError, reports::model::KeyFigures};

/// Computes the key figures as of `today` (`YYYY-MM-DD`).
pub async fn key_figures(conn: &mut AnyConnection, today: &str) -> Result<KeyFigures, AppError> {
    let one = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    let active_partners = crate::institutions::lookup::count_active_partners(&mut *conn).await?;
    let agreements_in_effect = one("SELECT COUNT(*) FROM agreements WHERE status = 'in_effect'").fetch_one(&mut *conn).await?;
    let until = today
        .parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.checked_add(jiff::Span::new().days(90)).ok())
        .map_or_else(|| today.to_string(), |d| d.to_string());
    let expiring_90_days =
        one("SELECT COUNT(*) FROM agreements WHERE status IN ('signed', 'in_effect') AND expiry_date >= $1 AND expiry_date <= $2")
            .bind(today)
            .bind(&until)
            .fetch_one(&mut *conn)
            .await?;
    let academic_year = crate::reports::model::academic_year_of(today);
    let mobilities: Vec<(String, i64)> = sqlx::query_as(
        "SELECT direction, CAST(SUM(n) AS BIGINT) FROM mobility_counts WHERE academic_year = $1 AND status <> 'withdrawn' GROUP BY direction",
    )
    .bind(&academic_year)
    .fetch_all(&mut *conn)
    .await?;
    let dir = |d: &str| mobilities.iter().find(|(k, _)| k == d).map_or(0, |r| r.1);
    let year = today.get(..4).unwrap_or("2000");
    let visits_this_year = one("SELECT COUNT(*) FROM visits WHERE start_date >= $1 AND start_date <= $2 AND status <> 'cancelled'")
        .bind(format!("{year}-01-01"))
        .bind(format!("{year}-12-31"))
        .fetch_one(&mut *conn)
        .await?;
    Ok(KeyFigures {
        active_partners,
        agreements_in_effect,
        expiring_90_days,
        mobilities_in: dir("inbound"),
        mobilities_out: dir("outbound"),
        academic_year,
        visits_this_year,
    })
}
