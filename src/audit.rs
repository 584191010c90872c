//! The audit log: who changed what, when, with before/after values. Callers write the
//! event inside the same transaction as the change, so a change and its audit record
//! commit or roll back together.

use std::sync::OnceLock;

use futures_util::future::BoxFuture;
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

/// What runs after every audit event, on the same connection and transaction: the
/// application installs the search index's refresh here (`audit` cannot name the
/// modules above it).
pub type AfterChange = for<'c> fn(&'c mut AnyConnection, &'c str, i64) -> BoxFuture<'c, anyhow::Result<()>>;

static AFTER_CHANGE: OnceLock<AfterChange> = OnceLock::new();

/// Installs the hook run after every audit event (once per process; later calls keep
/// the first, which is the same function).
pub fn on_change(hook: AfterChange) {
    let _ = AFTER_CHANGE.set(hook);
}

/// Writes one audit event on the caller's transaction, then runs the change hook.
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
    .execute(&mut *conn)
    .await?;
    if let Some(hook) = AFTER_CHANGE.get() {
        hook(conn, entity, entity_id).await?;
    }
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
    /// `2024-05-08 09:30`, in the office's time zone (what every other page shows).
    pub fn at_display(&self) -> String {
        crate::time::local_display(&self.at)
    }

    /// The locale key naming the action.
    pub fn action_key(&self) -> &'static str {
        match self.action.as_str() {
            "create" => "audit.create",
            "update" => "audit.update",
            _ => "audit.delete",
        }
    }

    fn values(&self) -> impl Iterator<Item = serde_json::Value> + '_ {
        [&self.after_json, &self.before_json].into_iter().flatten().filter_map(|j| serde_json::from_str(j).ok())
    }

    /// The record's own name from its values (a name, a title, a login), if it has one.
    pub fn name(&self) -> Option<String> {
        self.values().find_map(|v| {
            ["name_en", "title", "title_en", "display_name", "username", "slug"]
                .iter()
                .find_map(|k| v[*k].as_str().filter(|s| !s.is_empty()).map(str::to_string))
                .or_else(|| v[0]["name"].as_str().map(str::to_string))
                .or_else(|| v["versions"][0]["title"].as_str().map(str::to_string))
        })
    }

    /// A readable name for the record without the kind: its name, else `#id`.
    pub fn label(&self) -> String {
        self.name().unwrap_or_else(|| format!("#{}", self.entity_id))
    }

    /// An id field of the record's values (e.g. the visit an action belongs to).
    fn value_id(&self, key: &str) -> Option<i64> {
        self.values().find_map(|v| v[key].as_i64())
    }

    /// Link to the page that shows the record, or empty if it has none (deleted records
    /// link to their parent where the values name it).
    pub fn href(&self) -> String {
        let id = self.entity_id;
        let deleted = self.action == "delete";
        let parent = |key: &str, path: &str| self.value_id(key).map(|p| format!("{path}/{p}")).unwrap_or_default();
        match self.entity.as_str() {
            _ if deleted && !matches!(self.entity.as_str(), "visit_action" | "visit_outcome" | "visit_session" | "booking" | "unit") => {
                String::new()
            }
            "institution" => format!("/institutions/{id}"),
            "person" => format!("/people/{id}"),
            "visit" => format!("/visits/{id}"),
            "visit_action" | "visit_outcome" | "visit_session" => parent("visit_id", "/visits"),
            "agreement" => format!("/agreements/{id}"),
            "agreement_document" => parent("agreement_id", "/agreements"),
            "programme" => format!("/programmes/{id}"),
            "mobility" => parent("programme_id", "/programmes"),
            "trip" => format!("/trips/{id}"),
            "room" => format!("/rooms/{id}"),
            "booking" => parent("room_id", "/rooms"),
            "unit" => parent("institution_id", "/institutions"),
            "article" => format!("/articles/{id}"),
            "article_version" | "article_photo" => parent("article_id", "/articles"),
            "user" => format!("/users/{id}"),
            _ => String::new(),
        }
    }

    /// Field-by-field changes (field, before, after) for display, values as text: lists
    /// and records by their names, not as JSON.
    pub fn changes(&self) -> Vec<(String, String, String)> {
        let parse = |s: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
            s.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
        };
        let (b, a) = (parse(&self.before_json), parse(&self.after_json));
        let mut keys: Vec<&String> = b.keys().chain(a.keys()).filter(|k| !HIDDEN_FIELDS.contains(&k.as_str())).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter().filter(|k| b.get(*k) != a.get(*k)).map(|k| (k.clone(), show(b.get(k)), show(a.get(k)))).collect()
    }
}

/// Bookkeeping fields a person does not need to see in a history.
const HIDDEN_FIELDS: &[&str] = &["id", "version", "updated_at", "created_at", "sequence"];

/// A value as a person reads it.
fn show(v: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => {
            if *b {
                "✓".into()
            } else {
                "✗".into()
            }
        }
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Array(items)) => items.iter().map(|i| show(Some(i))).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("; "),
        Some(Value::Object(map)) => {
            let named =
                ["name_en", "name", "title_en", "title", "display_name", "label"].iter().find_map(|k| map.get(*k).and_then(Value::as_str));
            match named {
                Some(n) => {
                    let extra = ["role", "status", "title_en"].iter().filter_map(|k| map.get(*k).and_then(Value::as_str)).find(|e| *e != n);
                    extra.map(|e| format!("{n} ({e})")).unwrap_or_else(|| n.to_string())
                }
                None => map
                    .iter()
                    .filter(|(k, _)| !HIDDEN_FIELDS.contains(&k.as_str()) && !k.ends_with("_id"))
                    .map(|(_, v)| show(Some(v)))
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · "),
            }
        }
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
