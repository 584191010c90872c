//! Which account a signed-in identity opens. The identity (provider + subject) is the
//! key: once linked, the e-mail no longer matters. An unlinked identity is linked to an
//! existing account only when the provider vouches for the e-mail address (or an
//! administrator linked it beforehand); an address the provider does not vouch for that
//! matches an account is refused, never linked. Otherwise a new account is made with the
//! roles the claims give.

use super::{
    model::{SignedIn, SsoError},
    queries::{self, IdentityRow},
};
use crate::{
    audit::{self, Action, Actor},
    auth::users,
    config::Provider,
    db::{Db, is_unique_violation},
    error::{AppError, AppResult},
};

/// How the account was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Through an identity linked before.
    Linked,
    /// Linked now through a verified e-mail address.
    ByEmail,
    /// Created now.
    Created,
}

/// A sign-in's outcome: the account, or why there is none.
pub type Outcome = Result<(i64, Found), SsoError>;

/// The account for a signed-in identity, linking or creating it as the rules say.
pub async fn account_for(db: &Db, p: &Provider, who: &SignedIn) -> AppResult<Outcome> {
    if let Some((identity, user, active)) = queries::identity_user(db, &p.id, &who.subject).await? {
        if !active {
            return Ok(Err(SsoError::Deactivated));
        }
        queries::touch_identity(db, identity, who.email.as_deref()).await?;
        return Ok(Ok((user, Found::Linked)));
    }
    let actor = Actor::system(&format!("sign-on:{}", p.id));
    let mut tx = db.begin().await?;
    let matches = match &who.email {
        Some(email) => queries::users_by_email(&mut tx, email).await?,
        None => Vec::new(),
    };
    let (user_id, found) = match matches.first() {
        Some(_) if !who.email_verified => return Ok(Err(SsoError::UnverifiedEmail)),
        Some((_, active)) if *active != 1 => return Ok(Err(SsoError::Deactivated)),
        Some((id, _)) => (*id, Found::ByEmail),
        None if !p.create_accounts => return Ok(Err(SsoError::NoAccount)),
        None => {
            // An address the provider does not vouch for is not kept: a later sign-in
            // elsewhere with that address verified must not find this account by it.
            let email = who.email.as_deref().filter(|_| who.email_verified);
            let name = who.name.as_deref().unwrap_or_default();
            let id = users::create_signed_on(&mut tx, &actor, &who.username_base(), name, email, &who.roles(p)).await?;
            (id, Found::Created)
        }
    };
    let linked_by = if found == Found::Created { "created" } else { "email" };
    let row = IdentityRow {
        user_id,
        provider: &p.id,
        issuer: &who.issuer,
        subject: &who.subject,
        email: who.email.as_deref(),
        linked_by,
        signing_in: true,
    };
    let identity = match queries::insert_identity(&mut tx, &row).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict(
                "This sign-on was linked at the same moment by another request; please sign in again.".into(),
                None,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let rec = serde_json::json!({"identity": identity, "provider": p.id, "subject": who.subject, "linked_by": linked_by});
    audit::record(&mut tx, &actor, Action::Update, "user", user_id, None, Some(&rec)).await?;
    tx.commit().await?;
    Ok(Ok((user_id, found)))
}
