//! Pages of trips: the list (all, waiting for me, mine), the request form, and a trip's
//! page with its history, the steps the user may take, and the report form.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{StepInput, Trip, TripDetail, TripQuery, TripStatus, queries, request, workflow};
use crate::{
    auth::{Access, Permission},
    error::{AppError, AppResult, FieldError},
    status::Status,
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery, FormData},
        i18n::Tr,
        pages::Base,
        render,
        routes::Routes,
    },
};

/// Routes of the pages.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let act = Access::Permission(Permission::RequestTrips);
    Routes::new()
        .get("/trips", view, get(list_page))
        .get("/trips/new", act, get(new_page))
        .post("/trips/new", act, post(create))
        .get("/trips/{id}", view, get(trip_page))
        .post("/trips/{id}/steps", act, post(step))
}

/// Translation helpers the trip templates share.
trait TripText {
    fn base(&self) -> &Base;

    /// Translated status.
    fn t_trip_status(&self, status: impl std::fmt::Display) -> String {
        self.base().t(&format!("trips.status.{status}")).to_string()
    }

    /// The unit's name in the UI language.
    fn unit_of(&self, t: &Trip) -> String {
        match (&t.unit_name_zh, self.base().is_zh()) {
            (Some(zh), true) => zh.clone(),
            _ => t.unit_label(),
        }
    }
}

/// The list's query string.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// all, waiting or mine.
    #[serde(default)]
    view: String,
    /// A status, or empty for any.
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "trips/list.html")]
struct ListPage {
    base: Base,
    view: &'static str,
    status: Option<TripStatus>,
    trips: Vec<Trip>,
}

impl ListPage {
    /// Every status, for the filter.
    fn statuses(&self) -> &'static [TripStatus] {
        TripStatus::ALL
    }

    /// Whether the filter has `s` chosen.
    fn selected(&self, s: &TripStatus) -> bool {
        self.status == Some(*s)
    }
}

impl TripText for ListPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, User(user): User, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Response> {
    let view = match q.view.as_str() {
        "waiting" => "waiting",
        "mine" => "mine",
        _ => "all",
    };
    let status = TripStatus::parse(q.status.trim());
    let filter = TripQuery { status: status.map(|s| s.as_str().to_string()), mine: Some(view == "mine"), waiting: Some(view == "waiting") };
    let mut conn = state.db.pool.acquire().await?;
    let trips = workflow::list(&mut conn, &user, &filter).await?;
    Ok(render(&ListPage { base: Base::new(&ctx, Tr(ctx.locale).t("trips.title"), "trips"), view, status, trips }))
}

/// What the request form sends (travellers repeat, so the body is read as pairs).
#[derive(Debug, Default, Clone)]
struct TripForm {
    unit_id: String,
    destination: String,
    institution: String,
    purpose: String,
    start_date: String,
    end_date: String,
    budget: String,
    currency: String,
    travellers: Vec<i64>,
}

impl TripForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> TripForm {
        let mut f = TripForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "unit_id" => f.unit_id = v,
                "destination" => f.destination = v,
                "institution" => f.institution = v,
                "purpose" => f.purpose = v,
                "start_date" => f.start_date = v,
                "end_date" => f.end_date = v,
                "budget" => f.budget = v,
                "currency" => f.currency = v,
                "travellers" => f.travellers.extend(v.trim().parse::<i64>().ok()),
                _ => {}
            }
        }
        f
    }
}

#[derive(Template)]
#[template(path = "trips/form.html")]
struct FormPage {
    base: Base,
    form: TripForm,
    errors: Vec<FieldError>,
    units: Vec<(i64, String, Option<String>)>,
    people: Vec<(i64, String, Option<String>)>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn unit_selected(&self, id: &i64) -> bool {
        self.form.unit_id.trim() == id.to_string()
    }

    fn traveller_selected(&self, id: &i64) -> bool {
        self.form.travellers.contains(id)
    }

    fn label(&self, en: &str, zh: &Option<String>) -> String {
        match zh {
            Some(z) if self.base.is_zh() && !z.is_empty() => format!("{z} ({en})"),
            _ => en.to_string(),
        }
    }
}

async fn form_page(state: &AppState, ctx: &Ctx, form: TripForm, errors: Vec<FieldError>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let units = queries::home_units(&mut conn).await?;
    let people = queries::home_people(&mut conn).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = Tr(ctx.locale).field_errors(errors);
    let page = FormPage { base: Base::new(ctx, Tr(ctx.locale).t("trips.new"), "trips"), form, errors, units, people };
    Ok((status, render(&page)).into_response())
}

