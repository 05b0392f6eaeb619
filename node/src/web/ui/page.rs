//! Who is asking and in which language: the [`Page`] extractor for logged-in pages and the
//! [`Visitor`] extractor for the login page.
//!
//! The language is, in order: the user's saved choice, the `sf_lang` cookie (set by the switcher
//! before login), the browser's `Accept-Language`, English.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::i18n::Lang;
use super::view::{self, Chrome, Nav, NavItem};
use crate::web::auth::{AuthRejection, CurrentUser, Role};
use crate::web::handler::{Refuser, Requester};
use crate::web::ui::i18n::LangExt as _;
use crate::web::{AppError, AppState};

/// The language cookie (for visitors not logged in).
pub const LANG_COOKIE: &str = "sf_lang";

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The language of a request without a logged-in user.
pub fn anonymous_lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

fn path_of(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned()
}

/// A logged-in user's request for a page.
#[derive(Clone, Debug)]
pub struct Page {
    /// The user (role, pod scope, CSRF token).
    pub user: CurrentUser,
    /// The language to answer in.
    pub lang: Lang,
    /// This request's path and query.
    pub path: String,
    /// The application.
    pub state: AppState,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, AuthRejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let lang = user
            .language
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_else(|| anonymous_lang(&parts.headers));
        let page = Page {
            user,
            lang,
            path: path_of(parts),
            state: state.clone(),
        };
        // Refusals after this point (a form's CSRF or fields) are pages in this language.
        let p = page.clone();
        parts
            .extensions
            .insert(Refuser::new(move |e| p.error_page(e)));
        Ok(page)
    }
}

impl Requester for Page {
    fn user(&self) -> &CurrentUser {
        &self.user
    }

    fn refuse(&self, e: &AppError) -> Response {
        self.error_page(e)
    }
}

impl Page {
    /// A message in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    /// The user's role.
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// The frame of a page titled by `title_id`, in section `nav`.
    pub fn chrome(&self, title_id: &str, nav: Nav) -> Chrome {
        self.chrome_titled(self.lang.t(title_id), nav)
    }

    /// The frame of a page with an already written title: the user, their role and sections.
    pub fn chrome_titled(&self, title: String, nav: Nav) -> Chrome {
        let lang = self.lang;
        Chrome {
            lang,
            title,
            chapter: self.state.config().chapter_name.clone(),
            user: Some(self.user.username.clone()),
            role: view::role_label(lang, self.user.role),
            csrf: self.user.csrf_token().unwrap_or_default().to_owned(),
            here: self.path.clone(),
            nav: view::sections(self.user.role)
                .into_iter()
                .map(|(n, href, id)| NavItem {
                    href,
                    label: lang.t(id),
                    current: n == nav,
                })
                .collect(),
        }
    }

    /// An error page in this user's frame and language.
    pub fn error_page(&self, e: &AppError) -> Response {
        view::error_page(
            Some(self.chrome_titled(String::new(), Nav::None)),
            self.lang,
            e,
        )
    }

    /// `Ok` if the role allows it, else 403.
    pub fn require(&self, allowed: bool) -> Result<(), AppError> {
        self.user.require(allowed)
    }

    /// Turns a handler's result into a response: errors become a page in the user's language.
    pub fn respond(&self, result: Result<Response, AppError>) -> Response {
        match result {
            Ok(r) => r,
            Err(e) => self.error_page(&e),
        }
    }
}

pub use crate::web::handler::HasCsrf;

/// Parses a query string leniently: unknown or malformed parameters are ignored (a filter form
/// must never fail the page).
pub fn query<T: DeserializeOwned + Default>(raw: Option<&str>) -> T {
    serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default()
}

/// Anyone: the login page and the language switch before login.
#[derive(Clone, Debug)]
pub struct Visitor {
    /// The language to answer in.
    pub lang: Lang,
    /// This request's path and query.
    pub path: String,
    /// The application.
    pub state: AppState,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Visitor {
            lang: anonymous_lang(&parts.headers),
            path: path_of(parts),
            state: state.clone(),
        })
    }
}

/// The logged-in user if there is one (the language switch works either way).
#[derive(Clone, Debug)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(
            CurrentUser::from_request_parts(parts, state).await.ok(),
        ))
    }
}
