//! All SQL of trips, in small functions taking the caller's connection or transaction.

use sqlx::AnyConnection;

use super::{
    model::{Traveller, Trip, TripEvent, TripStatus},
    request::{NewTrip, ValidTrip},
};
use crate::{
    error::{AppResult, FieldError},
    status::Status,
    time::now_text,
};

/// The trip columns with the names of what they point to.
const SELECT_TRIP: &str = "SELECT t.id, t.requester_id, u.display_name AS requester, t.unit_id,
    (SELECT n.name FROM unit_names n WHERE n.unit_id = t.unit_id AND n.lang = 'en' ORDER BY n.is_primary DESC, n.id LIMIT 1) AS unit_name,
    (SELECT n.name FROM unit_names n WHERE n.unit_id = t.unit_id AND n.lang = 'zh' ORDER BY n.is_primary DESC, n.id LIMIT 1) AS unit_name_zh,
    t.destination, t.institution_id, i.name_en AS institution_name, t.purpose, t.start_date, t.end_date, t.budget_cents, t.currency,
    t.visit_id, t.status, t.report, t.created_at, t.updated_at
    FROM trips t LEFT JOIN users u ON u.id = t.requester_id LEFT JOIN institutions i ON i.id = t.institution_id";

/// One trip, or `NotFound`.
pub async fn get_trip(conn: &mut AnyConnection, id: i64) -> AppResult<Trip> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_TRIP} WHERE t.id = $1"))).bind(id).fetch_one(conn).await?)
}

/// Trips, newest first, optionally of one status and/or one requester.
pub async fn list_trips(conn: &mut AnyConnection, status: Option<TripStatus>, requester: Option<i64>, limit: i64) -> AppResult<Vec<Trip>> {
    // `$1 IS NULL OR …` keeps one SQL text; the casts give PostgreSQL the parameter types.
    let sql = format!(
        "{SELECT_TRIP} WHERE (CAST($1 AS TEXT) IS NULL OR t.status = $1) AND (CAST($2 AS BIGINT) IS NULL OR t.requester_id = $2)
         ORDER BY t.id DESC LIMIT $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(status.map(TripStatus::as_str)).bind(requester).bind(limit).fetch_all(conn).await?)
}

/// Trips still moving through the chain, i.e. not in a final status (the candidates for
/// "waiting for me").
pub async fn open_trips(conn: &mut AnyConnection) -> AppResult<Vec<Trip>> {
    // The open statuses are the enum's own words (no user input), so they are written in.
    let open: Vec<String> = TripStatus::ALL.iter().filter(|s| !s.allowed_next().is_empty()).map(|s| format!("'{}'", s.as_str())).collect();
    let sql = format!("{SELECT_TRIP} WHERE t.status IN ({}) ORDER BY t.id DESC", open.join(", "));
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(conn).await?)
}

/// The travellers of a trip, by name.
pub async fn travellers(conn: &mut AnyConnection, trip_id: i64) -> AppResult<Vec<Traveller>> {
    Ok(sqlx::query_as(
        "SELECT p.id AS person_id, p.name_en, p.name_zh FROM trip_travellers tt JOIN people p ON p.id = tt.person_id
         WHERE tt.trip_id = $1 ORDER BY p.name_en, p.id",
    )
    .bind(trip_id)
    .fetch_all(conn)
    .await?)
}

/// The steps taken on a trip, oldest first.
pub async fn events(conn: &mut AnyConnection, trip_id: i64) -> AppResult<Vec<TripEvent>> {
    Ok(sqlx::query_as("SELECT step, comment, actor, at FROM trip_events WHERE trip_id = $1 ORDER BY id")
        .bind(trip_id)
        .fetch_all(conn)
        .await?)
}

/// The English name of a unit of the home institution, or `None` if there is no such unit.
pub async fn home_unit_name(conn: &mut AnyConnection, unit_id: i64) -> AppResult<Option<String>> {
    let name: Option<Option<String>> = sqlx::query_scalar(
        "SELECT (SELECT n.name FROM unit_names n WHERE n.unit_id = u.id ORDER BY n.is_primary DESC, n.id LIMIT 1)
         FROM units u JOIN institutions i ON i.id = u.institution_id WHERE u.id = $1 AND i.is_home = 1",
    )
    .bind(unit_id)
    .fetch_optional(conn)
    .await?;
    Ok(name.map(|n| n.unwrap_or_else(|| format!("unit #{unit_id}"))))
}

/// Units of the home institution (id, English name, Chinese name), for the form.
pub async fn home_units(conn: &mut AnyConnection) -> AppResult<Vec<(i64, String, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT u.id,
         COALESCE((SELECT n.name FROM unit_names n WHERE n.unit_id = u.id AND n.lang = 'en' ORDER BY n.is_primary DESC, n.id LIMIT 1), ''),
         (SELECT n.name FROM unit_names n WHERE n.unit_id = u.id AND n.lang = 'zh' ORDER BY n.is_primary DESC, n.id LIMIT 1)
         FROM units u JOIN institutions i ON i.id = u.institution_id WHERE i.is_home = 1 ORDER BY u.id",
    )
    .fetch_all(conn)
    .await?)
}

