//! Problem documents (`application/problem+json`) in the caller's language: the title,
//! the detail and every field message are translated for Chinese requests. Handlers keep
//! answering in English; this layer, outside the context middleware, rewrites the body.

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use serde_json::Value;

use super::{Locale, Tr};
use crate::web::context::{Ctx, LANG_COOKIE, cookie};

/// Larger problem documents are passed on untranslated.
const MAX_PROBLEM_BYTES: usize = 1 << 20;

/// Middleware: translates problem documents for requests whose language is not English.
/// On `/api/` an `Accept-Language` naming a supported language is the client's explicit
/// choice and wins; otherwise the language is the request context's (user setting, cookie,
/// `Accept-Language`), and for answers given before the context was built, the cookie or
/// `Accept-Language`.
pub async fn translate_problems(req: Request, next: Next) -> Response {
    let asked = req.uri().path().starts_with("/api/").then(|| accept_language(req.headers())).flatten();
    let hint = locale_hint(req.headers());
    let res = next.run(req).await;
    let locale = asked.or_else(|| res.extensions().get::<Ctx>().map(|c| c.locale)).or(hint).unwrap_or(Locale::En);
    if locale == Locale::En || !is_problem(res.headers()) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PROBLEM_BYTES).await else {
        // The body could not be read whole; nothing sensible is left to send but the status.
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut problem) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    translate(&mut problem, Tr(locale));
    let Ok(out) = serde_json::to_vec(&problem) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(locale.code()));
    Response::from_parts(parts, Body::from(out))
}

fn locale_hint(headers: &HeaderMap) -> Option<Locale> {
    cookie(headers, LANG_COOKIE).and_then(Locale::parse).or_else(|| accept_language(headers))
}

fn accept_language(headers: &HeaderMap) -> Option<Locale> {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::from_accept_language)
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
}

/// Translates a problem document in place: the title by its type (`error.<slug>` of the
/// UI strings), the detail and the field messages through the message catalogue.
pub fn translate(problem: &mut Value, tr: Tr) {
    let slug = problem["type"].as_str().unwrap_or("").trim_start_matches("/problems/").to_string();
    let key = format!("error.{slug}");
    if let Some(title) = problem.get_mut("title").filter(|t| t.is_string()) {
        let by_type = tr.t(&key);
        let text = if by_type != key { by_type.to_string() } else { tr.message(title.as_str().unwrap_or("")).into_owned() };
        *title = Value::String(text);
    }
    translate_text(problem.get_mut("detail"), tr);
    if let Some(errors) = problem.get_mut("errors").and_then(Value::as_array_mut) {
        for e in errors {
            translate_text(e.get_mut("message"), tr);
        }
    }
}

fn translate_text(value: Option<&mut Value>, tr: Tr) {
    if let Some(v) = value
        && let Some(text) = v.as_str()
    {
        *v = Value::String(tr.message(text).into_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_details_and_field_messages_are_translated() {
        let mut p = serde_json::json!({
            "type": "/problems/validation", "title": "Some fields need attention", "status": 422,
            "errors": [{"field": "title", "message": "give the visit a title"}, {"field": "x", "message": "not in the catalogue"}]
        });
        translate(&mut p, Tr(Locale::Zh));
        assert_eq!(p["title"], "部分字段需要修改");
        assert_eq!(p["errors"][0]["message"], "请填写来访标题");
        assert_eq!(p["errors"][1]["message"], "not in the catalogue");
        assert_eq!(p["errors"][0]["field"], "title");
        let mut nf = serde_json::json!({"type": "/problems/not-found", "title": "Not found", "detail": "Nothing exists at this address."});
        translate(&mut nf, Tr(Locale::Zh));
        assert_eq!(nf["detail"], "此地址下没有内容。");
    }
}
