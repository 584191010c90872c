//! The caller's account: login, logout, the language switch (pages), and the account
//! API (me, tokens, users and their grants). The rules (roles, passwords, sessions,
//! tokens, users) are in `crate::auth`; this module is their HTTP face.

pub mod api;
pub mod pages;
pub mod queries;
mod user_pages;

use axum::routing::{delete, get, patch, post};

use crate::{auth::Access, web::routes::Routes};

/// Routes of this module.
pub fn routes() -> Routes {
    use Access::*;
    Routes::new()
        .get("/login", Public, get(pages::login_page))
        .post("/login", Public, post(pages::login))
        .post("/logout", Public, post(pages::logout))
        .post("/settings/language", Public, post(pages::set_language))
        .get("/api/v1/me", Authenticated, get(api::me))
        .post("/api/v1/tokens", Authenticated, post(api::create_token))
        .delete("/api/v1/tokens/{id}", Authenticated, delete(api::revoke_token))
        .get("/api/v1/users", Permission(crate::auth::Permission::ManageUsers), get(api::list_users))
        .post("/api/v1/users", Permission(crate::auth::Permission::ManageUsers), post(api::create_user))
        .post("/api/v1/users/{id}/grants", Permission(crate::auth::Permission::ManageUsers), post(api::add_grant))
        .get("/api/v1/users/{id}", Permission(crate::auth::Permission::ManageUsers), get(api::get_user))
        .patch("/api/v1/users/{id}", Permission(crate::auth::Permission::ManageUsers), patch(api::update_user))
        .delete("/api/v1/users/{id}/grants/{role}", Permission(crate::auth::Permission::ManageUsers), delete(api::revoke_grant))
        .post("/api/v1/users/{id}/password", Permission(crate::auth::Permission::ManageUsers), post(api::reset_password))
        .get("/users", Permission(crate::auth::Permission::ManageUsers), get(user_pages::users_page))
        .post("/users", Permission(crate::auth::Permission::ManageUsers), post(user_pages::create_user))
        .get("/users/{id}", Permission(crate::auth::Permission::ManageUsers), get(user_pages::user_page))
        .post("/users/{id}", Permission(crate::auth::Permission::ManageUsers), post(user_pages::change_user))
}
