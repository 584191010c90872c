//! The office's page of one application: the student's answers and documents, the
//! eligibility decision, the caller's scores per criterion with comments (every
//! reviewer's shown), the interview slot, and the manual allocation with its reason.
//! Each form posts to one address with its name and re-renders with the input kept.

use askama::Template;
use axum::{extract::State, http::HeaderMap, response::Response};

use super::Words;
use crate::{
    applications::{
        calls, documents,
        model::{ApplicationDetail, CallDetail, Criterion},
        office::{self, ScoreInput},
        queries, student,
    },
    audit::Actor,
    error::{AppError, AppResult},
    status::Status as _,
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms::{FormState, apply, field},
        pages::Base,
        render,
    },
};

#[derive(Template)]
#[template(path = "applications/review.html")]
struct ReviewPage {
    base: Base,
    d: ApplicationDetail,
    call: CallDetail,
    me: i64,
    f: FormState,
}

impl Words for ReviewPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl ReviewPage {
    fn criterion(&self, c: &Criterion) -> String {
        if self.base.is_zh() && !c.zh.is_empty() { c.zh.clone() } else { c.en.clone() }
    }
    /// The caller's own score of a criterion (kept input first).
    fn my_score(&self, key: &str) -> String {
        let stored = self
            .d
            .scores
            .iter()
            .find(|s| s.reviewer_id == self.me && s.criterion == key)
            .map(|s| super::super::model::hundredths(s.score_x100))
            .unwrap_or_default();
        self.f.val("scores", &format!("score_{key}"), &stored).to_string()
    }
    fn my_comment(&self, key: &str) -> String {
        let stored =
            self.d.scores.iter().find(|s| s.reviewer_id == self.me && s.criterion == key).map(|s| s.comment.clone()).unwrap_or_default();
        self.f.val("scores", &format!("comment_{key}"), &stored).to_string()
    }
    fn allocated_to(&self, id: &i64) -> bool {
        self.d.application.allocated_partner_id == Some(*id)
    }
    fn gpa(&self) -> String {
        self.hundredths(&self.d.application.gpa_x100)
    }
    fn score(&self) -> String {
        self.hundredths(&self.d.application.score_x100)
    }
    fn title(&self) -> String {
        self.call.call.title(self.base.is_zh()).to_string()
    }
}

async fn show(state: &AppState, ctx: &Ctx, me: i64, id: i64, f: FormState) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let a = queries::get_application(&mut conn, id).await?;
    let call = calls::detail(&mut conn, a.call_id).await?;
    let name = a.student_name.clone();
    let d = student::detail(&mut conn, a, true, ctx.locale == crate::web::i18n::Locale::Zh).await?;
    Ok(render(&ReviewPage { base: Base::new(ctx, name, "calls"), d, call, me, f }))
}

/// `GET /applications/{id}`: one application for the office.
pub(super) async fn page(State(state): State<AppState>, ctx: Ctx, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    show(&state, &ctx, user.id, id, FormState::default()).await
}

/// The scores form as the API's input: `score_<criterion>` and `comment_<criterion>`.
fn scores(fields: &[(String, String)], criteria: &[Criterion]) -> AppResult<Vec<ScoreInput>> {
    let mut out = Vec::new();
    for c in criteria {
        let text = field(fields, &format!("score_{}", c.key));
        if text.is_empty() {
            continue;
        }
        let score: f64 = text.parse().map_err(|_| AppError::field(&format!("score_{}", c.key), "a score is from 0 to 100"))?;
        out.push(ScoreInput { criterion: c.key.clone(), score, comment: field(fields, &format!("comment_{}", c.key)).to_string() });
    }
    Ok(out)
}

/// `POST /applications/{id}/review`: one of the forms (`form` = eligibility, scores,
/// interview or allocation).
pub(super) async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    let form: &'static str = match field(&fields, "form") {
        "eligibility" => "eligibility",
        "scores" => "scores",
        "interview" => "interview",
        _ => "allocation",
    };
    let criteria = {
        let mut conn = state.db.pool.acquire().await?;
        let a = queries::get_application(&mut conn, id).await?;
        queries::get_call(&mut conn, a.call_id).await?.criteria()
    };
    let f = fields.clone();
    apply(
        &state.db,
        async |tx| match form {
            "eligibility" => office::set_eligibility(tx, &actor, id, field(&f, "eligible") == "1", field(&f, "note")).await,
            "scores" => office::score(tx, &actor, user.id, id, &scores(&f, &criteria)?).await.map(|_| ()),
            "interview" => office::interview(tx, &actor, id, Some(field(&f, "at")), field(&f, "place")).await,
            _ => {
                let partner = field(&f, "call_partner_id").parse::<i64>().ok().filter(|p| *p > 0);
                office::override_allocation(tx, &actor, id, partner, field(&f, "note")).await
            }
        },
        |_| format!("/applications/{id}"),
        async |e| show(&state, &ctx, user.id, id, FormState::failed(form, fields.clone(), e, ctx.locale)?).await,
    )
    .await
}

/// `GET /applications/{id}/documents/{doc_id}`: a document, for the office.
pub(super) async fn download(
    State(state): State<AppState>,
    ApiPath((id, doc)): ApiPath<(i64, i64)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    documents::download(&state, id, doc, &headers).await
}
