//! Pages of rooms: the buildings and rooms list with forms for room managers, a week
//! grid of one room with its booking form, the pending bookings to approve, and "find a
//! free room". Times are entered and shown in the building's time zone.

mod booking;
mod free;
mod room;
pub mod week;

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{
    model::{Building, Room},
    queries,
};
use crate::{
    audit::Actor,
    auth::{Access, Permission},
    error::{AppError, AppResult},
    web::{
        AppState,
        context::{Ctx, User},
        extract::FormData,
        i18n::Tr,
        pages::Base,
        render,
        routes::Routes,
    },
};

/// Routes of this module's pages.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let book = Access::Permission(Permission::BookRooms);
    let manage = Access::Permission(Permission::ManageRooms);
    Routes::new()
        .get("/rooms", view, get(list_rooms))
        .post("/rooms/buildings", manage, post(create_building))
        .post("/rooms/new", manage, post(create_room))
        .get("/rooms/free", view, get(free::find_free_room))
        .get("/rooms/approvals", manage, get(room::list_approvals))
        .get("/rooms/{id}", view, get(room::show_room))
        .post("/rooms/{id}/book", book, post(room::book_room))
        .post("/rooms/bookings/{id}/cancel", book, post(room::cancel_booking))
        .post("/rooms/bookings/{id}/confirm", manage, post(room::confirm_booking))
}

/// Field errors of a form: (field, message).
type Errors = Vec<(String, String)>;

fn error_in<'a>(errors: &'a Errors, field: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
}

/// Turns a domain error into inline messages, or passes on what is not about the input.
fn inline(e: AppError) -> AppResult<Errors> {
    match e {
        AppError::Validation(errs) => Ok(errs.into_iter().map(|e| (e.field, e.message)).collect()),
        AppError::Conflict(msg, _) => Ok(vec![("name".into(), msg)]),
        other => Err(other),
    }
}

/// What the building form sends.
#[derive(Debug, Clone, Deserialize)]
pub struct BuildingForm {
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default = "default_zone")]
    time_zone: String,
}

fn default_zone() -> String {
    "Asia/Shanghai".into()
}

impl Default for BuildingForm {
    fn default() -> Self {
        BuildingForm { name_en: String::new(), name_zh: String::new(), time_zone: default_zone() }
    }
}

/// What the room form sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RoomForm {
    #[serde(default)]
    building_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    equipment: String,
    #[serde(default)]
    needs_approval: Option<String>,
}

#[derive(Template)]
#[template(path = "rooms/list.html")]
struct ListPage {
    base: Base,
    buildings: Vec<(Building, Vec<Room>)>,
    building_form: BuildingForm,
    building_errors: Errors,
    room_form: RoomForm,
    room_errors: Errors,
}

impl ListPage {
    fn building_error(&self, field: &str) -> Option<&str> {
        error_in(&self.building_errors, field)
    }

    fn room_error(&self, field: &str) -> Option<&str> {
        error_in(&self.room_errors, field)
    }

    fn is_selected(&self, building: &Building) -> bool {
        self.room_form.building_id == building.id.to_string()
    }
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    building_form: BuildingForm,
    building_errors: Errors,
    room_form: RoomForm,
    room_errors: Errors,
) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let buildings = queries::list_buildings(&mut conn).await?;
    let rooms = queries::list_rooms(&mut conn, None).await?;
    let buildings = buildings
        .into_iter()
        .map(|b| {
            let mine = rooms.iter().filter(|r| r.building_id == b.id).cloned().collect();
            (b, mine)
        })
        .collect();
    let status = if building_errors.is_empty() && room_errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let base = Base::new(ctx, Tr(ctx.locale).t("rooms.title"), "rooms");
    let (building_errors, room_errors) = (base.tr.field_messages(building_errors), base.tr.field_messages(room_errors));
    Ok((status, render(&ListPage { base, buildings, building_form, building_errors, room_form, room_errors })).into_response())
}

/// `GET /rooms`: buildings and their rooms.
pub async fn list_rooms(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    list_page(&state, &ctx, BuildingForm::default(), Vec::new(), RoomForm::default(), Vec::new()).await
}

/// `POST /rooms/buildings`: adds a building of the home institution.
pub async fn create_building(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(form): FormData<BuildingForm>,
) -> AppResult<Response> {
    let tr = Tr(ctx.locale);
    let mut tx = state.db.begin().await?;
    let home = crate::institutions::lookup::home_id(&mut tx).await?;
    let errors = match home {
        None => vec![("name_en".to_string(), tr.t("rooms.error.no_home").to_string())],
        Some(home) => {
            let name_zh = Some(form.name_zh.trim()).filter(|z| !z.is_empty());
            match super::add_building(&mut tx, &Actor::from(&*user), home, &form.name_en, name_zh, form.time_zone.trim()).await {
                Ok(_) => {
                    tx.commit().await?;
                    return Ok(Redirect::to("/rooms").into_response());
                }
                Err(e) => inline(e)?,
            }
        }
    };
    drop(tx);
    list_page(&state, &ctx, form, errors, RoomForm::default(), Vec::new()).await
}

/// `POST /rooms/new`: adds a room to a building.
pub async fn create_room(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(form): FormData<RoomForm>,
) -> AppResult<Response> {
    let tr = Tr(ctx.locale);
    let mut errors = Vec::new();
    let building: Option<i64> = form.building_id.trim().parse().ok();
    if building.is_none() {
        errors.push(("building_id".to_string(), tr.t("rooms.error.pick_building").to_string()));
    }
    let capacity: Option<i64> = form.capacity.trim().parse().ok().filter(|c| *c >= 1);
    if capacity.is_none() {
        errors.push(("capacity".to_string(), tr.t("rooms.error.capacity").to_string()));
    }
    if form.name.trim().is_empty() {
        errors.push(("name".to_string(), tr.t("rooms.error.room_name").to_string()));
    }
    if let (Some(b), Some(c), true) = (building, capacity, errors.is_empty()) {
        let mut tx = state.db.begin().await?;
        let approval = form.needs_approval.is_some();
        match super::add_room(&mut tx, &Actor::from(&*user), b, &form.name, c, form.equipment.trim(), approval).await {
            Ok(id) => {
                tx.commit().await?;
                return Ok(Redirect::to(&format!("/rooms/{id}")).into_response());
            }
            Err(e) => errors = inline(e)?,
        }
    }
    list_page(&state, &ctx, BuildingForm::default(), Vec::new(), form, errors).await
}
