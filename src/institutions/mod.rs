//! Partners: institutions (one of them home), their units with several names, people
//! and their concurrent dated positions. Issue-by-issue this grows the worldwide
//! directory, matching and merging; the foundation holds the records themselves.

pub mod api;
pub mod directory;
pub mod identifiers;
pub mod lookup;
pub mod map;
pub mod matching;
pub mod merge;
pub mod model;
pub mod pages;
pub mod partner_field;
pub mod partner_index;
pub mod people_edit;
pub mod people_pages;
pub mod queries;
pub mod records;
pub mod reference;
pub mod transfer;

use axum::routing::{delete, get, patch, post};

use crate::{
    auth::{Access, Permission},
    web::routes::Routes,
};

/// Routes of this module.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditPartners);
    let audit = Access::Permission(Permission::ViewAudit);
    Routes::new()
        .get("/institutions", view, get(pages::list))
        .get("/institutions/new", edit, get(pages::new_form))
        .post("/institutions/new", edit, post(pages::create))
        .get("/institutions/export.csv", view, get(pages::export_institutions_csv))
        .get("/institutions/export.xlsx", view, get(pages::export_institutions_xlsx))
        .get("/people/export.csv", view, get(pages::export_people_csv))
        .get("/people/export.xlsx", view, get(pages::export_people_xlsx))
        .get("/institutions/{id}", view, get(pages::detail))
        .get("/institutions/{id}/edit", edit, get(pages::edit_form))
        .post("/institutions/{id}/edit", edit, post(pages::save))
        .post("/institutions/{id}/merge", edit, post(pages::merge_form))
        .get("/institutions/map.svg", view, get(map::staff_map))
        .get("/partners/map.svg", Access::Public, get(map::public_map))
        .get("/directory", view, get(pages::directory_page))
        .get("/suggest/institutions", view, get(pages::suggest))
        .post("/directory/{domain}/promote", edit, post(pages::promote_form))
        .get("/people", view, get(pages::people))
        .get("/people/new", edit, get(people_pages::new_person))
        .post("/people/new", edit, post(people_pages::create_person))
        .get("/people/{id}", view, get(people_pages::person))
        .post("/people/{id}/positions", edit, post(people_pages::add_position))
        .get("/people/{id}/edit", edit, get(people_edit::edit_form))
        .post("/people/{id}/edit", edit, post(people_edit::save))
        .post("/people/{id}/positions/{pid}/delete", edit, post(people_edit::delete_position))
        .post("/institutions/{id}/units", edit, post(people_pages::add_unit))
        .get("/api/v1/institutions", view, get(api::list_institutions))
        .post("/api/v1/institutions", edit, post(api::create_institution))
        .get("/api/v1/institutions/{id}", view, get(api::get_institution))
        .patch("/api/v1/institutions/{id}", edit, patch(api::update_institution))
        .delete("/api/v1/institutions/{id}", edit, delete(api::delete_institution))
        .get("/api/v1/institutions/{id}/history", audit, get(api::institution_history))
        .get("/api/v1/directory", view, get(directory::list_directory))
        .post("/api/v1/directory/{domain}/promote", edit, post(directory::promote_entry))
        .get("/api/v1/match", view, get(directory::match_institution))
        .get("/api/v1/people", view, get(api::list_people))
        .post("/api/v1/people", edit, post(api::create_person))
        .get("/api/v1/people/{id}", view, get(api::get_person))
        .get("/api/v1/people/{id}/history", audit, get(api::person_history))
        .patch("/api/v1/people/{id}", edit, patch(records::update_person))
        .delete("/api/v1/people/{id}", edit, delete(records::delete_person))
        .post("/api/v1/people/{id}/positions", edit, post(records::add_position))
        .post("/api/v1/people/{id}/merge", edit, post(records::merge_people))
        .delete("/api/v1/positions/{id}", edit, delete(records::delete_position))
        .get("/api/v1/institutions/{id}/units", view, get(records::list_units))
        .post("/api/v1/institutions/{id}/units", edit, post(records::create_unit))
        .post("/api/v1/institutions/{id}/partnership", edit, post(records::add_partnership))
        .post("/api/v1/institutions/{id}/merge", edit, post(records::merge_institutions))
        .patch("/api/v1/units/{id}", Access::Permission(Permission::EditUnits), patch(records::update_unit))
        .delete("/api/v1/units/{id}", edit, delete(records::delete_unit))
}
