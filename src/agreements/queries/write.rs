//! Writing agreement rows: the agreement itself, its parties, areas, dated status events
//! and signatories. Each is one statement (or one small loop) on the caller's transaction;
//! the checks and the audit event are the services' business (`agreements::changes`).

use sqlx::AnyConnection;

use crate::{
    agreements::model::{AgreementStatus, Fields, PartyInput},
    audit::Actor,
    error::{AppError, AppResult},
    status::Status,
    time::now_text,
};

/// Inserts an agreement row (status draft, the first); returns its id. A second successor
/// of `predecessor` breaks a unique index and answers 409.
pub async fn insert_row(
    conn: &mut AnyConnection,
    f: &Fields,
    visit: Option<i64>,
    responsible: Option<i64>,
    unit: Option<i64>,
    predecessor: Option<i64>,
) -> AppResult<i64> {
    let now = now_text();
    let result = sqlx::query_scalar(
        "INSERT INTO agreements (kind, title, status, signed_date, effective_date, expiry_date, notice_days, auto_renew,
             predecessor_id, visit_id, responsible_id, unit_id, notes, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(&f.kind)
    .bind(&f.title)
    .bind(AgreementStatus::Draft.as_str())
    .bind(&f.signed_date)
    .bind(&f.effective_date)
    .bind(&f.expiry_date)
    .bind(f.notice_days)
    .bind(i64::from(f.auto_renew))
    .bind(predecessor)
    .bind(visit)
    .bind(responsible)
    .bind(unit)
    .bind(&f.notes)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await;
    result.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::Conflict("this agreement has already been renewed; renew its successor instead".into(), None)
        } else {
            e.into()
        }
    })
}

/// Stores an agreement's own fields and references.
pub async fn update_row(
    conn: &mut AnyConnection,
    id: i64,
    f: &Fields,
    visit: Option<i64>,
    responsible: Option<i64>,
    unit: Option<i64>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE agreements SET kind = $1, title = $2, signed_date = $3, effective_date = $4, expiry_date = $5, notice_days = $6,
             auto_renew = $7, visit_id = $8, responsible_id = $9, unit_id = $10, notes = $11, updated_at = $12 WHERE id = $13",
    )
    .bind(&f.kind)
    .bind(&f.title)
    .bind(&f.signed_date)
    .bind(&f.effective_date)
    .bind(&f.expiry_date)
    .bind(f.notice_days)
    .bind(i64::from(f.auto_renew))
    .bind(visit)
    .bind(responsible)
    .bind(unit)
    .bind(&f.notes)
    .bind(now_text())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces the parties of an agreement.
pub async fn set_parties(conn: &mut AnyConnection, id: i64, parties: &[PartyInput]) -> AppResult<()> {
    sqlx::query("DELETE FROM agreement_parties WHERE agreement_id = $1").bind(id).execute(&mut *conn).await?;
    for p in parties {
        sqlx::query("INSERT INTO agreement_parties (agreement_id, institution_id, unit_id) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(p.institution_id)
            .bind(p.unit_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Replaces the cooperation areas of an agreement.
pub async fn set_areas(conn: &mut AnyConnection, id: i64, areas: &[String]) -> AppResult<()> {
    sqlx::query("DELETE FROM agreement_areas WHERE agreement_id = $1").bind(id).execute(&mut *conn).await?;
    for a in areas {
        sqlx::query("INSERT INTO agreement_areas (agreement_id, area) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(a)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Appends a dated status event to an agreement's history.
pub async fn insert_status_event(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    status: AgreementStatus,
    on: &str,
    note: Option<&str>,
) -> AppResult<()> {
    sqlx::query("INSERT INTO agreement_status_events (agreement_id, status, on_date, note, at, actor) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(status.as_str())
        .bind(on)
        .bind(note)
        .bind(now_text())
        .bind(&actor.label)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the status; signing fills the signed date and taking effect the effective date
/// with `on` when they are still empty.
pub async fn move_status(conn: &mut AnyConnection, id: i64, to: AgreementStatus, on: &str) -> AppResult<()> {
    sqlx::query(
        "UPDATE agreements SET status = $1,
             signed_date = CASE WHEN $1 = 'signed' THEN COALESCE(signed_date, $2) ELSE signed_date END,
             effective_date = CASE WHEN $1 = 'in_effect' THEN COALESCE(effective_date, $2) ELSE effective_date END,
             updated_at = $3 WHERE id = $4",
    )
    .bind(to.as_str())
    .bind(on)
    .bind(now_text())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts a signatory row; returns its id.
pub async fn insert_signatory(
    conn: &mut AnyConnection,
    agreement_id: i64,
    person_id: i64,
    title: &str,
    institution: Option<i64>,
    signed: Option<&str>,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO agreement_signatories (agreement_id, person_id, position_title, institution_id, signed_date)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(agreement_id)
    .bind(person_id)
    .bind(title)
    .bind(institution)
    .bind(signed)
    .fetch_one(&mut *conn)
    .await?)
}

/// Marks the agreement changed now.
pub async fn touch(conn: &mut AnyConnection, id: i64) -> AppResult<()> {
    sqlx::query("UPDATE agreements SET updated_at = $1 WHERE id = $2").bind(now_text()).bind(id).execute(conn).await?;
    Ok(())
}
