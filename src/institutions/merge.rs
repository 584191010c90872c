//! Merging a duplicate institution or person into the record kept.
//!
//! Which columns refer to a record is read from the database's own foreign keys at run
//! time, so a reference a later migration adds moves without a change here. Only the
//! exceptions are listed: references that must not move, link tables whose unique pair
//! would collide, kept counts that add up, and references that are not foreign keys (a
//! kind column beside an id). The whole merge runs on the caller's transaction, with its
//! `merges` row and audit events.
//!
//! Not moved, and not foreign keys either: `audit_events` and `merges` (the history stays
//! with the record it happened to, and `merged_into` leads from it to the one kept), and
//! a person's `calendar_feeds` row (a secret link issued for that record; the kept person
//! has a feed of their own).

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::queries::{self, ForeignKey, Target};
use crate::{
    audit::{self, Action, Actor},
    config::Engine,
    error::{AppError, AppResult},
};

/// Which record to merge into this one.
#[derive(Deserialize, ToSchema)]
pub struct MergeRequest {
    /// The duplicate; its references move here and it then points here.
    pub from: i64,
}

/// What a merge moved.
#[derive(Serialize, ToSchema)]
pub struct MergeReport {
    /// The record kept.
    pub into: i64,
    /// The duplicate.
    pub from: i64,
    /// Rows moved, per reference.
    pub moved: Vec<Moved>,
}

/// The rows a merge moved for one reference.
#[derive(Serialize, ToSchema)]
pub struct Moved {
    /// `table.column`, with the kind for a link that names its target by kind and id
    /// (`article_links.target_id (institution)`).
    pub reference: String,
    /// How many rows moved.
    pub rows: u64,
}

/// What a merge does with a reference other than moving it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// Not moved.
    Keep,
    /// A link with a unique pair: the duplicate's rows whose `pair` values the kept
    /// record already has are dropped, the rest move.
    Dedupe(&'static [&'static str]),
    /// Kept counts keyed by the reference and `key`: the duplicate's `count` is added to
    /// the kept record's row with the same key.
    Sum {
        /// The other key columns.
        key: &'static [&'static str],
        /// The column that holds the number.
        count: &'static str,
    },
}

/// A foreign-key column with its own handling.
#[derive(Debug, Clone, Copy)]
pub struct Exception {
    /// Table.
    pub table: &'static str,
    /// Column.
    pub column: &'static str,
    /// What to do.
    pub handling: Handling,
}

const fn exception(table: &'static str, column: &'static str, handling: Handling) -> Exception {
    Exception { table, column, handling }
}

/// Foreign keys to `institutions` that a merge does not simply move.
pub const INSTITUTION_EXCEPTIONS: &[Exception] = &[
    // The pointer a merge sets; other duplicates merged into this one keep pointing here.
    exception("institutions", "merged_into", Handling::Keep),
    exception("institution_strengths", "institution_id", Handling::Dedupe(&["tag"])),
    exception("visit_institutions", "institution_id", Handling::Dedupe(&["visit_id"])),
    exception("agreement_parties", "institution_id", Handling::Dedupe(&["agreement_id"])),
    exception(
        "mobility_counts",
        "partner_institution_id",
        Handling::Sum { key: &["programme_id", "academic_year", "direction", "participant_kind", "status"], count: "n" },
    ),
];

/// Foreign keys to `people` that a merge does not simply move.
pub const PERSON_EXCEPTIONS: &[Exception] = &[
    exception("people", "merged_into", Handling::Keep),
    exception("visit_members", "person_id", Handling::Dedupe(&["visit_id"])),
    exception("session_participants", "person_id", Handling::Dedupe(&["session_id"])),
    exception("trip_travellers", "person_id", Handling::Dedupe(&["trip_id"])),
    exception("programme_coordinators", "person_id", Handling::Dedupe(&["programme_id"])),
];

/// A reference that is not a foreign key: an id beside a kind column.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// Table.
    pub table: &'static str,
    /// The id column.
    pub column: &'static str,
    /// The kind column and the kind of this record.
    pub kind: (&'static str, &'static str),
    /// The unique pair (see [`Handling::Dedupe`]).
    pub pair: &'static [&'static str],
}

/// Links to institutions that are not foreign keys; they move like link tables.
pub const INSTITUTION_LINKS: &[Link] =
    &[Link { table: "article_links", column: "target_id", kind: ("kind", "institution"), pair: &["article_id"] }];

