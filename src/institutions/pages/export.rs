//! Downloads of the institution and people lists (CSV, XLSX).

use axum::{extract::State, response::Response};

use super::super::{api, queries::InstitutionQuery};
use crate::{
    error::AppResult,
    web::{AppState, extract::ApiQuery},
};

use super::PeopleQuery;

/// `GET /institutions/export.csv`: the list as filtered.
pub async fn export_institutions_csv(state: State<AppState>, q: ApiQuery<InstitutionQuery>) -> AppResult<Response> {
    export_institutions(state, q, crate::tabular::Format::Csv).await
}

/// `GET /institutions/export.xlsx`: the list as filtered.
pub async fn export_institutions_xlsx(state: State<AppState>, q: ApiQuery<InstitutionQuery>) -> AppResult<Response> {
    export_institutions(state, q, crate::tabular::Format::Xlsx).await
}

async fn export_institutions(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<InstitutionQuery>,
    format: crate::tabular::Format,
) -> AppResult<Response> {
    let ids = api::matched_ids(&state, &q).await?;
    let table = super::super::transfer::institutions_table(&state.db, &q, ids.as_deref()).await?;
    download(table.write(format, "Institutions")?, format, "institutions")
}

/// `GET /people/export.csv`.
pub async fn export_people_csv(state: State<AppState>, q: ApiQuery<PeopleQuery>) -> AppResult<Response> {
    export_people(state, q, crate::tabular::Format::Csv).await
}

/// `GET /people/export.xlsx`.
pub async fn export_people_xlsx(state: State<AppState>, q: ApiQuery<PeopleQuery>) -> AppResult<Response> {
    export_people(state, q, crate::tabular::Format::Xlsx).await
}

async fn export_people(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PeopleQuery>,
    format: crate::tabular::Format,
) -> AppResult<Response> {
    let table = super::super::transfer::people_table(&state.db, q.q.as_deref()).await?;
    download(table.write(format, "People")?, format, "people")
}

use crate::web::download::table as download;
