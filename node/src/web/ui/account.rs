//! Login, logout and account pages, and the language switch. The form posts of login, logout
//! and password change are handled by [`crate::web::forms`]; these pages draw the forms.

use askama::Template;
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use rusqlite::params;
use serde::Deserialize;

use super::i18n::Lang;
use super::page::{HasCsrf, LANG_COOKIE, MaybeUser, Page, Visitor, query};
use super::view::{self, Chrome, Nav};
use crate::web::AppError;
use crate::web::AppState;
use crate::web::auth::safe_next;
use crate::web::ui::i18n::LangExt as _;

/// Query of the login page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginQuery {
    next: String,
    error: String,
    logged_out: String,
}

/// `GET /login`
#[derive(Template, Debug)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// The frame.
    pub c: Chrome,
    /// Where to go after logging in.
    pub next: String,
    /// A problem with the last attempt.
    pub error: Option<String>,
    /// A notice (logged out).
    pub notice: Option<String>,
}

/// `GET /login` — the login form (posted to `POST /login`).
pub async fn login(v: Visitor, RawQuery(q): RawQuery) -> Response {
    let q: LoginQuery = query(q.as_deref());
    let error = match q.error.as_str() {
        "" => None,
        "rate_limited" => Some(v.lang.t("err-rate-limited")),
        "csrf" => Some(v.lang.t("err-csrf")),
        _ => Some(v.lang.t("err-login-failed")),
    };
    let c = Chrome::anonymous(
        v.lang,
        v.lang.t("ui-login-title"),
        &v.state.config().chapter_name,
        &v.path,
    );
    view::render(
        if error.is_some() {
            axum::http::StatusCode::UNAUTHORIZED
        } else {
            axum::http::StatusCode::OK
        },
        &LoginPage {
            c,
            next: safe_next(Some(&q.next)),
            error,
            notice: (!q.logged_out.is_empty()).then(|| v.lang.t("ui-logged-out")),
        },
    )
}

/// `GET /logout`
#[derive(Template, Debug)]
#[template(path = "logout.html")]
pub struct LogoutPage {
    /// The frame.
    pub c: Chrome,
}

/// `GET /logout` — asks to confirm (the button posts to `POST /logout`).
pub async fn logout(page: Page) -> Response {
    let c = page.chrome("ui-logout-title", Nav::None);
    page.respond(view::ok(&LogoutPage { c }))
}

/// Query of the account page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AccountQuery {
    saved: String,
    done: String,
    error: String,
}

/// `GET /account`
#[derive(Template, Debug)]
#[template(path = "account.html")]
pub struct AccountPage {
    /// The frame.
    pub c: Chrome,
    /// A notice (saved).
    pub notice: Option<String>,
    /// A problem.
    pub error: Option<String>,
    /// The current language's code.
    pub current: &'static str,
}

/// `GET /account` (and `GET /account/password`, where the password form returns) — change
/// password and language.
pub async fn account(page: Page, RawQuery(q): RawQuery) -> Response {
    let q: AccountQuery = query(q.as_deref());
    let notice = if !q.done.is_empty() {
        Some(page.t("ui-password-changed"))
    } else if !q.saved.is_empty() {
        Some(page.t("ui-saved"))
    } else {
        None
    };
    // The codes `POST /account/password` sends back.
    let error = match q.error.as_str() {
        "" => None,
        "wrong_password" => Some(page.t("err-password-current")),
        "mismatch" => Some(page.t("err-password-mismatch")),
        "csrf" => Some(page.t("err-csrf")),
        "rate_limited" => Some(page.t("err-rate-limited")),
        "weak" => Some(page.t("err-field-password-strength")),
        _ => Some(page.t("err-field-password")),
    };
    let c = page.chrome("ui-account-title", Nav::None);
    let current = page.lang.code();
    page.respond(view::ok(&AccountPage {
        c,
        notice,
        error,
        current,
    }))
}

/// The language form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LanguageForm {
    csrf: String,
    lang: String,
    next: String,
}

impl HasCsrf for LanguageForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /language` — switches the interface language: saved with the user when logged in, in
/// a cookie either way (so the login page follows).
pub async fn set_language(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: HeaderMap,
    MaybeUser(user): MaybeUser,
    body: Bytes,
) -> Response {
    let fallback = super::page::anonymous_lang(&headers);
    let form: LanguageForm = match serde_urlencoded::from_bytes(&body) {
        Ok(f) => f,
        Err(e) => {
            return view::error_page(None, fallback, &AppError::bad_request(e.to_string()));
        }
    };
    let Some(lang) = Lang::parse(&form.lang) else {
        return view::error_page(None, fallback, &AppError::invalid("lang", "en or es"));
    };
    if let Some(user) = &user {
        if let Err(e) = crate::web::check_csrf(user, &form.csrf) {
            return view::error_page(None, lang, &e);
        }
        let id = user.id;
        let code = lang.code();
        let saved = state
            .store()
            .write_async(move |tx| {
                tx.execute(
                    "UPDATE users SET language = ?2 WHERE id = ?1",
                    params![id, code],
                )?;
                Ok(())
            })
            .await;
        if let Err(e) = saved {
            return view::error_page(None, lang, &e.into());
        }
    }
    let mut resp = view::redirect(&safe_next(Some(&form.next)));
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Strict{}",
        lang.code(),
        if state.secure_cookies() {
            "; Secure"
        } else {
            ""
        }
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}