/// Links to people that are not foreign keys.
pub const PERSON_LINKS: &[Link] = &[Link { table: "article_links", column: "target_id", kind: ("kind", "person"), pair: &["article_id"] }];

/// Which records a merge joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// Institutions.
    Institution,
    /// People.
    Person,
}

impl Entity {
    /// The entity's name in audit events and `merges`.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Institution => "institution",
            Entity::Person => "person",
        }
    }

    /// Its table.
    pub fn table(self) -> &'static str {
        match self {
            Entity::Institution => "institutions",
            Entity::Person => "people",
        }
    }

    /// Its exceptions and links.
    pub fn exceptions(self) -> (&'static [Exception], &'static [Link]) {
        match self {
            Entity::Institution => (INSTITUTION_EXCEPTIONS, INSTITUTION_LINKS),
            Entity::Person => (PERSON_EXCEPTIONS, PERSON_LINKS),
        }
    }
}

/// How a foreign key is handled: its exception, or moved as it is.
fn handling(exceptions: &[Exception], fk: &ForeignKey) -> Option<Handling> {
    exceptions.iter().find(|e| e.table == fk.table && e.column == fk.column).map(|e| e.handling)
}

/// Merges `from` into `into` on the caller's transaction.
pub async fn merge(
    conn: &mut AnyConnection,
    engine: Engine,
    actor: &Actor,
    entity: Entity,
    into: i64,
    from: i64,
) -> AppResult<MergeReport> {
    check(conn, entity, into, from).await?;
    let (exceptions, links) = entity.exceptions();
    let mut moved = Vec::new();
    for fk in queries::foreign_keys_to(conn, engine, entity.table()).await? {
        let target = Target { table: &fk.table, column: &fk.column, kind: None };
        let n = match handling(exceptions, &fk) {
            Some(Handling::Keep) => continue,
            Some(Handling::Sum { key, count }) => queries::sum_rows(conn, target, key, count, into, from).await?,
            Some(Handling::Dedupe(pair)) => {
                queries::drop_duplicate_rows(conn, target, pair, into, from).await?;
                queries::move_rows(conn, target, into, from).await?
            }
            None => queries::move_rows(conn, target, into, from).await?,
        };
        moved.push(Moved { reference: format!("{}.{}", fk.table, fk.column), rows: n });
    }
    for link in links {
        let target = Target { table: link.table, column: link.column, kind: Some(link.kind) };
        queries::drop_duplicate_rows(conn, target, link.pair, into, from).await?;
        let n = queries::move_rows(conn, target, into, from).await?;
        moved.push(Moved { reference: format!("{}.{} ({})", link.table, link.column, link.kind.1), rows: n });
    }
    if entity == Entity::Institution {
        queries::move_directory_link(conn, into, from).await?;
    }
    queries::mark_merged(conn, entity.table(), into, from).await?;
    if entity == Entity::Institution {
        // The partnership history moved: both current statuses follow it.
        queries::refresh_partnership(conn, into).await?;
        queries::refresh_partnership(conn, from).await?;
    }
    let report = MergeReport { into, from, moved };
    record(conn, actor, entity, &report).await?;
    Ok(report)
}

/// Both records exist, differ, and neither was merged already.
async fn check(conn: &mut AnyConnection, entity: Entity, into: i64, from: i64) -> AppResult<()> {
    if into == from {
        return Err(AppError::field("from", "a record cannot be merged into itself"));
    }
    for id in [into, from] {
        match queries::merged_into(conn, entity.table(), id).await? {
            None => return Err(if id == from { AppError::field("from", "no such record") } else { AppError::NotFound }),
            Some(Some(_)) => return Err(AppError::Conflict(format!("Record {id} was already merged into another."), None)),
            Some(None) => {}
        }
    }
    Ok(())
}

/// The `merges` row and an audit event on each record.
async fn record(conn: &mut AnyConnection, actor: &Actor, entity: Entity, report: &MergeReport) -> AppResult<()> {
    let (into, from) = (report.into, report.from);
    let moved_json = serde_json::to_string(&report.moved).unwrap_or_default();
    queries::insert_merge(conn, entity.name(), into, from, &actor.label, &moved_json).await?;
    let note = serde_json::json!({ "merged_into": into, "moved": report.moved });
    audit::record(conn, actor, Action::Update, entity.name(), from, None, Some(&note)).await?;
    let note = serde_json::json!({ "merged_from": from, "moved": report.moved });
    audit::record(conn, actor, Action::Update, entity.name(), into, None, Some(&note)).await?;
    Ok(())
}
