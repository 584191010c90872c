//! Editing one session of a visit's agenda (its times, room, topics, participants and
//! minutes) on a page of its own, through the same change as `PATCH /api/v1/sessions/{id}`.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use super::{AgendaForm, changes::session_input};
use crate::{
    audit::Actor,
    error::{AppError, AppResult},
    rooms::Room,
    visits::{
        model::{UpdateSession, Visit},
        queries, sessions,
    },
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms::{self, FormState},
        i18n::Tr,
        pages::Base,
        render,
    },
};

#[derive(Template)]
#[template(path = "visits/session_edit.html")]
struct SessionEditPage {
    base: Base,
    v: Visit,
    sid: i64,
    f: FormState,
    rooms: Vec<Room>,
}

impl AgendaForm for SessionEditPage {
    fn base(&self) -> &Base {
        &self.base
    }
    fn visit(&self) -> &Visit {
        &self.v
    }
}

async fn page(state: &AppState, ctx: &Ctx, id: i64, sid: i64, f: Option<FormState>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let v = queries::get_visit(&mut conn, id).await?;
    let s = v.sessions.iter().find(|s| s.id == sid).ok_or(AppError::NotFound)?;
    let failed = f.is_some();
    let f = f.unwrap_or_else(|| {
        let mut fields: Vec<(String, String)> = [
            ("kind", s.kind.clone()),
            ("title", s.title.clone()),
            ("date", s.day().to_string()),
            ("start", s.start_time().to_string()),
            ("end", s.local_end.clone()),
            ("room_id", s.room_id.map(|r| r.to_string()).unwrap_or_default()),
            ("venue", s.venue.clone()),
            ("minutes", s.minutes.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        fields.extend(s.topics.iter().map(|t| ("topics".to_string(), t.clone())));
        fields.extend(s.participants.iter().map(|p| ("participant_ids".to_string(), p.id.to_string())));
        FormState::filled("session", fields)
    });
    let rooms = crate::rooms::queries::list_rooms(&mut conn, None).await?;
    let base = Base::new(ctx, Tr(ctx.locale).t("visits.edit_session"), "visits");
    let code = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((code, render(&SessionEditPage { base, v, sid, f, rooms })).into_response())
}

/// `GET /visits/{id}/sessions/{sid}/edit`.
pub(super) async fn edit_form(State(state): State<AppState>, ctx: Ctx, ApiPath((id, sid)): ApiPath<(i64, i64)>) -> AppResult<Response> {
    page(&state, &ctx, id, sid, None).await
}

/// `POST /visits/{id}/sessions/{sid}/edit`.
pub(super) async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath((id, sid)): ApiPath<(i64, i64)>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    let posted = fields.clone();
    forms::apply(
        &state.db,
        async |c| {
            let s = queries::get_session(&mut *c, sid).await?;
            if s.visit_id != id {
                return Err(AppError::NotFound);
            }
            let tz = queries::visit_time_zone(&mut *c, id).await?.ok_or(AppError::NotFound)?;
            let n = session_input(&mut *c, &tz, &posted).await?;
            let u = UpdateSession {
                kind: Some(n.kind),
                title: Some(n.title),
                starts_at: Some(n.starts_at),
                ends_at: Some(n.ends_at),
                room_id: Some(n.room_id.unwrap_or(0)),
                venue: Some(n.venue),
                participant_ids: Some(n.participant_ids),
                topics: Some(n.topics),
                minutes: Some(n.minutes),
                attendees: n.attendees,
            };
            sessions::update(c, &actor, sid, &u).await.map(|(_, w)| w)
        },
        |warnings: Vec<String>| {
            let notice =
                if warnings.is_empty() { String::new() } else { format!("?notice={}", crate::web::routes::urlencode(&warnings.join(" "))) };
            format!("/visits/{id}{notice}#sessions")
        },
        async |e| page(&state, &ctx, id, sid, Some(FormState::failed("session", fields, e, ctx.locale)?)).await,
    )
    .await
}
