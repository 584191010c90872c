//! Posted forms on pages: the fields as name/value pairs (repeated names for checkboxes
//! and multi-selects), and which form of a page failed with what, so the page re-renders
//! with inline messages and the input kept. Shared by every module's pages.

use axum::response::{IntoResponse, Redirect, Response};

use super::i18n::{Locale, Tr};
use crate::{
    db::Db,
    error::{AppError, AppResult},
};

/// Which form failed, its input, and its messages.
#[derive(Debug, Default)]
pub struct FormState {
    /// The failed form's name ("" when none failed).
    pub form: &'static str,
    /// Its input, as posted.
    pub fields: Vec<(String, String)>,
    /// (field, message) pairs.
    pub errors: Vec<(String, String)>,
    /// The failure was a warning that may be overridden (a 409).
    pub warning: bool,
}

impl FormState {
    /// The state of a form that failed with `err`, its messages in the request's language
    /// (see [`Tr::message`]); errors that are not the user's to fix pass through.
    pub fn failed(form: &'static str, fields: Vec<(String, String)>, err: AppError, locale: Locale) -> Result<FormState, AppError> {
        let (errors, warning) = match err {
            AppError::Validation(v) => (v.into_iter().map(|e| (e.field, e.message)).collect(), false),
            AppError::Conflict(msg, _) => (vec![("conflict".to_string(), msg)], true),
            AppError::Forbidden(msg) => (vec![("forbidden".to_string(), msg)], false),
            AppError::NotFound => (vec![("record".to_string(), "That record no longer exists; reload the page.".to_string())], false),
            other => return Err(other),
        };
        Ok(FormState { form, fields, errors: Tr(locale).field_messages(errors), warning })
    }

    /// A form filled with a record's current values (an edit page's first showing).
    pub fn filled(form: &'static str, fields: Vec<(String, String)>) -> FormState {
        FormState { form, fields, errors: Vec::new(), warning: false }
    }

    /// True if this form is the one that failed.
    pub fn is(&self, form: &str) -> bool {
        self.form == form
    }

    /// True if this form failed with a conflict (409) rather than invalid input.
    pub fn is_conflict(&self) -> bool {
        self.errors.iter().any(|(k, _)| k == "conflict")
    }

    /// True if this form failed with warnings that may be overridden.
    pub fn warned(&self, form: &str) -> bool {
        self.is(form) && self.warning
    }

    /// The kept value of a field of the failed form (else `default`).
    pub fn val<'a>(&'a self, form: &str, name: &str, default: &'a str) -> &'a str {
        if !self.is(form) {
            return default;
        }
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// True if a checkbox or option of the failed form was chosen.
    pub fn chosen(&self, form: &str, name: &str, value: &str) -> bool {
        self.is(form) && self.fields.iter().any(|(k, v)| k == name && v == value)
    }

    /// Like [`FormState::chosen`], but when this form did not fail, whether `value` is the default.
    pub fn chosen_or(&self, form: &str, name: &str, value: &str, default: &str) -> bool {
        if self.is(form) { self.chosen(form, name, value) } else { value == default }
    }

    /// The message for a field of this form; `topics` also covers `topics[0]` and
    /// `quota` covers `[0].quota`-style list fields.
    pub fn err(&self, form: &str, field: &str) -> Option<&str> {
        if !self.is(form) {
            return None;
        }
        let hit = |f: &str| {
            f == field || f.starts_with(&format!("{field}[")) || f.starts_with(&format!("[{field}")) || f.ends_with(&format!(".{field}"))
        };
        self.errors.iter().find(|(f, _)| hit(f)).map(|(_, m)| m.as_str())
    }

    /// Every message of this form.
    pub fn messages(&self, form: &str) -> Vec<&str> {
        if self.is(form) { self.errors.iter().map(|(_, m)| m.as_str()).collect() } else { Vec::new() }
    }
}

/// The trimmed value of a posted field ("" if absent).
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).unwrap_or("")
}

/// A posted field as text, or None when empty.
pub fn opt_text(fields: &[(String, String)], name: &str) -> Option<String> {
    Some(field(fields, name).to_string()).filter(|s| !s.is_empty())
}

/// A posted field as a positive id, or None.
pub fn opt_id(fields: &[(String, String)], name: &str) -> Option<i64> {
    field(fields, name).parse().ok().filter(|v: &i64| *v > 0)
}

/// Every id posted under a repeated name (checkboxes, multi-selects).
pub fn ids(fields: &[(String, String)], name: &str) -> Vec<i64> {
    fields.iter().filter(|(k, _)| k == name).filter_map(|(_, v)| v.trim().parse().ok()).collect()
}

/// Runs a form's change in one transaction: committed, the browser goes to what
/// `done` makes of the change's answer (post/redirect/get); refused, `failed` renders the
/// page again with the form's messages and the input kept (see [`FormState::failed`]).
/// Every module's detail pages post through this one helper.
pub async fn apply<T, Change, Failed>(db: &Db, change: Change, done: impl FnOnce(T) -> String, failed: Failed) -> AppResult<Response>
where
    Change: AsyncFnOnce(&mut sqlx::AnyConnection) -> AppResult<T>,
    Failed: AsyncFnOnce(AppError) -> AppResult<Response>,
{
    let mut tx = db.begin().await?;
    match change(&mut tx).await {
        Ok(answer) => {
            tx.commit().await?;
            Ok(Redirect::to(&done(answer)).into_response())
        }
        Err(e) => {
            drop(tx);
            failed(e).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted() -> Vec<(String, String)> {
        [("title", " Talks "), ("topics", "a"), ("topics", "b"), ("room_id", "0"), ("person_id", "7")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fields_are_read_trimmed_and_repeated_names_collected() {
        let f = posted();
        assert_eq!(field(&f, "title"), "Talks");
        assert_eq!(opt_id(&f, "room_id"), None);
        assert_eq!(opt_id(&f, "person_id"), Some(7));
        assert_eq!(ids(&f, "person_id"), [7]);
        assert_eq!(opt_text(&f, "missing"), None);
    }

    #[test]
    fn a_failed_form_keeps_its_input_and_messages_and_others_keep_defaults() {
        let err = AppError::Validation(vec![crate::error::FieldError::new("topics[1]", "not an area")]);
        let s = FormState::failed("sessions", posted(), err, Locale::En).expect("state");
        assert_eq!(s.val("sessions", "title", "x"), " Talks ");
        assert_eq!(s.val("outcomes", "title", "x"), "x");
        assert!(s.chosen("sessions", "topics", "b") && !s.chosen("outcomes", "topics", "b"));
        assert!(s.chosen_or("outcomes", "kind", "consensus", "consensus"));
        assert_eq!(s.err("sessions", "topics"), Some("Not an area"));
        assert!(!s.is_conflict() && !s.warned("sessions"));
    }
}
