//! User accounts and role grants: the queries behind `liaison user …`, the users API
//! and login. Password hashes never leave this module except for verification.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{CurrentUser, Grant, Role, password, queries};
use crate::{
    audit::{self, Action, Actor},
    db::{Db, is_unique_violation},
    error::{AppError, AppResult, FieldError},
};

/// Input for a new account.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewUser {
    /// Login name: 2–64 of a–z, 0–9, `.`, `_`, `-`.
    pub username: String,
    /// Shown name (defaults to the username).
    #[serde(default)]
    pub display_name: Option<String>,
    /// E-mail address for notifications.
    #[serde(default)]
    pub email: Option<String>,
    /// At least 10 characters.
    pub password: String,
    /// Initial grants.
    #[serde(default)]
    pub grants: Vec<NewGrant>,
}

/// A grant to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewGrant {
    /// Role name.
    pub role: String,
    /// Unit id (required for coordinator).
    #[serde(default)]
    pub unit_id: Option<i64>,
}

/// A user as listed (no secrets).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserSummary {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// E-mail.
    pub email: Option<String>,
    /// UI language.
    pub locale: String,
    /// Whether the account may log in.
    pub active: bool,
    /// Grants.
    pub grants: Vec<Grant>,
}

/// What the audit log keeps of a user (never the hash).
#[derive(Serialize)]
struct UserAudit<'a> {
    username: &'a str,
    display_name: &'a str,
    email: Option<&'a str>,
}

fn valid_username(name: &str) -> bool {
    (2..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

fn parse_grant(g: &NewGrant) -> Result<Grant, FieldError> {
    let role = Role::parse(&g.role).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        FieldError::new("grants", format!("unknown role '{}'; use one of {}", g.role, all.join(", ")))
    })?;
    if role == Role::Coordinator && g.unit_id.is_none() {
        return Err(FieldError::new("grants", "a coordinator grant needs a unit: choose the unit they coordinate"));
    }
    Ok(Grant { role, unit_id: if role == Role::Coordinator { g.unit_id } else { None } })
}

/// Creates an account with its grants in one transaction.
pub async fn create_user(db: &Db, actor: &Actor, new: NewUser) -> AppResult<i64> {
    let username = new.username.trim().to_ascii_lowercase();
    let mut errors = Vec::new();
    if !valid_username(&username) {
        errors.push(FieldError::new("username", "use 2–64 characters: a–z, 0–9, '.', '_' or '-'"));
    }
    if let Err(m) = password::check_new(&new.password) {
        errors.push(FieldError::new("password", m));
    }
    let email = new.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_string);
    if email.as_deref().is_some_and(|e| !e.contains('@') || e.contains(' ')) {
        errors.push(FieldError::new("email", "this is not an e-mail address"));
    }
    let grants: Vec<Grant> = new.grants.iter().filter_map(|g| parse_grant(g).map_err(|e| errors.push(e)).ok()).collect();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let display = new.display_name.as_deref().map(str::trim).filter(|d| !d.is_empty()).unwrap_or(&username).to_string();
    let hash = password::hash(new.password).await?;
    let mut tx = db.begin().await?;
    let row = queries::UserRow { username: &username, display_name: &display, email: email.as_deref(), password_hash: &hash };
    let id: i64 = match queries::insert_user(&mut tx, &row).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict(format!("The username '{username}' is taken."), None));
        }
        Err(e) => return Err(e.into()),
    };
    for g in &grants {
        insert_grant(&mut tx, id, g).await?;
    }
    let rec = UserAudit { username: &username, display_name: &display, email: email.as_deref() };
    audit::record(&mut tx, actor, Action::Create, "user", id, None, Some(&rec)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds a grant unless the user has it; true if it was new.
async fn insert_grant(conn: &mut sqlx::AnyConnection, user_id: i64, g: &Grant) -> AppResult<bool> {
    let res = queries::insert_grant(conn, user_id, g.role.as_str(), g.unit_id).await;
    match res {
        Ok(new) => Ok(new),
        Err(e) if crate::db::is_constraint_violation(&e) => Err(AppError::field("unit_id", "no such unit")),
        Err(e) => Err(e.into()),
    }
}

/// Adds a grant to a user (idempotent).
pub async fn grant(db: &Db, actor: &Actor, user_id: i64, new: &NewGrant) -> AppResult<()> {
    let g = parse_grant(new).map_err(|e| AppError::Validation(vec![e]))?;
    let mut tx = db.begin().await?;
    if !queries::user_exists(&mut tx, user_id).await? {
        return Err(AppError::NotFound);
    }
    if !insert_grant(&mut tx, user_id, &g).await? {
        // Already granted: nothing changes, nothing to audit.
        return Ok(());
    }
    audit::record(&mut tx, actor, Action::Update, "user", user_id, None, Some(&serde_json::json!({"granted": g}))).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces a user's password, ends their sessions and revokes their API tokens (whoever
/// held the old password may have made either).
pub async fn set_password(db: &Db, actor: &Actor, user_id: i64, new_password: String) -> AppResult<()> {
    password::check_new(&new_password).map_err(|m| AppError::field("password", m))?;
    let hash = password::hash(new_password).await?;
    let mut tx = db.begin().await?;
    if !queries::set_password_hash(&mut tx, user_id, &hash).await? {
        return Err(AppError::NotFound);
    }
    queries::delete_sessions_of(&mut tx, user_id).await?;
    queries::revoke_tokens_of(&mut tx, user_id).await?;
    audit::record(&mut tx, actor, Action::Update, "user", user_id, None, Some(&serde_json::json!({"password": "changed"}))).await?;
    tx.commit().await?;
    Ok(())
}

/// Looks a user id up by username.
pub async fn id_by_username(db: &Db, username: &str) -> AppResult<i64> {
    queries::user_id_by_username(db, &username.trim().to_ascii_lowercase()).await?.ok_or(AppError::NotFound)
}

/// What login needs: id, hash, active.
pub async fn login_record(db: &Db, username: &str) -> anyhow::Result<Option<(i64, String, bool)>> {
    Ok(queries::login_record(db, &username.trim().to_ascii_lowercase()).await?)
}

async fn grants_of(db: &Db, user_id: i64) -> anyhow::Result<Vec<Grant>> {
    let rows = queries::grants_of(db, user_id).await?;
    Ok(rows.into_iter().filter_map(|(r, unit_id)| Role::parse(&r).map(|role| Grant { role, unit_id })).collect())
}

/// Loads the request's user with grants in one query; `None` if missing or deactivated.
pub async fn load_current(db: &Db, user_id: i64) -> anyhow::Result<Option<CurrentUser>> {
    let rows = queries::current_user_rows(db, user_id).await?;
    let Some((id, username, display_name, locale, _, _)) = rows.first().cloned() else { return Ok(None) };
    let grants =
        rows.into_iter().filter_map(|(.., role, unit_id)| role.and_then(|r| Role::parse(&r)).map(|role| Grant { role, unit_id })).collect();
    Ok(Some(CurrentUser { id, username, display_name, locale, grants }))
}

/// All users, by username.
pub async fn list_users(db: &Db) -> anyhow::Result<Vec<UserSummary>> {
    let rows = queries::list_users(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, username, display_name, email, locale, active) in rows {
        let grants = grants_of(db, id).await?;
        out.push(UserSummary { id, username, display_name, email, locale, active: active == 1, grants });
    }
    Ok(out)
}

/// Remembers a user's UI language.
pub async fn set_locale(db: &Db, user_id: i64, locale: &str) -> anyhow::Result<()> {
    Ok(queries::set_locale(db, user_id, locale).await?)
}

/// A new account made by single sign-on: no password (password login refuses it), the
/// e-mail only if the provider vouched for it, and the roles its claims gave. Runs on the
/// caller's transaction; the username is `base`, or `base-2`, `base-3`, … if taken.
pub async fn create_signed_on(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    base: &str,
    display_name: &str,
    email: Option<&str>,
    roles: &[String],
) -> AppResult<i64> {
    let mut username = base.to_string();
    for n in 2..1000 {
        if !queries::username_taken(conn, &username).await? {
            break;
        }
        username = format!("{base}-{n}");
    }
    let display = if display_name.trim().is_empty() { username.clone() } else { display_name.trim().to_string() };
    let row = queries::UserRow { username: &username, display_name: &display, email, password_hash: "" };
    let id = match queries::insert_user(conn, &row).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict("Someone signed in with the same name at the same moment; please sign in again.".into(), None));
        }
        Err(e) => return Err(e.into()),
    };
    for role in roles.iter().filter_map(|r| Role::parse(r)) {
        insert_grant(conn, id, &Grant { role, unit_id: None }).await?;
    }
    let rec = UserAudit { username: &username, display_name: &display, email };
    audit::record(conn, actor, Action::Create, "user", id, None, Some(&rec)).await?;
    Ok(id)
}

