//! What every page shares: the [`Chrome`] (language, user, navigation, CSRF token), rendering
//! with security headers, error pages, redirects and small formatting helpers.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::i18n::{Arg, Lang};
use crate::domain::text::TextProblem;
use crate::web::AppError;
use crate::web::auth::Role;
use crate::web::ui::i18n::LangExt as _;

/// A choice in a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
    /// Whether selected.
    pub selected: bool,
}

/// Audit actions with a translated name.
pub const KNOWN_ACTIONS: &[&str] = &[
    "member.create",
    "member.edit",
    "member.workplace",
    "member.training",
    "member.reserve",
    "member.view",
    "members.list",
    "workplace.create",
    "workplace.edit",
    "workplace.stage",
    "import",
    "login",
    "logout",
    "password",
    "report.submit",
    "pod.create",
    "pod.member",
    "mentorship.start",
    "mentorship.end",
    "campaign.create",
    "campaign.edit",
    "recruitment",
    "training.add",
    "user.add",
    "user.disable",
    "user.unlock",
    "login.lock",
    "facts",
    "backup",
    "export.members",
    "enroll",
    "campaign.submit",
    "selfreport.links",
    "selfreport.accept",
    "selfreport.discard",
];

/// A section of the interface, for the navigation's `aria-current`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    /// No section (login, account, errors).
    None,
    /// The dashboard.
    Dashboard,
    /// Members.
    Members,
    /// Workplaces.
    Workplaces,
    /// Labor pods.
    Pods,
    /// Trainings.
    Trainings,
    /// Leadership and mentorship.
    Leadership,
    /// The organizer reserve.
    Reserve,
    /// Campaigns.
    Campaigns,
    /// Recruitment.
    Recruitment,
    /// Import.
    Import,
    /// Reports.
    Reports,
    /// Guidance from hubs.
    Guidance,
    /// Settings.
    Settings,
    /// The audit log.
    Audit,
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
    /// The page title.
    pub title: String,
    /// The chapter's name.
    pub chapter: String,
    /// The logged-in user's name.
    pub user: Option<String>,
    /// The user's role, translated.
    pub role: String,
    /// The CSRF token every form carries.
    pub csrf: String,
    /// This page's path and query.
    pub here: String,
    /// The navigation.
    pub nav: Vec<NavItem>,
}

/// The validation message for a field of a form page, from its (field, message) list.
pub fn error_for<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

/// The sections a role sees, in menu order.
pub fn sections(role: Role) -> Vec<(Nav, &'static str, &'static str)> {
    let mut items = vec![(Nav::Dashboard, "/", "ui-nav-dashboard")];
    if role.can_see_members() {
        items.extend([
            (Nav::Members, "/members", "ui-nav-members"),
            (Nav::Workplaces, "/workplaces", "ui-nav-workplaces"),
            (Nav::Pods, "/pods", "ui-nav-pods"),
        ]);
    }
    items.push((Nav::Trainings, "/trainings", "ui-nav-trainings"));
    if role.can_organize() {
        items.extend([
            (Nav::Leadership, "/leadership", "ui-nav-leadership"),
            (Nav::Reserve, "/reserve", "ui-nav-reserve"),
        ]);
    }
    items.push((Nav::Campaigns, "/campaigns", "ui-nav-campaigns"));
    if role.can_see_members() {
        items.push((Nav::Recruitment, "/recruitment", "ui-nav-recruitment"));
    }
    if role.can_organize() {
        items.push((Nav::Import, "/import", "ui-nav-import"));
    }
    items.extend([
        (Nav::Reports, "/reports", "ui-nav-reports"),
        (Nav::Guidance, "/guidance", "ui-nav-guidance"),
    ]);
    if role.can_admin() {
        items.extend([
            (Nav::Settings, "/settings", "ui-nav-settings"),
            (Nav::Audit, "/audit", "ui-nav-audit"),
        ]);
    }
    items
}

/// The translated name of a role.
pub fn role_label(lang: Lang, role: Role) -> String {
    lang.t(&format!("ui-role-{}", role.as_str().replace('_', "-")))
}

