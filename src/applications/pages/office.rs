//! The office's page of one call: its applications (filters by status, partner and
//! name), the ranking and allocation with each student's reason, the steps over the
//! whole call (screen, allocate, publish, nominate), the partners' links, and the
//! CSV/XLSX export of the filtered list (`crate::tabular`).

use std::collections::HashMap;

use askama::Template;
use axum::{extract::State, response::Response};

use super::Words;
use crate::{
    applications::{
        PublicBase, calls,
        links::{self, Purpose},
        model::{Application, ApplicationQuery, ApplicationStatus, CallDetail, allocation::explain, hundredths},
        nomination, office, queries,
    },
    audit::Actor,
    error::{AppError, AppResult},
    status::Status,
    tabular::{Format, Table},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery, FormData},
        forms::{FormState, apply, field},
        pages::Base,
        render,
    },
};

/// One row of the list.
struct Row {
    a: Application,
    choices: Vec<String>,
    explanation: String,
}

#[derive(Template)]
#[template(path = "applications/office_list.html")]
struct ListPage {
    base: Base,
    d: CallDetail,
    rows: Vec<Row>,
    q: ApplicationQuery,
    query_string: String,
    links: Vec<(String, String)>,
    f: FormState,
}

impl Words for ListPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl ListPage {
    fn statuses(&self) -> &'static [ApplicationStatus] {
        ApplicationStatus::ALL
    }
    fn status_chosen(&self, s: &ApplicationStatus) -> bool {
        self.q.status.as_deref() == Some(s.as_str())
    }
    fn partner_chosen(&self, id: &i64) -> bool {
        self.q.partner_id == Some(*id)
    }
    fn text(&self) -> String {
        self.q.q.clone().unwrap_or_default()
    }
    fn title(&self) -> String {
        self.d.call.title(self.base.is_zh()).to_string()
    }
    fn allocated(&self, a: &Application) -> String {
        a.allocated_partner_id.and_then(|p| self.d.partners.iter().find(|c| c.id == p)).map(|c| c.name.clone()).unwrap_or_default()
    }
}

/// The rows of the filtered list, with choices and reasons in the reader's language.
async fn rows(conn: &mut sqlx::AnyConnection, d: &CallDetail, q: &ApplicationQuery, zh: bool) -> AppResult<Vec<Row>> {
    let apps = queries::list_applications(&mut *conn, q).await?;
    let mut choices: HashMap<i64, Vec<String>> = HashMap::new();
    for (a, p) in queries::call_choices(&mut *conn, d.call.id).await? {
        let name = d.partners.iter().find(|c| c.id == p).map(|c| c.name.clone()).unwrap_or_default();
        choices.entry(a).or_default().push(name);
    }
    let name = |p: i64| d.partners.iter().find(|c| c.id == p).map(|c| c.name.clone()).unwrap_or_default();
    Ok(apps
        .into_iter()
        .map(|a| {
            let mut explanation = a.outcome().map(|o| explain(&o, &name, zh)).unwrap_or_default();
            if let Some(n) = &a.override_note {
                explanation = format!("{explanation} ({n})");
            }
            Row { choices: choices.remove(&a.id).unwrap_or_default(), explanation, a }
        })
        .collect())
}

fn query_string(q: &ApplicationQuery) -> String {
    let enc = crate::web::routes::urlencode;
    format!(
        "status={}&partner_id={}&q={}",
        enc(q.status.as_deref().unwrap_or("")),
        q.partner_id.map(|p| p.to_string()).unwrap_or_default(),
        enc(q.q.as_deref().unwrap_or(""))
    )
}

async fn show(state: &AppState, ctx: &Ctx, id: i64, mut q: ApplicationQuery, f: FormState) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let d = calls::detail(&mut conn, id).await?;
    q.call_id = Some(id);
    q.status = q.status.filter(|s| !s.is_empty());
    if let Some(s) = &q.status {
        ApplicationStatus::parse_field("status", s)?;
    }
    let zh = ctx.locale == crate::web::i18n::Locale::Zh;
    let rows = rows(&mut conn, &d, &q, zh).await?;
    let base_url = state.service::<PublicBase>().0.clone();
    let (purpose, path) = if d.call.direction == "inbound" { (Purpose::Nominate, "nominate") } else { (Purpose::Review, "review") };
    let mut partner_links = Vec::new();
    for p in &d.partners {
        let token = links::sign(&mut conn, purpose, p.id).await?;
        partner_links.push((p.name.clone(), format!("{base_url}/partner/{path}/{token}")));
    }
    let title = d.call.title(zh).to_string();
    let query_string = query_string(&q);
    Ok(render(&ListPage { base: Base::new(ctx, title, "calls"), d, rows, q, query_string, links: partner_links, f }))
}

