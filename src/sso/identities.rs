//! Linked sign-on identities, for administrators: who signs in how, linking an identity
//! to an account by hand (the only way besides a verified e-mail), and unlinking; each
//! change audited. Shared by the API and the `/users` pages.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::queries::{self, IdentityListRow, IdentityRow};
use crate::{
    audit::{self, Action, Actor},
    db::{Db, is_constraint_violation, is_unique_violation},
    error::{AppError, AppResult},
    web::AppState,
};

/// An identity at a sign-on provider, linked to an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Identity {
    /// Id (for unlinking).
    pub id: i64,
    /// The account.
    pub user_id: i64,
    /// The account's username.
    pub username: String,
    /// Provider id from the configuration.
    pub provider: String,
    /// The subject at the provider (OIDC `sub`, CAS user).
    pub subject: String,
    /// The e-mail the provider last gave (display only; never the key).
    pub email: Option<String>,
    /// How the link was made: `created`, `email` or `admin`.
    pub linked_by: String,
    /// When the link was made.
    pub linked_at: String,
    /// Last sign-in through it.
    pub last_login_at: Option<String>,
}

impl From<IdentityListRow> for Identity {
    fn from((id, user_id, username, provider, subject, email, linked_by, linked_at, last_login_at): IdentityListRow) -> Identity {
        Identity { id, user_id, username, provider, subject, email, linked_by, linked_at, last_login_at }
    }
}

/// Every linked identity, latest sign-in first.
pub async fn all(db: &Db) -> anyhow::Result<Vec<Identity>> {
    Ok(queries::list_identities(db).await?.into_iter().map(Identity::from).collect())
}

/// One account's identities.
pub async fn of_user(db: &Db, user_id: i64) -> anyhow::Result<Vec<Identity>> {
    Ok(queries::identities_of(db, user_id).await?.into_iter().map(Identity::from).collect())
}

/// Input for linking an identity to an account by hand.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewIdentity {
    /// Provider id from the configuration.
    pub provider: String,
    /// The subject at the provider: the OIDC `sub` or the CAS user name.
    pub subject: String,
}

/// Links an identity to an account (an administrator's action), audited.
pub async fn link(state: &AppState, actor: &Actor, user_id: i64, new: &NewIdentity) -> AppResult<i64> {
    let Some(p) = state.settings.sso.provider(new.provider.trim()) else {
        let ids: Vec<&str> = state.settings.sso.providers.iter().map(|p| p.id.as_str()).collect();
        let known = if ids.is_empty() { "none is configured".to_string() } else { ids.join(", ") };
        return Err(AppError::field("provider", format!("there is no sign-on provider '{}'; use one of: {known}", new.provider)));
    };
    let subject = new.subject.trim();
    if subject.is_empty() || subject.len() > 255 {
        return Err(AppError::field("subject", "give the subject the provider uses for this person (1–255 characters)"));
    }
    let mut tx = state.db.begin().await?;
    let row = IdentityRow { user_id, provider: &p.id, issuer: &p.url, subject, email: None, linked_by: "admin", signing_in: false };
    let id = match queries::insert_identity(&mut tx, &row).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict(
                format!("This {} identity is already linked to an account; unlink it there first.", p.id),
                None,
            ));
        }
        Err(e) if is_constraint_violation(&e) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let rec = serde_json::json!({"identity": id, "provider": p.id, "subject": subject, "linked_by": "admin"});
    audit::record(&mut tx, actor, Action::Update, "user", user_id, None, Some(&rec)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Unlinks an identity, audited; false if there was none.
pub async fn unlink(db: &Db, actor: &Actor, identity_id: i64) -> AppResult<bool> {
    let mut tx = db.begin().await?;
    let Some((user_id, provider, subject)) = queries::delete_identity(&mut tx, identity_id).await? else { return Ok(false) };
    let before = serde_json::json!({"identity": identity_id, "provider": provider, "subject": subject});
    audit::record(&mut tx, actor, Action::Update, "user", user_id, Some(&before), Some(&serde_json::json!({"unlinked": identity_id})))
        .await?;
    tx.commit().await?;
    Ok(true)
}