impl Chrome {
    /// The frame for someone not logged in.
    pub fn anonymous(lang: Lang, title: String, chapter: &str, here: &str) -> Chrome {
        Chrome {
            lang,
            title,
            chapter: chapter.to_owned(),
            user: None,
            role: String::new(),
            csrf: String::new(),
            here: here.to_owned(),
            nav: Vec::new(),
        }
    }

    /// A message in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    /// A message with one number `n`.
    pub fn tn(&self, id: &str, n: &i64) -> String {
        self.lang.ta(id, &[("n", Arg::Num(*n))])
    }

    /// A count for people.
    pub fn num(&self, n: &i64) -> String {
        self.lang.num(*n)
    }

    /// A stored timestamp for people.
    pub fn time(&self, rfc3339: &str) -> String {
        self.lang.time(rfc3339)
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
}

/// Renders a template with a status and the interface's security headers.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => {
            let mut resp = (status, html).into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            secure_headers(h);
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

/// A `200` page.
pub fn ok<T: Template>(page: &T) -> Result<Response, AppError> {
    Ok(render(StatusCode::OK, page))
}

/// Headers every page carries: no caching of member data, no framing, no script at all.
pub fn secure_headers(h: &mut axum::http::HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// A `303 See Other` to a local path.
pub fn redirect(to: &str) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    secure_headers(resp.headers_mut());
    resp
}

/// An error page: what went wrong (`err-`) and what to do (`rec-`).
#[derive(Template, Debug)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The frame.
    pub c: Chrome,
    /// The problem.
    pub problem: String,
    /// The suggested fix.
    pub fix: String,
    /// Field-level details (import problems, validation).
    pub details: Vec<String>,
}

/// The message ids (problem, fix) for an error.
fn error_ids(e: &AppError) -> (&'static str, &'static str) {
    match e {
        AppError::Unauthenticated | AppError::LoginFailed => ("err-unauthenticated", "rec-log-in"),
        AppError::Forbidden => ("err-forbidden", "rec-ask-admin"),
        AppError::Csrf => ("err-csrf", "rec-reload"),
        AppError::NotFound(_) => ("err-not-found", "rec-go-back"),
        AppError::BadRequest(_) => ("err-bad-request", "rec-go-back"),
        AppError::Invalid { .. } | AppError::TextRefused { .. } => ("err-invalid", "rec-go-back"),
        AppError::Conflict(_) => ("err-conflict", "rec-go-back"),
        AppError::PayloadTooLarge => ("err-too-large", "rec-smaller-file"),
        AppError::UnsupportedMediaType => ("err-bad-request", "rec-go-back"),
        AppError::ImportRefused(_) => ("err-import-refused", "rec-fix-file"),
        AppError::RateLimited { .. } => ("err-rate-limited", "rec-wait"),
        AppError::Internal(_) => ("err-internal", "rec-try-later"),
    }
}