/// `GET /calls/{id}/applications`: the call's applications for the office.
pub(super) async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ApplicationQuery>,
) -> AppResult<Response> {
    show(&state, &ctx, id, q, FormState::default()).await
}

/// `POST /calls/{id}/actions`: screen, allocate, publish or nominate.
pub(super) async fn action(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    let what = field(&fields, "action").to_string();
    let base_url = state.service::<PublicBase>().0.clone();
    apply(
        &state.db,
        async |tx| match what.as_str() {
            "close" => calls::close_now(tx, &actor, id).await.map(|_| ()),
            "screen" => office::screen(tx, &actor, id).await.map(|_| ()),
            "allocate" => office::allocate(tx, &actor, id).await.map(|_| ()),
            "publish" => office::publish(tx, &actor, id).await,
            "nominate" => nomination::nominate(tx, &actor, id, &base_url).await.map(|_| ()),
            _ => Err(AppError::field("action", "use close, screen, allocate, publish or nominate")),
        },
        |_| format!("/calls/{id}/applications"),
        async |e| show(&state, &ctx, id, ApplicationQuery::default(), FormState::failed("actions", fields.clone(), e, ctx.locale)?).await,
    )
    .await
}

/// The filtered list as a table for the spreadsheet writers.
async fn table(state: &AppState, id: i64, mut q: ApplicationQuery) -> AppResult<Table> {
    let mut conn = state.db.pool.acquire().await?;
    let d = calls::detail(&mut conn, id).await?;
    q.call_id = Some(id);
    q.status = q.status.filter(|s| !s.is_empty());
    let rows = rows(&mut conn, &d, &q, false).await?;
    let max = d.call.max_choices as usize;
    let mut headers: Vec<String> = ["id", "rank", "student", "email", "student_number", "faculty", "level", "gpa", "score", "status"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    headers.extend((1..=max).map(|i| format!("choice_{i}")));
    headers.extend(["allocated", "allocated_choice", "explanation"].iter().map(|s| s.to_string()));
    let name = |p: Option<i64>| p.and_then(|p| d.partners.iter().find(|c| c.id == p)).map(|c| c.name.clone()).unwrap_or_default();
    let out = rows
        .into_iter()
        .map(|r| {
            let a = &r.a;
            let mut cells = vec![
                a.id.to_string(),
                a.rank.map(|r| r.to_string()).unwrap_or_default(),
                a.student_name.clone(),
                a.student_email.clone().unwrap_or_default(),
                a.student_number.clone(),
                a.faculty.clone(),
                a.level.clone(),
                a.gpa_x100.map(hundredths).unwrap_or_default(),
                a.score_x100.map(hundredths).unwrap_or_default(),
                a.status.as_str().to_string(),
            ];
            cells.extend((0..max).map(|i| r.choices.get(i).cloned().unwrap_or_default()));
            cells.extend([
                name(a.allocated_partner_id),
                a.allocated_choice.map(|c| c.to_string()).unwrap_or_default(),
                r.explanation.clone(),
            ]);
            cells
        })
        .collect();
    Ok(Table { headers, rows: out })
}

async fn export(state: &AppState, id: i64, q: ApplicationQuery, format: Format) -> AppResult<Response> {
    let t = table(state, id, q).await?;
    let bytes = t.write(format, "applications").map_err(AppError::Internal)?;
    crate::web::download::table(bytes, format, &format!("call-{id}-applications"))
}

/// `GET /calls/{id}/export.csv`: the filtered list as CSV.
pub(super) async fn export_csv(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ApplicationQuery>,
) -> AppResult<Response> {
    export(&state, id, q, Format::Csv).await
}

/// `GET /calls/{id}/export.xlsx`: the filtered list as XLSX.
pub(super) async fn export_xlsx(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ApplicationQuery>,
) -> AppResult<Response> {
    export(&state, id, q, Format::Xlsx).await
}