/// People of the home institution (id, English name, Chinese name), for the form.
pub async fn home_people(conn: &mut AnyConnection) -> AppResult<Vec<(i64, String, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.name_en, p.name_zh FROM people p JOIN institutions i ON i.id = p.institution_id
         WHERE i.is_home = 1 AND p.merged_into IS NULL ORDER BY p.name_en, p.id",
    )
    .fetch_all(conn)
    .await?)
}

async fn exists(conn: &mut AnyConnection, sql: &'static str, id: i64) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar(sql).bind(id).fetch_one(conn).await?;
    Ok(n > 0)
}

/// The checks that need the database: the unit, travellers, institution and visit exist.
pub async fn check_references(conn: &mut AnyConnection, t: &NewTrip) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(unit) = t.unit_id
        && home_unit_name(&mut *conn, unit).await?.is_none()
    {
        errors.push(FieldError::new("unit_id", format!("there is no unit {unit} of the home institution")));
    }
    let mut unknown = Vec::new();
    for id in &t.traveller_ids {
        if !exists(&mut *conn, "SELECT COUNT(*) FROM people WHERE id = $1 AND merged_into IS NULL", *id).await? {
            unknown.push(id.to_string());
        }
    }
    if !unknown.is_empty() {
        errors.push(FieldError::new("traveller_ids", format!("these are not people in the directory: {}", unknown.join(", "))));
    }
    if let Some(inst) = t.institution_id
        && !exists(&mut *conn, "SELECT COUNT(*) FROM institutions WHERE id = $1 AND merged_into IS NULL", inst).await?
    {
        errors.push(FieldError::new("institution_id", format!("there is no institution {inst}")));
    }
    if let Some(visit) = t.visit_id
        && !exists(&mut *conn, "SELECT COUNT(*) FROM visits WHERE id = $1 AND direction = 'outbound'", visit).await?
    {
        errors.push(FieldError::new("visit_id", format!("there is no outbound visit {visit}")));
    }
    Ok(errors)
}

/// Inserts a trip (status `submitted`, the chain's first) and its travellers; returns its id.
pub async fn insert_trip(conn: &mut AnyConnection, requester: Option<i64>, t: &ValidTrip) -> AppResult<i64> {
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO trips (requester_id, unit_id, visit_id, destination, institution_id, purpose, start_date, end_date,
         budget_cents, currency, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(requester)
    .bind(t.unit_id)
    .bind(t.visit_id)
    .bind(&t.destination)
    .bind(t.institution_id)
    .bind(&t.purpose)
    .bind(&t.start_date)
    .bind(&t.end_date)
    .bind(t.budget_cents)
    .bind(&t.currency)
    .bind(TripStatus::Submitted.as_str())
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    for person in &t.traveller_ids {
        sqlx::query("INSERT INTO trip_travellers (trip_id, person_id) VALUES ($1, $2)").bind(id).bind(person).execute(&mut *conn).await?;
    }
    Ok(id)
}

/// Takes the trip's lock for the rest of the transaction: a no-op write, so PostgreSQL
/// locks the row and SQLite takes its write lock before the trip is read. Steps on one
/// trip then run one after another on any number of instances, and SQLite never has to
/// upgrade a read snapshot to a write (which fails at once instead of waiting).
/// Returns false if there is no such trip.
pub async fn lock_trip(conn: &mut AnyConnection, id: i64) -> AppResult<bool> {
    let n = sqlx::query("UPDATE trips SET updated_at = updated_at WHERE id = $1").bind(id).execute(conn).await?.rows_affected();
    Ok(n == 1)
}

/// Takes the unit's lock before a request is checked and stored (see [`lock_trip`]):
/// on SQLite a transaction that reads first and writes later fails at once if another
/// instance wrote in between, so the write lock is taken first.
pub async fn lock_unit(conn: &mut AnyConnection, unit_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE units SET updated_at = updated_at WHERE id = $1").bind(unit_id).execute(conn).await?;
    Ok(())
}

/// Moves a trip from `from` to `to` (and stores the report, if given). Returns false if
/// the trip was no longer at `from`: someone else took a step in the meantime.
pub async fn move_trip(conn: &mut AnyConnection, id: i64, from: TripStatus, to: TripStatus, report: Option<&str>) -> AppResult<bool> {
    let n = sqlx::query("UPDATE trips SET status = $1, report = COALESCE($2, report), updated_at = $3 WHERE id = $4 AND status = $5")
        .bind(to.as_str())
        .bind(report)
        .bind(now_text())
        .bind(id)
        .bind(from.as_str())
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Appends a step to the trip's history.
pub async fn insert_event(conn: &mut AnyConnection, trip_id: i64, step: TripStatus, comment: Option<&str>, actor: &str) -> AppResult<()> {
    sqlx::query("INSERT INTO trip_events (trip_id, step, comment, actor, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(trip_id)
        .bind(step.as_str())
        .bind(comment)
        .bind(actor)
        .bind(now_text())
        .execute(conn)
        .await?;
    Ok(())
}
