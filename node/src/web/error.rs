//! [`AppError`]: every failure of a handler as `{"error": code, "message": sentence}` with a
//! stable code and the matching status. Local causes (SQLite, I/O, panics) are logged and answered
//! with a generic `internal`; they are never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::domain::text::TextProblem;
use crate::error::Error;
use crate::import::ImportError;

/// A handler's error. Each variant is one stable `error` code.
#[derive(Clone, Debug)]
pub enum AppError {
    /// 401 `unauthenticated`: no, unknown, expired or disabled credentials.
    Unauthenticated,
    /// 401 `login_failed`: wrong user name or password (never says which).
    LoginFailed,
    /// 403 `forbidden`: the role may not do this.
    Forbidden,
    /// 403 `csrf_failed`: a cookie-authenticated write without the session's CSRF token, or
    /// from another site.
    Csrf,
    /// 404 `not_found` (also what a pod lead gets for a member outside their pods).
    NotFound(String),
    /// 400 `bad_request`: the request itself is malformed (query, JSON, form).
    BadRequest(String),
    /// 422 `invalid`: a value is not acceptable.
    Invalid {
        /// Which field.
        field: String,
        /// Why.
        message: String,
    },
    /// 422 `invalid`: a text field is too long for its kind or holds a control character
    /// ([`crate::domain::text`]).
    TextRefused {
        /// Which field.
        field: String,
        /// What is wrong with it.
        problem: TextProblem,
    },
    /// 409 `conflict`: exists already, or refers to something that does not exist.
    Conflict(String),
    /// 413 `payload_too_large`.
    PayloadTooLarge,
    /// 415 `unsupported_media_type`.
    UnsupportedMediaType,
    /// 422 `import_refused`: the list has problems; nothing was written.
    ImportRefused(ImportError),
    /// 429 `rate_limited`: too many failed logins.
    RateLimited {
        /// Seconds until a retry can succeed.
        retry_after: u64,
    },
    /// 500 `internal`: logged with its cause, answered without it.
    Internal(String),
}

impl AppError {
    /// A 404 for a thing.
    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::NotFound(what.into())
    }

    /// A 400.
    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::BadRequest(message.into())
    }

    /// A 422 for a field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::LoginFailed => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. }
            | AppError::TextRefused { .. }
            | AppError::ImportRefused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::LoginFailed => "login_failed",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf_failed",
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid { .. } | AppError::TextRefused { .. } => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::ImportRefused(_) => "import_refused",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    /// The sentence sent to the client.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Unauthenticated => "log in first".into(),
            AppError::LoginFailed => "wrong user name or password".into(),
            AppError::Forbidden => "your role does not allow this".into(),
            AppError::Csrf => "missing or wrong CSRF token (reload the page and try again)".into(),
            AppError::NotFound(what) => format!("{what} not found"),
            AppError::BadRequest(m) | AppError::Conflict(m) => m.clone(),
            AppError::Invalid { field, message } => format!("invalid {field}: {message}"),
            AppError::TextRefused { field, problem } => format!("invalid {field}: {problem}"),
            AppError::PayloadTooLarge => "the request body is too large".into(),
            AppError::UnsupportedMediaType => "unsupported content type".into(),
            AppError::ImportRefused(e) => format!(
                "import refused, nothing was changed: {} problem(s)",
                e.total()
            ),
            AppError::RateLimited { .. } => {
                "too many failed attempts; wait a few minutes and try again".into()
            }
            AppError::Internal(_) => "something went wrong on the server".into(),
        }
    }
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        match e {
            Error::Invalid { field, message } => AppError::Invalid {
                field: field.to_owned(),
                message,
            },
            Error::NotFound { what } => AppError::NotFound(what),
            e @ Error::PeriodClosed { .. } => AppError::Conflict(e.to_string()),
            Error::AlreadyExists(what) => AppError::Conflict(format!("{what} already exists")),
            Error::Import(e) => AppError::ImportRefused(e),
            Error::ImportUnconfirmed {
                marked_missing,
                present_before,
            } => AppError::Conflict(format!(
                "this list would mark {marked_missing} of the {present_before} members on the \
                 list missing; nothing was changed. If it is national's complete list, send it \
                 again with confirm=true"
            )),
            Error::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                // Foreign keys, uniqueness and CHECKs the domain did not pre-validate: the
                // client's fault, but the constraint text names tables, so it stays in the log.
                tracing::debug!("constraint: {e}");
                AppError::Conflict(
                    "this refers to a record that does not exist, or conflicts with one that does"
                        .into(),
                )
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            AppError::Internal(cause) => tracing::error!("internal error: {cause}"),
            other => tracing::debug!("refused: {} ({})", other.code(), other.public_message()),
        }
        let mut body = json!({"error": self.code(), "message": self.public_message()});
        if let AppError::ImportRefused(e) = &self {
            body["problems"] = json!(e.problems);
            body["more_problems"] = json!(e.more_problems);
        }
        if let AppError::Invalid { field, .. } | AppError::TextRefused { field, .. } = &self {
            body["field"] = json!(field);
        }
        let mut response = (status, Json(body)).into_response();
        if let AppError::RateLimited { retry_after } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
