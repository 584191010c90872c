//! The audit log: who changed what, when, with before/after values. Callers write the
//! event inside the same transaction as the change, so a change and its audit record
//! commit or roll back together.

use serde::Serialize;
use sqlx::AnyConnection;
use utoipa::ToSchema;

use crate::db::Db;

/// Who made a change: a user, or the system (CLI, demo loader).
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id, if a user.
    pub id: Option<i64>,
    /// Username or a system label like `cli` or `demo`.
    pub label: String,
}

impl Actor {
    /// A system actor (no user account).
    pub fn system(label: &str) -> Actor {
        Actor { id: None, label: label.to_string() }
    }
}

/// What happened to the record.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    /// Created.
    Create,
    /// Changed.
    Update,
    /// Deleted.
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// Writes one audit event on the caller's transaction.
pub async fn record<T: Serialize>(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: Action,
    entity: &str,
    entity_id: i64,
    before: Option<&T>,
    after: Option<&T>,
) -> anyhow::Result<()> {
    let to_json = |v: Option<&T>| v.map(serde_json::to_string).transpose();
    sqlx::query(
        "INSERT INTO audit_events (at, actor_id, actor, action, entity, entity_id, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(crate::time::now_text())
    .bind(actor.id)
    .bind(&actor.label)
    .bind(action.as_str())
    .bind(entity)
    .bind(entity_id)
    .bind(to_json(before)?)
    .bind(to_json(after)?)
    .execute(conn)
    .await?;
    Ok(())
}

/// One audit event as shown on a record's page and in the API.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AuditEvent {
    /// Event id.
    pub id: i64,
    /// When (UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// create, update or delete.
    pub action: String,
    /// Record type.
    pub entity: String,
    /// Record id.
    pub entity_id: i64,
    /// JSON before the change.
    pub before_json: Option<String>,
    /// JSON after the change.
    pub after_json: Option<String>,
}

impl AuditEvent {
    /// `2024-05-08 01:30 UTC`, for display.
    pub fn at_display(&self) -> String {
        let (date, time) = self.at.split_once('T').unwrap_or((&self.at, ""));
        format!("{date} {} UTC", time.get(..5).unwrap_or(""))
    }

    /// The locale key naming the action.
    pub fn action_key(&self) -> &'static str {
        match self.action.as_str() {
            "create" => "audit.create",
            "update" => "audit.update",
            _ => "audit.delete",
        }
    }

    /// A readable name for the record: its name from the before/after values, else `entity #id`.
    pub fn label(&self) -> String {
        let name = [&self.after_json, &self.before_json].into_iter().flatten().find_map(|j| {
            let v: serde_json::Value = serde_json::from_str(j).ok()?;
            ["name_en", "username"]
                .iter()
                .find_map(|k| v[*k].as_str().map(str::to_string))
                .or_else(|| v[0]["name"].as_str().map(str::to_string))
        });
        match name {
            Some(n) => format!("{n} ({} #{})", self.entity, self.entity_id),
            None => format!("{} #{}", self.entity, self.entity_id),
        }
    }

    /// Link to the record's page, or empty if it has none.
    pub fn href(&self) -> String {
        match self.entity.as_str() {
            "institution" => format!("/institutions/{}", self.entity_id),
            "person" => format!("/people/{}", self.entity_id),
            _ => String::new(),
        }
    }

    /// Field-by-field changes (name, before, after) for display.
    pub fn changes(&self) -> Vec<(String, String, String)> {
        let parse = |s: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
            s.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
        };
        let (b, a) = (parse(&self.before_json), parse(&self.after_json));
        let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
        keys.sort();
        keys.dedup();
        let show = |v: Option<&serde_json::Value>| match v {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        keys.into_iter().filter(|k| b.get(*k) != a.get(*k)).map(|k| (k.clone(), show(b.get(k)), show(a.get(k)))).collect()
    }
}

/// The history of one record, oldest first.
pub async fn history(db: &Db, entity: &str, entity_id: i64) -> anyhow::Result<Vec<AuditEvent>> {
    Ok(sqlx::query_as(
        "SELECT id, at, actor, action, entity, entity_id, before_json, after_json
         FROM audit_events WHERE entity = $1 AND entity_id = $2 ORDER BY id",
    )
    .bind(entity)
    .bind(entity_id)
    .fetch_all(&db.pool)
    .await?)
}
