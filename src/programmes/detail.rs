//! The programme page: details, status, quotas (table and edit form), coordinators, the
//! mobilities with status buttons and an add form (warnings shown with an override
//! checkbox and note), and the agreement's exchange balance. Forms post to small
//! handlers that call the same domain functions as the API and re-render with inline
//! messages and the input kept.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};

use super::{
    changes, mobilities,
    model::{
        BalanceRow, CoordinatorInput, Mobility, MobilityQuery, NewMobility, Programme, ProgrammeStatus, Quota, UpdateProgramme,
        programme_status_choices,
    },
    pages::{FormState, NoticeQuery, Words, field, opt},
    queries,
};
use crate::{
    audit::Actor,
    auth::{Access, Permission},
    error::{AppError, AppResult, FieldError},
    status::Status,
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery, FormData},
        forms,
        pages::Base,
        render,
        routes::Routes,
    },
};

/// Routes of the programme page and its forms.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditAgreements);
    let record = Access::Permission(Permission::EditMobilities);
    Routes::new()
        .get("/programmes/{id}", view, get(detail))
        .post("/programmes/{id}/status", edit, post(change_status))
        .post("/programmes/{id}/quotas", edit, post(set_quotas))
        .post("/programmes/{id}/coordinators", edit, post(add_coordinator))
        .post("/programmes/{id}/mobilities", record, post(add_mobility))
}

#[derive(Template)]
#[template(path = "programmes/detail.html")]
struct DetailPage {
    base: Base,
    p: Programme,
    f: FormState,
    notice: String,
    mobilities: Vec<Mobility>,
    balance: Vec<BalanceRow>,
    people: Vec<(i64, String)>,
    partners: Vec<(i64, String)>,
    may_record: bool,
}

impl Words for DetailPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl DetailPage {
    /// Where a status button returns to.
    fn back(&self) -> String {
        format!("/programmes/{}#mobility", self.p.id)
    }

    /// The statuses the status form offers: the programme's own and its allowed steps.
    fn status_choices(&self) -> Vec<ProgrammeStatus> {
        programme_status_choices(self.p.status)
    }

    fn text(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }

    /// Rows of the quota form: what was posted (after a failure), else the stored
    /// quotas and two blank rows.
    fn quota_rows(&self) -> Vec<(usize, String, String, String)> {
        let mut rows = if self.f.is("quotas") {
            posted_quotas(&self.f.fields)
        } else {
            self.p.quotas.iter().map(|q| (q.academic_year.clone(), q.direction.clone(), q.quota.to_string())).collect()
        };
        rows.push((String::new(), "inbound".into(), String::new()));
        rows.push((String::new(), "outbound".into(), String::new()));
        rows.into_iter().enumerate().map(|(i, (y, d, n))| (i + 1, y, d, n)).collect()
    }
}

fn posted_quotas(fields: &[(String, String)]) -> Vec<(String, String, String)> {
    let all = |name: &str| -> Vec<String> { fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).collect() };
    let (years, dirs, quotas) = (all("academic_year"), all("direction"), all("quota"));
    years.into_iter().zip(dirs).zip(quotas).map(|((y, d), q)| (y, d, q)).filter(|(y, _, q)| !(y.is_empty() && q.is_empty())).collect()
}

async fn detail_page(state: &AppState, ctx: &Ctx, id: i64, f: FormState, notice: String) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let p = queries::get_programme(&mut conn, id).await?;
    let q = MobilityQuery { programme_id: Some(id), per_page: Some(200), ..MobilityQuery::default() };
    let (mobilities, _) = queries::list_mobilities(&mut conn, &q).await?;
    let balance = mobilities::balance(&mut conn, p.agreement_id, None).await?;
    let people = queries::people_of_agreement(&mut conn, p.agreement_id).await?;
    let partners = queries::partners_of_agreement(&mut conn, p.agreement_id).await?;
    let may_record = ctx.user.as_ref().is_some_and(|u| mobilities::may_record(u, p.unit_id).is_ok());
    let status = match (f.form.is_empty(), f.warning) {
        (true, _) => StatusCode::OK,
        (false, true) => StatusCode::CONFLICT,
        (false, false) if f.errors.iter().any(|(k, _)| k == "forbidden") => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page =
        DetailPage { base: Base::new(ctx, p.title.clone(), "programmes"), p, f, notice, mobilities, balance, people, partners, may_record };
    Ok((status, render(&page)).into_response())
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> AppResult<Response> {
    detail_page(&state, &ctx, id, FormState::default(), q.notice).await
}

/// Runs a change in one transaction; then back to the programme page, or the page again
/// with the form's messages and input.
async fn apply<F>(state: &AppState, ctx: &Ctx, id: i64, form: &'static str, fields: Vec<(String, String)>, change: F) -> AppResult<Response>
where
    F: AsyncFnOnce(&mut sqlx::AnyConnection) -> AppResult<()>,
{
    forms::apply(
        &state.db,
        change,
        |()| format!("/programmes/{id}#{form}"),
        async |e| detail_page(state, ctx, id, FormState::failed(form, fields, e, ctx.locale)?, String::new()).await,
    )
    .await
}

async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let u = UpdateProgramme { status: opt(&fields, "status"), ..UpdateProgramme::default() };
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "status", fields, async |c| changes::update_programme(c, &actor, id, &u).await).await
}

async fn set_quotas(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let mut quotas = Vec::new();
    for (i, (academic_year, direction, quota)) in posted_quotas(&fields).into_iter().enumerate() {
        let quota = quota.parse().unwrap_or_else(|_| {
            errors.push(FieldError::new(format!("[{i}].quota"), format!("'{quota}' is not a number of places")));
            0
        });
        quotas.push(Quota { academic_year, direction, quota });
    }
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "quotas", fields, async |c| {
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        changes::set_quotas(c, &actor, id, &quotas).await.map(|_| ())
    })
    .await
}

async fn add_coordinator(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let c = CoordinatorInput { person_id: field(&fields, "person_id").parse().unwrap_or(0), side: field(&fields, "side").to_string() };
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "coordinators", fields, async |conn| changes::add_coordinator(conn, &actor, id, &c).await.map(|_| ())).await
}

async fn add_mobility(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let m = NewMobility {
        programme_id: id,
        person_id: field(&fields, "person_id").parse().unwrap_or(0),
        participant_kind: field(&fields, "participant_kind").to_string(),
        direction: field(&fields, "direction").to_string(),
        partner_institution_id: field(&fields, "partner_institution_id").parse().ok(),
        academic_year: field(&fields, "academic_year").to_string(),
        start_date: field(&fields, "start_date").to_string(),
        end_date: field(&fields, "end_date").to_string(),
        override_warnings: field(&fields, "override") == "1",
        override_note: opt(&fields, "override_note"),
    };
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "mobility", fields, async |c| {
        mobilities::may_record(&user, queries::programme_unit(&mut *c, id).await?)?;
        mobilities::create_mobility(c, &actor, &m).await.map(|_| ())
    })
    .await
}
