//! The caller's account: login, logout, the language switch (pages), and the account
//! API (me, tokens, users and their grants). The rules (roles, passwords, sessions,
//! tokens, users) are in `crate::auth`; this module is their HTTP face.

pub mod api;
pub mod pages;

use axum::routing::{delete, get, post};

use crate::{auth::Access, web::routes::Routes};

/// Routes of this module.
pub fn routes() -> Routes {
    use Access::*;
    Routes::new()
        .get("/login", Public, get(pages::login_page))
        .post("/login", Public, post(pages::login))
        .post("/logout", Public, post(pages::logout))
        .post("/settings/language", Public, post(pages::set_language))
        .get("/my/applications", Authenticated, get(pages::my_applications))
        .get("/api/v1/me", Authenticated, get(api::me))
        .post("/api/v1/tokens", Authenticated, post(api::create_token))
        .delete("/api/v1/tokens/{id}", Authenticated, delete(api::revoke_token))
        .get("/api/v1/users", Permission(crate::auth::Permission::ManageUsers), get(api::list_users))
        .post("/api/v1/users", Permission(crate::auth::Permission::ManageUsers), post(api::create_user))
        .post("/api/v1/users/{id}/grants", Permission(crate::auth::Permission::ManageUsers), post(api::add_grant))
}
