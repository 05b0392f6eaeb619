//! Body and query extractors whose refusals are [`AppError`]s (JSON with a stable code) instead
//! of axum's plain-text rejections.
//!
//! Every text field of a form or JSON body passes [`check_text_fields`] before it reaches a
//! handler: at most its kind's length, no control characters ([`crate::domain::text`]).

use axum::extract::rejection::{BytesRejection, FormRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::AppError;
use crate::domain::text;

/// A JSON request body (`Content-Type: application/json`), its text fields checked.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        check_json(None, &value)?;
        serde_json::from_value(value).map(JsonBody).map_err(|e| {
            AppError::BadRequest(format!(
                "Failed to deserialize the JSON body into the target type: {e}"
            ))
        })
    }
}

/// An `application/x-www-form-urlencoded` body (HTML forms), its text fields checked.
#[derive(Debug)]
pub struct FormBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FormBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let axum::Form(pairs) =
            axum::Form::<Vec<(String, String)>>::from_request(req, state).await?;
        check_text_fields(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        let encoded = serde_urlencoded::to_string(&pairs)
            .map_err(|e| AppError::BadRequest(format!("form: {e}")))?;
        serde_urlencoded::from_str(&encoded)
            .map(FormBody)
            .map_err(|e| AppError::BadRequest(format!("Failed to deserialize form body: {e}")))
    }
}

/// Query parameters.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Params<T>(pub T);

/// Whether a field is a password: its length is bounded by the account code, and any character
/// may be part of it.
fn is_secret(name: &str) -> bool {
    name.contains("password")
}

/// Checks each `(name, value)` of a form against its kind's limits
/// ([`text::kind_of_field`]); the first refused field is the error (422 `invalid`, naming it).
pub fn check_text_fields<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), AppError> {
    for (name, value) in fields {
        if is_secret(name) {
            continue;
        }
        text::check(text::kind_of_field(name), value).map_err(|problem| AppError::TextRefused {
            field: name.to_owned(),
            problem,
        })?;
    }
    Ok(())
}

/// [`check_text_fields`] for every string in a JSON value, each under its nearest key (the
/// strings of an array under the array's key).
fn check_json(key: Option<&str>, value: &serde_json::Value) -> Result<(), AppError> {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            let name = key.unwrap_or("");
            check_text_fields([(name, s.as_str())])
        }
        Value::Array(items) => items.iter().try_for_each(|v| check_json(key, v)),
        Value::Object(map) => map
            .iter()
            .try_for_each(|(k, v)| check_json(Some(k.as_str()), v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

fn by_status(status: StatusCode, text: String) -> AppError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
        _ => AppError::BadRequest(text),
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        by_status(r.status(), r.body_text())
    }
}

impl From<FormRejection> for AppError {
    fn from(r: FormRejection) -> Self {
        by_status(r.status(), r.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        by_status(r.status(), r.body_text())
    }
}

impl From<BytesRejection> for AppError {
    fn from(r: BytesRejection) -> Self {
        by_status(r.status(), r.body_text())
    }
}