/// Renders an error as a page in the user's language (in `frame`, a logged-in user's page frame,
/// whose title it sets; without one, the anonymous frame) (the cause is logged, never shown).
pub fn error_page(frame: Option<Chrome>, lang: Lang, e: &AppError) -> Response {
    match e {
        AppError::Internal(cause) => tracing::error!("internal error: {cause}"),
        other => tracing::debug!("page refused: {}", other.code()),
    }
    let (problem, fix) = error_ids(e);
    let title = lang.t("ui-error-title");
    let c = match frame {
        Some(mut c) => {
            c.title = title;
            c
        }
        None => Chrome::anonymous(lang, title, "", "/"),
    };
    let details = match e {
        AppError::Invalid { field, .. } => vec![field_error(lang, field)],
        AppError::TextRefused { problem, .. } => vec![text_error(lang, *problem)],
        _ => Vec::new(),
    };
    let body = ErrorPage {
        c,
        problem: lang.t(problem),
        fix: lang.t(fix),
        details,
    };
    let mut resp = render(e.status(), &body);
    if let AppError::RateLimited { retry_after } = e
        && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// A refused text field's problem in the page's language.
pub fn text_error(lang: Lang, problem: TextProblem) -> String {
    match problem {
        TextProblem::TooLong { max } => lang.ta("err-text-too-long", &[("max", Arg::from(max))]),
        TextProblem::ControlCharacter => lang.t("err-text-control-character"),
    }
}

/// The fields whose validation messages the catalogues carry (`err-field-<name>`).
const FIELDS: &[&str] = &[
    "name",
    "employer",
    "county_fips",
    "state",
    "sector",
    "naics_code",
    "representation",
    "counts",
    "stage",
    "since",
    "date",
    "started_on",
    "ended_on",
    "mentee",
    "title",
    "kind",
    "status",
    "approval",
    "metric",
    "code",
    "languages",
    "preferred_language",
    "readiness",
    "union_role",
    "union_code",
    "skills",
    "count",
    "username",
    "role",
    "password",
    "password_strength",
    "email",
    "workplace",
    "member",
    "period",
    "file",
    "enroll",
    "pod",
    "submit",
    "campaign_submission",
];

/// Message ids built at run time (field errors, roles, audit actions, approval and outbox
/// states), for the catalogue tests (which add the import mapping's own).
pub fn dynamic_ids() -> Vec<String> {
    let mut out: Vec<String> = FIELDS
        .iter()
        .map(|f| format!("err-field-{}", f.replace('_', "-")))
        .collect();
    for r in [Role::Admin, Role::Organizer, Role::PodLead, Role::Viewer] {
        out.push(format!("ui-role-{}", r.as_str().replace('_', "-")));
    }
    out.extend(
        KNOWN_ACTIONS
            .iter()
            .map(|a| format!("ui-action-{}", a.replace('.', "-"))),
    );
    for a in ["draft", "submitted", "approved", "rejected"] {
        out.push(format!("ui-approval-{a}"));
    }
    for s in ["pending", "delivered", "failed"] {
        out.push(format!("ui-outbox-{s}"));
    }
    out
}

/// A translated validation message for a field the domain refused.
pub fn field_error(lang: Lang, field: &str) -> String {
    if FIELDS.contains(&field) {
        lang.t(&format!("err-field-{}", field.replace('_', "-")))
    } else {
        lang.t("err-invalid")
    }
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    crate::web::auth::percent_encode(s)
}

/// Pagination: which page, how many, and the links.
#[derive(Debug)]
pub struct Pager {
    /// 1-based page.
    pub page: i64,
    /// Number of pages (at least 1).
    pub pages: i64,
    /// Total rows.
    pub total: i64,
    /// Link to the previous page.
    pub prev: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
}

impl Pager {
    /// A pager for `total` rows at `per` a page, with links built from `base` (a path whose
    /// query, if any, already holds the filters).
    pub fn new(page: i64, per: i64, total: i64, base: &str) -> Pager {
        let pages = ((total + per - 1) / per).max(1);
        let page = page.clamp(1, pages);
        let sep = if base.contains('?') { '&' } else { '?' };
        let link = |p: i64| format!("{base}{sep}page={p}");
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }

    /// The links with keyset cursors: "next" starts after this page's last row, "previous"
    /// ends before its first (`after=` / `before=`, [`crate::web::query::PageParams`]).
    pub fn keyset(mut self, first: Option<i64>, last: Option<i64>) -> Pager {
        if let (Some(link), Some(id)) = (self.next.as_mut(), last) {
            link.push_str(&format!("&after={id}"));
        }
        if let (Some(link), Some(id)) = (self.prev.as_mut(), first) {
            link.push_str(&format!("&before={id}"));
        }
        self
    }

    /// Rows to skip.
    pub fn offset(&self, per: i64) -> i64 {
        (self.page - 1) * per
    }
}

/// `Some(s)` unless `s` is blank (form fields).
pub fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_links_keep_filters() {
        let p = Pager::new(2, 50, 120, "/members?q=ana");
        assert_eq!(p.pages, 3);
        assert_eq!(p.prev.as_deref(), Some("/members?q=ana&page=1"));
        assert_eq!(p.next.as_deref(), Some("/members?q=ana&page=3"));
        let p = Pager::new(2, 50, 120, "/members?q=ana").keyset(Some(7), Some(9));
        assert_eq!(p.prev.as_deref(), Some("/members?q=ana&page=1&before=7"));
        assert_eq!(p.next.as_deref(), Some("/members?q=ana&page=3&after=9"));
        let p = Pager::new(9, 50, 0, "/members");
        assert_eq!((p.page, p.pages, p.offset(50)), (1, 1, 0));
        assert!(p.prev.is_none() && p.next.is_none());
    }
}
