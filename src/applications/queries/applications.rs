//! SQL of applications, their choices, documents and status history.

use sqlx::AnyConnection;

use crate::{
    applications::model::{Application, ApplicationDocument, ApplicationQuery, ApplicationStatus, Choice},
    error::{AppError, AppResult},
    status::Status,
    time::now_text,
};

const APP_SELECT: &str = "SELECT a.id, a.call_id, c.title_en AS call_title, a.user_id, u.display_name AS student_name,
    u.email AS student_email, a.status, a.level, a.gpa_x100, a.student_number, a.faculty, a.phone, a.language_certificate,
    a.motivation, a.eligibility_note, a.interview_at, a.interview_place, a.score_x100, a.rank, a.allocated_partner_id,
    a.allocated_choice, a.allocation_json, a.override_note, a.respond_by, a.partner_reason, a.mobility_id, a.submitted_at,
    a.created_at, a.updated_at
    FROM applications a JOIN calls c ON c.id = a.call_id JOIN users u ON u.id = a.user_id";

/// Starts a draft; a second application by the same student to the same call is 409.
pub async fn insert_application(conn: &mut AnyConnection, call_id: i64, user_id: i64) -> AppResult<i64> {
    let now = now_text();
    let res = sqlx::query_scalar(
        "INSERT INTO applications (call_id, user_id, status, created_at, updated_at) VALUES ($1, $2, 'draft', $3, $3) RETURNING id",
    )
    .bind(call_id)
    .bind(user_id)
    .bind(now)
    .fetch_one(conn)
    .await;
    match res {
        Ok(id) => Ok(id),
        Err(e) if crate::db::is_unique_violation(&e) => {
            Err(AppError::Conflict("You have already applied to this call; open your application instead.".into(), None))
        }
        Err(e) => Err(e.into()),
    }
}

/// An application (404 if none).
pub async fn get_application(conn: &mut AnyConnection, id: i64) -> AppResult<Application> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{APP_SELECT} WHERE a.id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// A student's applications, newest first.
pub async fn applications_of(conn: &mut AnyConnection, user_id: i64) -> AppResult<Vec<Application>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{APP_SELECT} WHERE a.user_id = $1 ORDER BY a.id DESC")))
        .bind(user_id)
        .fetch_all(conn)
        .await?)
}

/// Applications matching the office's filters, by rank then id.
pub async fn list_applications(conn: &mut AnyConnection, q: &ApplicationQuery) -> AppResult<Vec<Application>> {
    let like = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| format!("%{}%", s.to_lowercase())).unwrap_or_default();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{APP_SELECT} WHERE ($1 = 0 OR a.call_id = $1) AND ($2 = '' OR a.status = $2)
           AND ($3 = 0 OR EXISTS (SELECT 1 FROM application_choices ch JOIN call_partners cp ON cp.id = ch.call_partner_id
                                  WHERE ch.application_id = a.id AND cp.institution_id = $3))
           AND ($4 = '' OR lower(u.display_name) LIKE $4 OR lower(a.student_number) LIKE $4)
         ORDER BY CASE WHEN a.rank IS NULL THEN 1 ELSE 0 END, a.rank, a.id"
    )))
    .bind(q.call_id.unwrap_or(0))
    .bind(q.status.clone().unwrap_or_default())
    .bind(q.partner_id.unwrap_or(0))
    .bind(like)
    .fetch_all(conn)
    .await?)
}

/// The student's fields, as checked.
pub struct Fields<'a> {
    /// Level.
    pub level: &'a str,
    /// GPA in hundredths.
    pub gpa: Option<i64>,
    /// Student number, faculty, phone, language certificate, motivation.
    pub texts: [&'a str; 5],
}