async fn new_page(State(state): State<AppState>, ctx: Ctx, User(user): User) -> AppResult<Response> {
    let form = TripForm {
        unit_id: workflow::coordinator_unit(&user).map(|u| u.to_string()).unwrap_or_default(),
        currency: "CNY".into(),
        ..TripForm::default()
    };
    form_page(&state, &ctx, form, Vec::new()).await
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = TripForm::from_pairs(pairs);
    let mut errors = Vec::new();
    let institution_id = crate::institutions::partner_field::partner_from_text(&state, &form.institution).await?.unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let budget_cents = request::parse_amount(&form.budget).unwrap_or_else(|| {
        errors.push(FieldError::new("budget", "give an amount such as 12000 or 12000.50"));
        0
    });
    let input = request::NewTrip {
        unit_id: form.unit_id.trim().parse().ok(),
        destination: form.destination.clone(),
        institution_id,
        purpose: form.purpose.clone(),
        start_date: form.start_date.clone(),
        end_date: form.end_date.clone(),
        budget_cents,
        currency: Some(form.currency.clone()),
        traveller_ids: form.travellers.clone(),
        visit_id: None,
    };
    if errors.is_empty() {
        let mut tx = state.db.begin().await?;
        match workflow::request(&mut tx, &user, &input).await {
            Ok(id) => {
                tx.commit().await?;
                return Ok(Redirect::to(&format!("/trips/{id}")).into_response());
            }
            Err(AppError::Validation(e)) => errors.extend(e),
            Err(other) => return Err(other),
        }
    } else {
        // Show the other fields' problems too, without storing anything.
        if let Err(e) = request::check(&input) {
            errors.extend(e);
        }
    }
    // The form's names for the API's fields.
    for e in &mut errors {
        e.field = match e.field.as_str() {
            "traveller_ids" => "travellers".into(),
            "budget_cents" => "budget".into(),
            "institution_id" => "institution".into(),
            other => other.into(),
        };
    }
    form_page(&state, &ctx, form, errors).await
}

#[derive(Template)]
#[template(path = "trips/detail.html")]
struct DetailPage {
    base: Base,
    d: TripDetail,
    form: StepInput,
    errors: Vec<FieldError>,
}

impl TripText for DetailPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl DetailPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn may(&self, action: &str) -> bool {
        self.d.allowed_actions.iter().any(|a| a == action)
    }

    fn budget(&self) -> String {
        self.d.trip.budget()
    }

    fn comment(&self) -> &str {
        self.form.comment.as_deref().unwrap_or("")
    }

    fn report_text(&self) -> &str {
        self.form.report.as_deref().unwrap_or("")
    }

    fn at_display(&self, at: &str) -> String {
        let (date, time) = at.split_once('T').unwrap_or((at, ""));
        format!("{date} {} UTC", time.get(..5).unwrap_or(""))
    }
}

async fn detail_page(state: &AppState, ctx: &Ctx, id: i64, form: StepInput, errors: Vec<FieldError>) -> AppResult<Response> {
    let Some(user) = ctx.user.clone() else { return Err(AppError::Unauthorized) };
    let mut conn = state.db.pool.acquire().await?;
    let d = workflow::detail(&mut conn, id, &user).await?;
    let title = format!("{} · {}", Tr(ctx.locale).t("trips.trip"), d.trip.destination);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = Tr(ctx.locale).field_errors(errors);
    Ok((status, render(&DetailPage { base: Base::new(ctx, title, "trips"), d, form, errors })).into_response())
}

async fn trip_page(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    detail_page(&state, &ctx, id, StepInput::default(), Vec::new()).await
}

/// What the step forms send.
#[derive(Debug, Deserialize)]
struct StepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    report: String,
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(f): FormData<StepForm>,
) -> AppResult<Response> {
    let input = StepInput { action: f.action, comment: Some(f.comment), report: Some(f.report) };
    let mut tx = state.db.begin().await?;
    match workflow::take_step(&mut tx, &user, id, &input).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/trips/{id}")).into_response())
        }
        Err(AppError::Validation(errors)) => {
            drop(tx);
            detail_page(&state, &ctx, id, input, errors).await
        }
        Err(other) => Err(other),
    }
}