/// One account with its grants; `None` if there is no such user.
pub async fn get_user(db: &Db, user_id: i64) -> anyhow::Result<Option<UserSummary>> {
    let Some((id, username, display_name, email, locale, active)) = queries::user_row(db, user_id).await? else { return Ok(None) };
    let grants = grants_of(db, id).await?;
    Ok(Some(UserSummary { id, username, display_name, email, locale, active: active == 1, grants }))
}

/// Lets an account log in again, or stops it: a deactivated account's sessions end and
/// its API tokens are revoked. Administrators cannot deactivate themselves (someone must
/// be left who can undo it).
pub async fn set_active(db: &Db, actor: &Actor, user_id: i64, active: bool) -> AppResult<()> {
    if !active && actor.id == Some(user_id) {
        return Err(AppError::Conflict("You cannot deactivate your own account; ask another administrator.".into(), None));
    }
    let mut tx = db.begin().await?;
    if !queries::set_active(&mut tx, user_id, active).await? {
        return Err(AppError::NotFound);
    }
    if !active {
        queries::delete_sessions_of(&mut tx, user_id).await?;
        queries::revoke_tokens_of(&mut tx, user_id).await?;
    }
    let change = serde_json::json!({"active": active});
    audit::record(&mut tx, actor, Action::Update, "user", user_id, None, Some(&change)).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a grant (the unit matters for coordinator grants); false if the user did not
/// hold it. Administrators cannot take the admin role from themselves.
pub async fn revoke(db: &Db, actor: &Actor, user_id: i64, role: &str, unit_id: Option<i64>) -> AppResult<bool> {
    let g = parse_grant(&NewGrant { role: role.to_string(), unit_id }).map_err(|e| AppError::Validation(vec![e]))?;
    if g.role == Role::Admin && actor.id == Some(user_id) {
        return Err(AppError::Conflict("You cannot take the admin role from yourself; ask another administrator.".into(), None));
    }
    let mut tx = db.begin().await?;
    if !queries::user_exists(&mut tx, user_id).await? {
        return Err(AppError::NotFound);
    }
    if !queries::delete_grant(&mut tx, user_id, g.role.as_str(), g.unit_id).await? {
        return Ok(false);
    }
    audit::record(&mut tx, actor, Action::Update, "user", user_id, Some(&serde_json::json!({"revoked": g})), None).await?;
    tx.commit().await?;
    Ok(true)
}