/// Writes the student's fields.
pub async fn update_fields(conn: &mut AnyConnection, id: i64, f: &Fields<'_>) -> AppResult<()> {
    sqlx::query(
        "UPDATE applications SET level = $1, gpa_x100 = $2, student_number = $3, faculty = $4, phone = $5,
             language_certificate = $6, motivation = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(f.level)
    .bind(f.gpa)
    .bind(f.texts[0])
    .bind(f.texts[1])
    .bind(f.texts[2])
    .bind(f.texts[3])
    .bind(f.texts[4])
    .bind(now_text())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the ranked choices.
pub async fn set_choices(conn: &mut AnyConnection, id: i64, partners: &[i64]) -> AppResult<()> {
    sqlx::query("DELETE FROM application_choices WHERE application_id = $1").bind(id).execute(&mut *conn).await?;
    for (i, p) in partners.iter().enumerate() {
        sqlx::query("INSERT INTO application_choices (application_id, priority, call_partner_id) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(i as i64 + 1)
            .bind(p)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The ranked choices.
pub async fn choices(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<Choice>> {
    Ok(sqlx::query_as(
        "SELECT ch.priority, ch.call_partner_id, i.name_en AS name FROM application_choices ch
         JOIN call_partners cp ON cp.id = ch.call_partner_id JOIN institutions i ON i.id = cp.institution_id
         WHERE ch.application_id = $1 ORDER BY ch.priority",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Every choice of a call's applications: (application, call partner), by priority.
pub async fn call_choices(conn: &mut AnyConnection, call_id: i64) -> AppResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT ch.application_id, ch.call_partner_id FROM application_choices ch JOIN applications a ON a.id = ch.application_id
         WHERE a.call_id = $1 ORDER BY ch.application_id, ch.priority",
    )
    .bind(call_id)
    .fetch_all(conn)
    .await?)
}

/// Moves an application from `from` to `to` with a history row; false if it was no
/// longer at `from` (someone else moved it first).
pub async fn move_status(
    conn: &mut AnyConnection,
    id: i64,
    from: ApplicationStatus,
    to: ApplicationStatus,
    note: &str,
    actor: &str,
) -> AppResult<bool> {
    let now = now_text();
    let submitted = if to == ApplicationStatus::Submitted { Some(now.clone()) } else { None };
    let n = sqlx::query(
        "UPDATE applications SET status = $1, updated_at = $2, submitted_at = COALESCE($3, submitted_at) WHERE id = $4 AND status = $5",
    )
    .bind(to.as_str())
    .bind(&now)
    .bind(submitted)
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    sqlx::query("INSERT INTO application_events (application_id, status, note, actor, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(to.as_str())
        .bind(note)
        .bind(actor)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(true)
}

/// The row of a stored document.
pub struct NewDocument<'a> {
    /// Application.
    pub application_id: i64,
    /// Kind.
    pub kind: &'a str,
    /// File name.
    pub name: &'a str,
    /// Sniffed type.
    pub content_type: &'a str,
    /// Size.
    pub size: i64,
    /// SHA-256.
    pub sha256: &'a str,
    /// Key in the store.
    pub key: &'a str,
}

/// Inserts a document row; answers its id.
pub async fn insert_document(conn: &mut AnyConnection, d: &NewDocument<'_>) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO application_documents (application_id, kind, name, content_type, size_bytes, sha256, storage_key, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(d.application_id)
    .bind(d.kind)
    .bind(d.name)
    .bind(d.content_type)
    .bind(d.size)
    .bind(d.sha256)
    .bind(d.key)
    .bind(now_text())
    .fetch_one(conn)
    .await?)
}

/// An application's documents, newest first.
pub async fn documents(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<ApplicationDocument>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, name, content_type, size_bytes, uploaded_at FROM application_documents WHERE application_id = $1 ORDER BY id DESC",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// A document's (key, type, name, size, sha256), if it belongs to the application.
pub async fn document_file(conn: &mut AnyConnection, id: i64, doc: i64) -> AppResult<Option<(String, String, String, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT storage_key, content_type, name, size_bytes, sha256 FROM application_documents WHERE application_id = $1 AND id = $2",
    )
    .bind(id)
    .bind(doc)
    .fetch_optional(conn)
    .await?)
}

/// Every stored key (the file store's collector keeps these).
pub async fn all_storage_keys(conn: &mut AnyConnection) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT storage_key FROM application_documents").fetch_all(conn).await?)
}
