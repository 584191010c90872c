//! The module's pages: open calls for anyone (`public`), the student's applications
//! (`student`), the office's lists, export and review (`office`, `review`), and the
//! pages partners' coordinators reach through their signed links (`partner`).

mod new_call;
mod office;
mod partner;
mod public;
mod review;
mod student;

use axum::routing::{get, post};

use crate::{
    auth::{Access, Permission},
    web::{pages::Base, routes::Routes},
};

/// Routes of the pages.
pub fn routes() -> Routes {
    let office = Access::Permission(Permission::ManageApplications);
    let apply = Access::Permission(Permission::Apply);
    let signed_in = Access::Authenticated;
    Routes::new()
        .get("/calls", Access::Public, get(public::list))
        .get("/calls/new", office, get(new_call::form))
        .post("/calls/new", office, post(new_call::create))
        .get("/calls/{id}", Access::Public, get(public::detail))
        .post("/calls/{id}/apply", apply, post(public::apply))
        .get("/my/applications", signed_in, get(student::list))
        .get("/my/applications/{id}", signed_in, get(student::page))
        .post("/my/applications/{id}", apply, post(student::save))
        .post("/my/applications/{id}/steps", apply, post(student::step))
        .get("/my/applications/{id}/documents/{doc_id}", signed_in, get(student::download))
        .get("/calls/{id}/applications", office, get(office::list))
        .get("/calls/{id}/export.csv", office, get(office::export_csv))
        .get("/calls/{id}/export.xlsx", office, get(office::export_xlsx))
        .post("/calls/{id}/actions", office, post(office::action))
        .get("/applications/{id}", office, get(review::page))
        .post("/applications/{id}/review", office, post(review::save))
        .get("/applications/{id}/documents/{doc_id}", office, get(review::download))
        .get("/partner/review/{token}", Access::Public, get(partner::review_page))
        .post("/partner/review/{token}", Access::Public, post(partner::decide))
        .get("/partner/nominate/{token}", Access::Public, get(partner::nominate_page))
        .post("/partner/nominate/{token}", Access::Public, post(partner::nominate))
}

/// Words the templates share.
pub trait Words {
    /// The page's base.
    fn base(&self) -> &Base;

    /// `applications.<key>` in the reader's language.
    fn tk(&self, key: &str) -> String {
        self.base().t(&format!("applications.{key}")).to_string()
    }

    /// `applications.<prefix>.<key>` in the reader's language.
    fn tk2(&self, prefix: &str, key: &str) -> String {
        self.tk(&format!("{prefix}.{key}"))
    }

    /// A status in the reader's language.
    fn status(&self, s: &str) -> String {
        self.tk(&format!("status.{s}"))
    }

    /// A stored instant in the office's time.
    fn when(&self, at: &str) -> String {
        crate::time::local_display(at)
    }

    /// An optional instant in the office's time ('' when none).
    fn when_opt(&self, at: &Option<String>) -> String {
        at.as_deref().map(crate::time::local_display).unwrap_or_default()
    }

    /// Hundredths as `85.50` ('' when none).
    fn hundredths(&self, v: &Option<i64>) -> String {
        v.map(super::model::hundredths).unwrap_or_default()
    }

    /// Hundredths as `85.50`.
    fn points(&self, v: &i64) -> String {
        super::model::hundredths(*v)
    }

    /// A missing item (a field or `document:kind`) in words.
    fn missing_label(&self, m: &str) -> String {
        match m.strip_prefix("document:") {
            Some(kind) => format!("{}: {}", self.tk("document"), self.tk(&format!("doc.{kind}"))),
            None => self.tk(&format!("field.{m}")),
        }
    }
}
