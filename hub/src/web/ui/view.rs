//! What every page shares: the [`Chrome`] (language, user, navigation, CSRF token), rendering
//! error pages and redirects. The security headers are added to every response by the router.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::i18n::Lang;
use super::session::Visitor;
use crate::web::ui::i18n::LangExt as _;

/// A section of the interface, for the navigation's `aria-current`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    /// No section (login, errors).
    None,
    /// The overview.
    Overview,
    /// Dashboards.
    Dashboards,
    /// The map.
    Map,
    /// Every metric's tables.
    Tables,
    /// Labor formations.
    Formations,
    /// Every metric over time.
    Trends,
    /// Verification and the log.
    Verification,
    /// Enrollment queue (admin).
    Enrollments,
    /// Children and revocation (admin).
    Children,
    /// Completeness (admin).
    Completeness,
    /// Support requests (admin).
    Support,
    /// Guidance (everyone; its editor for admins).
    Guidance,
    /// Campaign approval (admin).
    Campaigns,
}

/// A link of the navigation.
#[derive(Debug)]
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// Its label.
    pub label: String,
    /// Whether it is the current section.
    pub current: bool,
}

/// A language the switcher offers.
#[derive(Debug)]
pub struct LangChoice {
    /// Its code.
    pub code: &'static str,
    /// Its own name.
    pub name: &'static str,
    /// Whether it is the page's language.
    pub current: bool,
}

/// The frame around every page.
#[derive(Debug)]
pub struct Chrome {
    /// The page's language.
    pub lang: Lang,
    /// The page title (without the hub's name).
    pub title: String,
    /// The hub's display name.
    pub hub_name: String,
    /// The logged-in user's name.
    pub user: Option<String>,
    /// Whether the user is an admin.
    pub admin: bool,
    /// The CSRF token every form carries.
    pub csrf: String,
    /// This page's path and query, where forms return to.
    pub here: String,
    /// The current section.
    pub nav: Nav,
}

impl Chrome {
    /// The chrome for a visitor.
    pub fn new(v: &Visitor, hub_name: &str, title_id: &str, nav: Nav) -> Chrome {
        Chrome {
            lang: v.lang,
            title: v.lang.t(title_id),
            hub_name: hub_name.to_owned(),
            user: v.user.as_ref().map(|u| u.name.clone()),
            admin: v.is_admin(),
            csrf: v.csrf.clone(),
            here: v.path.clone(),
            nav,
        }
    }

    /// A message in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    /// What viewers are shown, with the publication rule's thresholds written by the formatter
    /// (`publish::rule`: at least `MIN_CHAPTERS` chapters, none with 4/5 of the sum or more).
    pub fn viewer_rule(&self) -> String {
        use super::i18n::{Arg, LangExt as _};
        self.lang.ta(
            "hub-viewer-rule",
            &[
                (
                    "chapters",
                    Arg::Num(i64::from(crate::publish::rule::MIN_CHAPTERS)),
                ),
                ("share", Arg::Str(self.lang.pct(80))),
            ],
        )
    }

    /// The `lang` attribute.
    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    /// The languages for the switcher.
    pub fn langs(&self) -> Vec<LangChoice> {
        Lang::ALL
            .iter()
            .map(|l| LangChoice {
                code: l.code(),
                name: l.own_name(),
                current: *l == self.lang,
            })
            .collect()
    }

    /// The navigation for this user.
    pub fn nav_items(&self) -> Vec<NavItem> {
        if self.user.is_none() {
            return Vec::new();
        }
        let mut items = vec![
            (Nav::Overview, "/ui", "hub-nav-overview"),
            (Nav::Dashboards, "/ui/dashboards", "hub-nav-dashboards"),
            (Nav::Map, "/ui/map", "hub-nav-map"),
            (Nav::Trends, "/ui/trends", "hub-nav-trends"),
            (Nav::Tables, "/ui/tables", "hub-nav-tables"),
            (Nav::Formations, "/ui/formations", "hub-nav-formations"),
            (
                Nav::Verification,
                "/ui/verification",
                "hub-nav-verification",
            ),
        ];
        if self.admin {
            items.extend([
                (Nav::Enrollments, "/ui/enrollments", "hub-nav-enrollments"),
                (Nav::Children, "/ui/children", "hub-nav-children"),
                (
                    Nav::Completeness,
                    "/ui/completeness",
                    "hub-nav-completeness",
                ),
                (Nav::Support, "/ui/support", "hub-nav-support"),
                (Nav::Campaigns, "/ui/campaigns", "hub-nav-campaigns"),
            ]);
        }
        items.push((Nav::Guidance, "/ui/guidance", "hub-nav-guidance"));
        items
            .into_iter()
            .map(|(nav, href, id)| NavItem {
                href,
                label: self.t(id),
                current: nav == self.nav,
            })
            .collect()
    }
}

/// Renders a template with a status (the router adds the security headers to every response).
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => {
            let mut resp = (status, html).into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            resp
        }
        Err(e) => {
            tracing::error!("template: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be drawn",
            )
                .into_response()
        }
    }
}

/// A `303 See Other` to a local path.
pub fn redirect(to: &str) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// An error page: what went wrong (`err-`) and what to do (`rec-`).
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The frame.
    pub c: Chrome,
    /// The problem.
    pub problem: String,
    /// The suggested fix.
    pub fix: String,
}

/// Renders an error page for a visitor.
pub fn error_page(
    v: &Visitor,
    hub_name: &str,
    status: StatusCode,
    err: &str,
    rec: &str,
) -> Response {
    let page = ErrorPage {
        c: Chrome::new(v, hub_name, "hub-error-title", Nav::None),
        problem: v.lang.t(err),
        fix: v.lang.t(rec),
    };
    render(status, &page)
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A local path to return to after a form, or the overview if `next` is not one of ours.
pub fn safe_next(next: &str) -> String {
    let ok = (next == "/ui" || next.starts_with("/ui/") || next.starts_with("/ui?"))
        && !next.contains("//")
        && !next.contains('\\')
        && next.len() <= 500
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok {
        next.to_owned()
    } else {
        "/ui".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_the_interface() {
        assert_eq!(
            safe_next("/ui/map?metric=members"),
            "/ui/map?metric=members"
        );
        assert_eq!(safe_next("https://evil.example/"), "/ui");
        assert_eq!(safe_next("//evil.example/ui"), "/ui");
        assert_eq!(safe_next("/ui//evil"), "/ui");
        assert_eq!(safe_next("/uievil"), "/ui");
        assert_eq!(safe_next("/ui/\r\nSet-Cookie"), "/ui");
    }

    #[test]
    fn encodes_queries() {
        assert_eq!(
            encode("/ui/map?metric=a b&x"),
            "/ui/map%3Fmetric%3Da%20b%26x"
        );
    }
}
