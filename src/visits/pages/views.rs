//! Read-only views: the printable itinerary, the office's agenda of one day, and the
//! caller's follow-up actions.

use askama::Template;
use axum::{extract::State, response::Response};

use crate::{
    error::{AppError, AppResult},
    status::Status,
    visits::{
        model::{Action, ActionStatus, Session, Visit},
        queries::{self, ActionFilter},
    },
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery},
        i18n::Tr,
        pages::Base,
        render,
    },
};

#[derive(Template)]
#[template(path = "visits/itinerary.html")]
struct ItineraryPage {
    base: Base,
    v: Visit,
    home: String,
}

impl ItineraryPage {
    fn t_key(&self, prefix: &str, key: &str) -> String {
        self.base.t(&format!("{prefix}.{key}")).to_string()
    }

    fn area(&self, key: &str) -> String {
        crate::cooperation::area_name(key, self.base.lang_code()).to_string()
    }
}

pub(super) async fn itinerary(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let v = queries::get_visit(&mut conn, id).await?;
    let home = crate::institutions::lookup::home(&mut conn).await?.map(|h| h.1);
    Ok(render(&ItineraryPage { base: Base::new(&ctx, v.title.clone(), "visits"), v, home: home.unwrap_or_default() }))
}

#[derive(Template)]
#[template(path = "visits/day.html")]
struct DayPage {
    base: Base,
    date: String,
    prev: String,
    next: String,
    sessions: Vec<(Session, String)>,
}

impl DayPage {
    fn t_key(&self, prefix: &str, key: &str) -> String {
        self.base.t(&format!("{prefix}.{key}")).to_string()
    }
}

/// Which day the agenda shows.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct DayQuery {
    #[serde(default)]
    date: String,
}

/// `GET /agenda?date=`: every session of every visit on one day (office time zone).
pub(super) async fn day_view(State(state): State<AppState>, ctx: Ctx, ApiQuery(q): ApiQuery<DayQuery>) -> AppResult<Response> {
    let date: jiff::civil::Date = if q.date.is_empty() {
        crate::time::today().parse().map_err(|_| AppError::field("date", "bad date"))?
    } else {
        q.date.parse().map_err(|_| AppError::field("date", "use a date such as 2024-05-08"))?
    };
    let mut conn = state.db.pool.acquire().await?;
    let sessions = queries::sessions_on_day(&mut conn, &date.to_string(), "Asia/Shanghai").await?;
    let step = |d: Result<jiff::civil::Date, jiff::Error>| d.map(|d| d.to_string()).unwrap_or_default();
    Ok(render(&DayPage {
        base: Base::new(&ctx, Tr(ctx.locale).t("visits.agenda"), "visits"),
        date: date.to_string(),
        prev: step(date.yesterday()),
        next: step(date.tomorrow()),
        sessions,
    }))
}

#[derive(Template)]
#[template(path = "visits/actions.html")]
struct ActionsPage {
    base: Base,
    mine: Vec<Action>,
    overdue: Vec<Action>,
    today: String,
}

/// `GET /actions`: the caller's actions and everyone's overdue ones.
pub(super) async fn my_actions(State(state): State<AppState>, ctx: Ctx, User(user): User) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let mine = queries::list_actions(
        &mut conn,
        &ActionFilter { owner_id: Some(user.id), status: Some(ActionStatus::Open.as_str().into()), ..Default::default() },
    )
    .await?;
    let overdue = queries::list_actions(&mut conn, &ActionFilter { overdue: Some(true), ..Default::default() }).await?;
    Ok(render(&ActionsPage {
        base: Base::new(&ctx, Tr(ctx.locale).t("visits.actions"), "visits"),
        mine,
        overdue,
        today: crate::time::today(),
    }))
}
