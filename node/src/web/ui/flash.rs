//! After a form: the audited write and the redirect with a flash (`?saved=1` or `?error=field`),
//! and reading that flash back on the page. The page half of [`crate::web::handler`].

use axum::response::Response;
use rusqlite::Transaction;
use serde::Deserialize;

use super::i18n::Lang;
use super::page::{Page, query};
use super::view::{self, encode, field_error};
use crate::web::AppError;
use crate::web::handler::{Audited, write_audited};
use crate::web::ui::i18n::LangExt as _;

/// Where a form goes back to: `path` with `?saved=1` (or another flag) on success, with
/// `?error=<field>` when the domain refused a value (and `?error=exists` for a duplicate, unless
/// [`Back::exists_is_error`]); any other failure is an error page.
#[derive(Debug)]
pub struct Back {
    path: String,
    flag: &'static str,
    anchor: &'static str,
    saved_anchor: &'static str,
    exists_flash: bool,
}

/// Back to `path` (see [`Back`]).
pub fn back(path: impl Into<String>) -> Back {
    Back {
        path: path.into(),
        flag: "saved=1",
        anchor: "",
        saved_anchor: "",
        exists_flash: true,
    }
}

impl Back {
    /// Success sets this flag instead of `saved=1` (e.g. `moved=1`).
    pub fn flag(self, flag: &'static str) -> Back {
        Back { flag, ..self }
    }

    /// A refused field also jumps to this anchor (e.g. `#forms`).
    pub fn error_anchor(self, anchor: &'static str) -> Back {
        Back { anchor, ..self }
    }

    /// Both outcomes jump to this anchor (e.g. `#users`).
    pub fn anchor(self, anchor: &'static str) -> Back {
        Back {
            anchor,
            saved_anchor: anchor,
            ..self
        }
    }

    /// A duplicate is an error page (409), not a flash.
    pub fn exists_is_error(self) -> Back {
        Back {
            exists_flash: false,
            ..self
        }
    }

    /// The redirect for a write's outcome.
    pub fn answer<T>(&self, res: crate::Result<T>) -> Result<Response, AppError> {
        let Back {
            path,
            flag,
            anchor,
            saved_anchor,
            ..
        } = self;
        match res {
            Ok(_) => Ok(view::redirect(&format!("{path}?{flag}{saved_anchor}"))),
            Err(crate::Error::Invalid { field, .. }) => Ok(view::redirect(&format!(
                "{path}?error={}{anchor}",
                encode(field)
            ))),
            Err(crate::Error::AlreadyExists(_)) if self.exists_flash => {
                Ok(view::redirect(&format!("{path}?error=exists{anchor}")))
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl Page {
    /// [`write_audited`] as this page's user: the change and its audit rows in one transaction.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> crate::Result<Audited<T>> + Send + 'static,
    ) -> crate::Result<T> {
        write_audited(&self.state, &self.user, f).await
    }

    /// The whole of most form handlers: [`Page::write`], then back to `to` with a flash (or an
    /// error page in the user's language).
    pub async fn save<T: Send + 'static>(
        &self,
        to: Back,
        f: impl FnOnce(&Transaction<'_>) -> crate::Result<Audited<T>> + Send + 'static,
    ) -> Response {
        let res = self.write(f).await;
        self.respond(to.answer(res))
    }
}

/// `?saved=1&error=field` on a page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Flash {
    saved: String,
    error: String,
}

impl Flash {
    /// The notice and problem to show.
    pub fn messages(raw: Option<&str>, lang: Lang) -> (Option<String>, Option<String>) {
        let f: Flash = query(raw);
        (
            (!f.saved.is_empty()).then(|| lang.t("ui-saved")),
            match f.error.as_str() {
                "" => None,
                "exists" => Some(lang.t("err-exists")),
                other => Some(field_error(lang, other)),
            },
        )
    }
}
