//! The student's pages (phone first): their applications and open calls, one
//! application as a form (fields, ranked partners, documents uploaded by
//! `static/upload.js`), what is missing, the status with its history of offers,
//! and the buttons of the steps they may take.

use askama::Template;
use axum::{extract::RawQuery, extract::State, http::HeaderMap, response::Response};

use super::Words;
use crate::applications::cache::CallPartnersCache;
use crate::status::Status as _;
use crate::{
    applications::{
        calls, documents,
        model::{Application, ApplicationDetail, ApplicationInput, CallDetail, DOCUMENT_KINDS, LEVELS, StudentAction},
        queries, student,
    },
    audit::Actor,
    error::{AppError, AppResult},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms::{FormState, apply, field},
        i18n::Tr,
        pages::Base,
        render,
    },
};

#[derive(Template)]
#[template(path = "applications/my_list.html")]
struct ListPage {
    base: Base,
    applications: Vec<Application>,
    open: Vec<CallDetail>,
}

impl Words for ListPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl ListPage {
    fn call_title(&self, c: &CallDetail) -> String {
        c.call.title(self.base.is_zh()).to_string()
    }
}

/// `GET /my/applications`: the student's applications and the calls open now.
pub(super) async fn list(State(state): State<AppState>, ctx: Ctx, User(user): User) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let applications = queries::applications_of(&mut conn, user.id).await?;
    let mut open = Vec::new();
    let now = crate::time::now_text();
    for c in queries::list_calls(&mut conn, Some(&now)).await? {
        if c.direction == "outbound" && !applications.iter().any(|a| a.call_id == c.id) {
            open.push(calls::detail(&mut conn, c.id).await?);
        }
    }
    Ok(render(&ListPage { base: Base::new(&ctx, Tr(ctx.locale).t("my.applications"), "my"), applications, open }))
}

#[derive(Template)]
#[template(path = "applications/my_application.html")]
struct AppPage {
    base: Base,
    d: ApplicationDetail,
    call: CallDetail,
    f: FormState,
    notice: String,
}

impl Words for AppPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl AppPage {
    fn title(&self) -> String {
        self.call.call.title(self.base.is_zh()).to_string()
    }
    fn levels(&self) -> &'static [&'static str] {
        LEVELS
    }
    fn kinds(&self) -> Vec<&'static str> {
        let required = self.call.required_documents.clone();
        DOCUMENT_KINDS
            .iter()
            .copied()
            .filter(|k| required.iter().any(|r| r == k))
            .chain(DOCUMENT_KINDS.iter().copied().filter(|k| !required.iter().any(|r| r == k)))
            .collect()
    }
    /// The kept or stored value of a text field.
    fn val(&self, name: &str) -> String {
        let a = &self.d.application;
        let stored = match name {
            "level" => a.level.clone(),
            "gpa" => self.hundredths(&a.gpa_x100),
            "student_number" => a.student_number.clone(),
            "faculty" => a.faculty.clone(),
            "phone" => a.phone.clone(),
            "language_certificate" => a.language_certificate.clone(),
            "motivation" => a.motivation.clone(),
            _ => String::new(),
        };
        self.f.val("application", name, &stored).to_string()
    }
    /// The partner row chosen at a priority (kept input first).
    fn choice_at(&self, i: &i64) -> i64 {
        let name = format!("choice_{i}");
        if self.f.is("application") {
            return self.f.val("application", &name, "").trim().parse().unwrap_or(0);
        }
        self.d.choices.iter().find(|c| c.priority == *i).map(|c| c.call_partner_id).unwrap_or(0)
    }
    fn priorities(&self) -> Vec<i64> {
        (1..=self.call.call.max_choices).collect()
    }
    fn action_key(&self, a: &StudentAction) -> String {
        self.tk(&format!("action.{}", serde_json::to_value(a).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()))
    }
    fn action_value(&self, a: &StudentAction) -> String {
        serde_json::to_value(a).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
    fn partner_name(&self, id: &Option<i64>) -> String {
        id.and_then(|p| self.call.partners.iter().find(|c| c.id == p)).map(|c| c.name.clone()).unwrap_or_default()
    }
}

