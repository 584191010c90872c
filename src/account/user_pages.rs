//! `/users`: administrators list accounts, create them, grant and revoke roles
//! (coordinator per unit), deactivate and reactivate, reset passwords, and see who signs
//! in through which provider, linking and unlinking identities. Every change goes
//! through the same functions as the API and is audited there. Each form posts to the
//! page it is on, so a refused form leaves an address that reloads.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::queries;
use crate::{
    audit::Actor,
    auth::{
        Grant, Role,
        users::{self, NewGrant, NewUser, UserSummary},
    },
    error::{AppError, AppResult},
    sso::identities::{self, Identity, NewIdentity},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms::{FormState, field},
        i18n::{Locale, Tr},
        pages::Base,
        render,
    },
};

/// Roles an administrator may grant, in display order.
fn roles() -> Vec<&'static str> {
    Role::ALL.iter().map(|r| r.as_str()).collect()
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    base: Base,
    users: Vec<UserSummary>,
    identities: Vec<Identity>,
    roles: Vec<&'static str>,
    form: FormState,
}

impl ListPage {
    fn providers_of(&self, user_id: &i64) -> String {
        let mut names: Vec<&str> = self.identities.iter().filter(|i| i.user_id == *user_id).map(|i| i.provider.as_str()).collect();
        names.dedup();
        names.join(", ")
    }
}

#[derive(Template)]
#[template(path = "users/detail.html")]
struct DetailPage {
    base: Base,
    user: UserSummary,
    identities: Vec<Identity>,
    roles: Vec<&'static str>,
    units: Vec<(i64, String)>,
    providers: Vec<String>,
    done: Option<String>,
    form: FormState,
    is_self: bool,
}

impl DetailPage {
    fn unit_name(&self, g: &Grant) -> String {
        g.unit_id
            .map(|id| self.units.iter().find(|(u, _)| *u == id).map(|(_, n)| n.clone()).unwrap_or_else(|| format!("#{id}")))
            .unwrap_or_default()
    }
}

fn optional(fields: &[(String, String)], name: &str) -> Option<String> {
    Some(field(fields, name).to_string()).filter(|v| !v.is_empty())
}

fn unit_of(fields: &[(String, String)]) -> AppResult<Option<i64>> {
    match field(fields, "unit_id") {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| AppError::field("unit_id", "choose a unit from the list")),
    }
}

async fn list_page(state: &AppState, ctx: &Ctx, form: FormState) -> AppResult<ListPage> {
    Ok(ListPage {
        base: Base::new(ctx, Tr(ctx.locale).t("users.title"), "users"),
        users: users::list_users(&state.db).await?,
        identities: identities::all(&state.db).await?,
        roles: roles(),
        form,
    })
}

/// `GET /users`.
pub(super) async fn users_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(render(&list_page(&state, &ctx, FormState::default()).await?))
}

/// `POST /users`: creates an account with an optional first role.
pub(super) async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    User(admin): User,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let role = optional(&fields, "role");
    let new = NewUser {
        username: field(&fields, "username").to_string(),
        display_name: optional(&fields, "display_name"),
        email: optional(&fields, "email"),
        password: field(&fields, "password").to_string(),
        grants: role.map(|role| NewGrant { role, unit_id: None }).into_iter().collect(),
    };
    match users::create_user(&state.db, &Actor::from(&*admin), new).await {
        Ok(id) => Ok(Redirect::to(&format!("/users/{id}?done=created")).into_response()),
        Err(err) => {
            let status = err.status();
            let form = FormState::failed("create", fields, err, ctx.locale)?;
            Ok((status, render(&list_page(&state, &ctx, form).await?)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub(super) struct DetailQuery {
    done: Option<String>,
}

async fn detail_page(state: &AppState, ctx: &Ctx, id: i64, done: Option<String>, form: FormState) -> AppResult<DetailPage> {
    let user = users::get_user(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let lang = if ctx.locale == Locale::Zh { "zh" } else { "en" };
    let is_self = ctx.user.as_ref().is_some_and(|u| u.id == id);
    Ok(DetailPage {
        base: Base::new(ctx, user.display_name.clone(), "users"),
        identities: identities::of_user(&state.db, id).await?,
        roles: roles(),
        units: queries::home_units(&state.db, lang).await?,
        providers: state.settings.sso.providers.iter().map(|p| p.id.clone()).collect(),
        done: done.filter(|d| {
            ["created", "granted", "revoked", "activated", "deactivated", "password", "linked", "unlinked"].contains(&d.as_str())
        }),
        form,
        is_self,
        user,
    })
}

/// `GET /users/{id}`.
pub(super) async fn user_page(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<DetailQuery>,
) -> AppResult<Response> {
    Ok(render(&detail_page(&state, &ctx, id, q.done, FormState::default()).await?))
}

/// `POST /users/{id}`: one change, named by the `action` field.
pub(super) async fn change_user(
    State(state): State<AppState>,
    ctx: Ctx,
    User(admin): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let actor = Actor::from(&*admin);
    let action = field(&fields, "action").to_string();
    let result = apply(&state, &actor, id, &action, &fields).await;
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/users/{id}?done={done}")).into_response()),
        Err(AppError::NotFound) if action != "unlink" => Err(AppError::NotFound),
        Err(err) => {
            let status = err.status();
            let form = FormState::failed(form_name(&action), fields, err, ctx.locale)?;
            Ok((status, render(&detail_page(&state, &ctx, id, None, form).await?)).into_response())
        }
    }
}

fn form_name(action: &str) -> &'static str {
    match action {
        "grant" => "grant",
        "revoke" => "revoke",
        "password" => "password",
        "link" => "link",
        "unlink" => "unlink",
        _ => "active",
    }
}

async fn apply(state: &AppState, actor: &Actor, id: i64, action: &str, fields: &[(String, String)]) -> AppResult<&'static str> {
    let db = &state.db;
    match action {
        "grant" => {
            let g = NewGrant { role: field(fields, "role").to_string(), unit_id: unit_of(fields)? };
            users::grant(db, actor, id, &g).await.map(|_| "granted")
        }
        "revoke" => users::revoke(db, actor, id, field(fields, "role"), unit_of(fields)?).await.map(|_| "revoked"),
        "activate" => users::set_active(db, actor, id, true).await.map(|_| "activated"),
        "deactivate" => users::set_active(db, actor, id, false).await.map(|_| "deactivated"),
        "password" => users::set_password(db, actor, id, field(fields, "password").to_string()).await.map(|_| "password"),
        "link" => {
            let new = NewIdentity { provider: field(fields, "provider").to_string(), subject: field(fields, "subject").to_string() };
            identities::link(state, actor, id, &new).await.map(|_| "linked")
        }
        "unlink" => {
            let identity: i64 = field(fields, "identity_id").parse().map_err(|_| AppError::NotFound)?;
            let mine = identities::of_user(db, id).await?.iter().any(|i| i.id == identity);
            if !mine || !identities::unlink(db, actor, identity).await? {
                return Err(AppError::NotFound);
            }
            Ok("unlinked")
        }
        _ => Err(AppError::field("action", "choose one of the buttons on the page")),
    }
}
