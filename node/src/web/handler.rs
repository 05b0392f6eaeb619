//! The one way to write a node handler (API or page), in three pieces:
//!
//! 1. **Who may ask**: a role extractor — [`Admin`], [`Organizer`], [`Editor`], [`SeesMembers`]
//!    (or plain [`CurrentUser`] / `ui::page::Page` for "any logged-in user"). It authenticates
//!    and checks the role from the request head, so a request without the role is refused (403,
//!    or the login redirect) **before its body is read**. Each wraps a [`Requester`]:
//!    `Organizer(user): Organizer` for the JSON API, `Organizer(page): Organizer<Page>` for a
//!    page, whose refusals are error pages in the user's language.
//! 2. **What it sends**: [`CsrfForm<T, U>`] for an HTML form — the body parsed, every text
//!    field checked ([`super::extract::check_text_fields`]) and the session's CSRF token checked
//!    (`csrf` field) — or [`super::extract::JsonBody`] for the API (whose CSRF header is checked
//!    by [`CurrentUser`] itself).
//! 3. **What it changes**: [`write_audited`] — the change and its audit row in one transaction
//!    (no change without its entry). Pages then redirect with a flash (`ui::flash`).
//!
//! ```ignore
//! pub async fn pods_create(Organizer(page): Organizer<Page>, CsrfForm(f): CsrfForm<Fields>) -> Response {
//!     let res = page.write(move |tx| {
//!         let id = pods::create(tx, &f.name, None)?;
//!         Ok(audit("pod.create", format!("pod:{id}")))
//!     }).await;
//!     page.back("/pods", res)
//! }
//! ```

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use rusqlite::Transaction;
use serde::de::DeserializeOwned;

use super::auth::{AuthRejection, CurrentUser, Role};
use super::extract::check_text_fields;
use super::{AppError, AppState, check_csrf};
use crate::domain::audit as audit_log;

/// Whoever a handler answers: the API's [`CurrentUser`] (refusals as JSON) or a page's
/// `Page` (refusals as error pages in the user's language).
pub trait Requester: FromRequestParts<AppState, Rejection = AuthRejection> + Send {
    /// The logged-in user.
    fn user(&self) -> &CurrentUser;
    /// The response refusing this request with `e`.
    fn refuse(&self, e: &AppError) -> Response;
}

impl Requester for CurrentUser {
    fn user(&self) -> &CurrentUser {
        self
    }

    fn refuse(&self, e: &AppError) -> Response {
        e.clone().into_response()
    }
}

/// A capability a role extractor asks for.
pub trait Capability {
    /// Whether `role` has it.
    fn allows(role: Role) -> bool;
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $check:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name<U = CurrentUser>(pub U);

        impl<U> Capability for $name<U> {
            fn allows(role: Role) -> bool {
                role.$check()
            }
        }

        impl<U: Requester> FromRequestParts<AppState> for $name<U> {
            type Rejection = Response;

            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Response> {
                let who = U::from_request_parts(parts, state)
                    .await
                    .map_err(IntoResponse::into_response)?;
                if <Self as Capability>::allows(who.user().role) {
                    Ok($name(who))
                } else {
                    Err(who.refuse(&AppError::Forbidden))
                }
            }
        }
    };
}

role_extractor!(
    /// Admins only ([`Role::can_admin`]): users, audit log, export, settings, reports.
    Admin,
    can_admin
);
role_extractor!(
    /// Organizers and admins ([`Role::can_organize`]): chapter-wide organizing and import.
    Organizer,
    can_organize
);
role_extractor!(
    /// Anyone who may change member and workplace data ([`Role::can_edit`]; pod leads within
    /// their scope, which the handler still passes to `web::query`).
    Editor,
    can_edit
);
role_extractor!(
    /// Anyone who may see member-level data ([`Role::can_see_members`]; pod leads within their
    /// scope).
    SeesMembers,
    can_see_members
);

/// A form with a CSRF field (`csrf`, [`super::csrf::FORM_FIELD`]).
pub trait HasCsrf {
    /// The submitted token.
    fn csrf(&self) -> &str;
}

/// How refusals after authentication are answered for this request: pages put one in the
/// request's extensions when they extract (`ui::page::Page`), so [`CsrfForm`] answers with an
/// error page in the user's language; without one, JSON ([`AppError`]'s response).
#[derive(Clone)]
pub struct Refuser(Arc<dyn Fn(&AppError) -> Response + Send + Sync>);

impl Refuser {
    /// Refusals answered by `f`.
    pub fn new(f: impl Fn(&AppError) -> Response + Send + Sync + 'static) -> Refuser {
        Refuser(Arc::new(f))
    }