async fn show(state: &AppState, ctx: &Ctx, user_id: i64, id: i64, f: FormState, notice: String) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let a = student::own(&mut conn, user_id, id).await?;
    let c = queries::get_call(&mut conn, a.call_id).await?;
    let partners = state.service::<CallPartnersCache>().get(&mut conn, c.id).await?;
    let zh = ctx.locale == crate::web::i18n::Locale::Zh;
    let d = student::detail_with(&mut conn, a, &c, &partners, false, zh).await?;
    let call = CallDetail {
        phase: c.phase(&crate::time::now_text()).to_string(),
        required_documents: c.required_documents(),
        criteria: c.criteria(),
        partners: partners.to_vec(),
        call: c,
    };
    let title = call.call.title(zh).to_string();
    Ok(render(&AppPage { base: Base::new(ctx, title, "my"), d, call, f, notice }))
}

/// `GET /my/applications/{id}`: the student's own application.
pub(super) async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let notice = if q.as_deref() == Some("saved=1") { Tr(ctx.locale).t("applications.saved").to_string() } else { String::new() };
    show(&state, &ctx, user.id, id, FormState::default(), notice).await
}

/// The form as the API's input.
fn input(fields: &[(String, String)], max: i64) -> ApplicationInput {
    let text = |n: &str| Some(field(fields, n).to_string());
    let choices: Vec<i64> = (1..=max).filter_map(|i| field(fields, &format!("choice_{i}")).parse().ok()).filter(|v: &i64| *v > 0).collect();
    ApplicationInput {
        level: text("level"),
        gpa: text("gpa"),
        student_number: text("student_number"),
        faculty: text("faculty"),
        phone: text("phone"),
        language_certificate: text("language_certificate"),
        motivation: Some(fields.iter().find(|(k, _)| k == "motivation").map(|(_, v)| v.clone()).unwrap_or_default()),
        choices: Some(choices),
    }
}

/// `POST /my/applications/{id}`: saves the form as a draft (or keeps it submitted).
pub(super) async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let max = {
        let mut conn = state.db.pool.acquire().await?;
        let a = student::own(&mut conn, user.id, id).await?;
        queries::get_call(&mut conn, a.call_id).await?.max_choices
    };
    let actor = Actor::from(&*user);
    let given = input(&fields, max);
    apply(
        &state.db,
        async |tx| student::update(tx, &actor, user.id, id, &given).await,
        |_| format!("/my/applications/{id}?saved=1"),
        async |e| show(&state, &ctx, user.id, id, FormState::failed("application", fields.clone(), e, ctx.locale)?, String::new()).await,
    )
    .await
}

/// `POST /my/applications/{id}/steps`: submit, withdraw, accept or decline.
pub(super) async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let action: StudentAction = serde_json::from_value(serde_json::Value::String(field(&fields, "action").to_string()))
        .map_err(|_| AppError::field("action", "use submit, withdraw, accept or decline"))?;
    let actor = Actor::from(&*user);
    apply(
        &state.db,
        async |tx| student::step(tx, &actor, user.id, id, action).await,
        |_| format!("/my/applications/{id}"),
        async |e| show(&state, &ctx, user.id, id, FormState::failed("steps", fields.clone(), e, ctx.locale)?, String::new()).await,
    )
    .await
}

/// `GET /my/applications/{id}/documents/{doc_id}`: the student's own document.
pub(super) async fn download(
    State(state): State<AppState>,
    User(user): User,
    ApiPath((id, doc)): ApiPath<(i64, i64)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    {
        let mut conn = state.db.pool.acquire().await?;
        student::own(&mut conn, user.id, id).await?;
    }
    documents::download(&state, id, doc, &headers).await
}
