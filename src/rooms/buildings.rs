//! Adding buildings and rooms (checked, stored and audited in the caller's transaction).

use sqlx::AnyConnection;

use super::{
    model::{check_building, check_room},
    queries::{self, RoomRowIn},
};
use crate::{
    audit::{self, Action, Actor},
    error::AppResult,
};

/// Creates a building.
pub async fn add_building(
    conn: &mut AnyConnection,
    actor: &Actor,
    institution_id: i64,
    name_en: &str,
    name_zh: Option<&str>,
    tz: &str,
) -> AppResult<i64> {
    check_building(name_en, tz)?;
    let id = queries::insert_building(&mut *conn, institution_id, name_en.trim(), name_zh, tz).await?;
    audit::record(conn, actor, Action::Create, "building", id, None, Some(&serde_json::json!({ "name_en": name_en, "time_zone": tz })))
        .await?;
    Ok(id)
}

/// Creates a room.
pub async fn add_room(
    conn: &mut AnyConnection,
    actor: &Actor,
    building_id: i64,
    name: &str,
    capacity: i64,
    equipment: &str,
    needs_approval: bool,
) -> AppResult<i64> {
    check_room(name, capacity)?;
    let row = RoomRowIn { building_id, name: name.trim(), capacity, equipment, needs_approval };
    let id = queries::insert_room(&mut *conn, &row).await?;
    audit::record(conn, actor, Action::Create, "room", id, None, Some(&serde_json::json!({ "name": name, "capacity": capacity }))).await?;
    Ok(id)
}