    /// The response for `e`.
    pub fn refuse(&self, e: &AppError) -> Response {
        (self.0)(e)
    }
}

impl std::fmt::Debug for Refuser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Refuser")
    }
}

/// Why a [`CsrfForm`] was refused: the response to send, and the error if it was one (None: not
/// logged in). A handler that answers some refusals itself (the password form sends a CSRF
/// failure back to the form) takes `Result<CsrfForm<T>, FormRefused>`.
pub struct FormRefused {
    /// The error (None: not logged in).
    pub error: Option<AppError>,
    response: Response,
}

impl std::fmt::Debug for FormRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormRefused")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl IntoResponse for FormRefused {
    fn into_response(self) -> Response {
        self.response
    }
}

/// An HTML form body (`application/x-www-form-urlencoded`) from a logged-in user: parsed, every
/// text field checked, and its `csrf` field checked against the session (bearer-token requests
/// pass). Refusals (400 `bad_request`, 422 `invalid`, 403 `csrf_failed`, 413) are error pages
/// in the user's language behind a page extractor ([`Refuser`]), else JSON.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

/// Parses a form body and checks its text fields and CSRF token for `user`.
pub fn parse_form<T: DeserializeOwned + HasCsrf>(
    user: &CurrentUser,
    body: &[u8],
) -> Result<T, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|e| AppError::bad_request(format!("form: {e}")))?;
    check_text_fields(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let form: T = serde_urlencoded::from_bytes(body)
        .map_err(|e| AppError::bad_request(format!("form: {e}")))?;
    check_csrf(user, form.csrf())?;
    Ok(form)
}

impl<T: DeserializeOwned + HasCsrf> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = FormRefused;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, FormRefused> {
        let (mut parts, body) = req.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state)
            .await
            .map_err(|r| FormRefused {
                error: match &r {
                    AuthRejection::Error(e) => Some(e.clone()),
                    AuthRejection::Login(_) => None,
                },
                response: r.into_response(),
            })?;
        let refuser = parts.extensions.get::<Refuser>().cloned();
        let refuse = |e: AppError| FormRefused {
            response: match &refuser {
                Some(r) => r.refuse(&e),
                None => e.clone().into_response(),
            },
            error: Some(e),
        };
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|r| refuse(AppError::from(r)))?;
        parse_form(&user, &bytes).map(CsrfForm).map_err(refuse)
    }
}

/// One audit row: what was done (`action`), to what (`subject`), details (never member data).
#[derive(Debug)]
struct Entry {
    action: &'static str,
    subject: String,
    detail: String,
}

/// The audit rows of a write (usually one), carrying the write's result. Built with [`audit`].
#[derive(Debug)]
#[must_use = "return it from the write closure"]
pub struct Audited<T = ()> {
    entries: Vec<Entry>,
    value: T,
}

/// The audit row for a write: `audit("pod.create", format!("pod:{id}"))`.
pub fn audit(action: &'static str, subject: impl Into<String>) -> Audited {
    Audited::nothing().and(action, subject)
}

impl Audited {
    /// No row: the write turned out to change nothing (e.g. a stage set to the stage it had).
    pub fn nothing() -> Audited {
        Audited {
            entries: Vec::new(),
            value: (),
        }
    }
}

impl<T> Audited<T> {
    /// Another row in the same transaction.
    pub fn and(mut self, action: &'static str, subject: impl Into<String>) -> Audited<T> {
        self.entries.push(Entry {
            action,
            subject: subject.into(),
            detail: String::new(),
        });
        self
    }

    /// Details of the last row.
    pub fn detail(mut self, detail: impl Into<String>) -> Audited<T> {
        if let Some(e) = self.entries.last_mut() {
            e.detail = detail.into();
        }
        self
    }

    /// Carrying the write's result (e.g. a created id).
    pub fn returning<V>(self, value: V) -> Audited<V> {
        Audited {
            entries: self.entries,
            value,
        }
    }
}

/// Runs `f` in a write transaction and records its audit rows (by `user`) in the same
/// transaction: no change without its entry, no entry without the change.
pub async fn write_audited<T: Send + 'static>(
    state: &AppState,
    user: &CurrentUser,
    f: impl FnOnce(&Transaction<'_>) -> crate::Result<Audited<T>> + Send + 'static,
) -> crate::Result<T> {
    let actor = user.username.clone();
    state
        .store()
        .write_async(move |tx| {
            let done = f(tx)?;
            for e in &done.entries {
                audit_log::record(tx, &actor, e.action, &e.subject, &e.detail)?;
            }
            Ok(done.value)
        })
        .await
}
