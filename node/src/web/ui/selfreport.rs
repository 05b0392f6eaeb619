//! Members map their own workplaces (issue 18): the organizer's page that makes personal links
//! (a CSV for the chapter's own mail merge; the node sends nothing), the public page a link
//! opens (`/r/{token}`, no login), and the review queue where organizers accept or discard the
//! answers.
//!
//! The public page sits outside the login but inside the router's same-origin check and
//! security headers; the token in its path is the only key. It shows the member's first name and
//! nothing else about them, and every link that cannot be answered (unknown, malformed, used,
//! expired) gets the same page. Requests are counted per client address and per token
//! ([`ADDRESS_LIMIT`], [`TOKEN_LIMIT`] in [`WINDOW_SECS`]).

pub use super::selfreport_review::{
    AdminPage, LinksForm, ReviewForm, ReviewItem, ReviewPage, admin, dashboard_progress, decide,
    make_links, progress_lines, review,
};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use rusqlite::{Connection, params};
use shopfloor_protocol::registry::{self, Dim};

use super::i18n::{Arg, Lang};
use super::page::{LANG_COOKIE, anonymous_lang};
use super::view::Choice;
use super::view::{self, Chrome};
use crate::domain::selfreport::{self as sr, Answers, industry};
use crate::web::auth::ClientIp;
use crate::web::throttle::address_key;
use crate::web::ui::i18n::LangExt as _;
use crate::web::{AppError, AppState};

/// Requests to `/r/...` one client address may make in a window.
pub const ADDRESS_LIMIT: i64 = 60;
/// Requests one token may receive in a window.
pub const TOKEN_LIMIT: i64 = 20;
/// The window, in seconds.
pub const WINDOW_SECS: i64 = 600;

use super::shared::COUNTIES;
pub use super::shared::{Check, county_name};

/// The counties of a state, by name.
pub fn counties_of(state: &str) -> Vec<(&'static str, &'static str)> {
    let Some(sf) = registry::STATE_FIPS
        .iter()
        .find(|(code, _)| *code == state)
        .map(|(_, f)| *f)
    else {
        return Vec::new();
    };
    let mut out: Vec<_> = COUNTIES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .filter(|(fips, _)| fips.starts_with(sf))
        .collect();
    out.sort_by(|a, b| a.1.cmp(b.1));
    out
}

/// Counts one request against a key; `false` once the key is over `limit` in this window.
fn hit(conn: &Connection, key: &str, limit: i64, now: i64) -> crate::Result<bool> {
    conn.execute(
        "DELETE FROM self_report_throttle WHERE window_start <= ?1",
        params![now - WINDOW_SECS],
    )?;
    let hits: i64 = conn.query_row(
        "INSERT INTO self_report_throttle (key, window_start, hits) VALUES (?1, ?2, 1)
         ON CONFLICT (key) DO UPDATE SET hits = hits + 1 RETURNING hits",
        params![key, now],
        |r| r.get(0),
    )?;
    Ok(hits <= limit)
}

/// Counts a request to `/r/{token}` per address and per token; `Err` (429) over either limit.
async fn throttle(state: &AppState, ip: std::net::IpAddr, token: &str) -> Result<(), AppError> {
    let addr = format!("a:{}", address_key(ip));
    // A token's key is its hash's prefix: the table never holds a usable token.
    let tok = format!("t:{}", &sr::hash_token(token)[..32]);
    let ok = state
        .store()
        .write_async(move |tx| {
            let now = crate::web::session::now_unix();
            let a = hit(tx, &addr, ADDRESS_LIMIT, now)?;
            let t = hit(tx, &tok, TOKEN_LIMIT, now)?;
            Ok(a && t)
        })
        .await?;
    if ok {
        Ok(())
    } else {
        Err(AppError::RateLimited {
            retry_after: u64::try_from(WINDOW_SECS).unwrap_or(600),
        })
    }
}

fn lang_cookie(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .and_then(|(_, v)| Lang::parse(v))
}

/// The public page's language: the switcher's choice, else the member's stored language, else
/// the browser's.
fn member_lang(headers: &HeaderMap, stored: Option<&str>) -> Lang {
    lang_cookie(headers)
        .or_else(|| stored.and_then(Lang::parse))
        .unwrap_or_else(|| anonymous_lang(headers))
}

/// The page for any link that cannot be answered.
#[derive(Template, Debug)]
#[template(path = "selfreport_closed.html")]
pub struct ClosedPage {
    /// The frame.
    pub c: Chrome,
}

fn closed(state: &AppState, lang: Lang, here: &str) -> Response {
    let c = Chrome::anonymous(
        lang,
        lang.t("ui-sr-closed-title"),
        &state.config().chapter_name,
        here,
    );
    view::render(StatusCode::NOT_FOUND, &ClosedPage { c })
}

/// The thank-you page.
#[derive(Template, Debug)]
#[template(path = "selfreport_done.html")]
pub struct DonePage {
    /// The frame.
    pub c: Chrome,
}

/// The values of the public form.
#[derive(Clone, Debug, Default)]
pub struct Values {
    /// Employer.
    pub employer: String,
    /// Worksite.
    pub site: String,
    /// City.
    pub city: String,
    /// State code.
    pub state: String,
    /// County FIPS.
    pub county_fips: String,
    /// Industry words.
    pub industry: String,
    /// Chosen sector.
    pub sector: String,
    /// Job title.
    pub job_title: String,
    /// Union status code.
    pub union_status: String,
    /// Union name.
    pub union_name: String,
    /// Union local.
    pub union_local: String,
    /// none, curious, ready.
    pub interest: String,
    /// Language codes.
    pub languages: Vec<String>,
    /// Consent.
    pub consent: bool,
    /// Second step.
    pub confirm: bool,
}

impl Values {
    fn from_pairs(pairs: &[(String, String)]) -> Values {
        let mut v = Values::default();
        for (k, val) in pairs {
            let val = val.trim().to_owned();
            match k.as_str() {
                "employer" => v.employer = val,
                "site" => v.site = val,
                "city" => v.city = val,
                "state" => v.state = val,
                "county_fips" => v.county_fips = val,
                "industry" => v.industry = val,
                "sector" if !val.is_empty() => v.sector = val,
                "job_title" => v.job_title = val,
                "union_status" => v.union_status = val,
                "union_name" => v.union_name = val,
                "union_local" => v.union_local = val,
                "interest" => v.interest = val,
                "languages"
                    if !val.is_empty() && !v.languages.contains(&val) && v.languages.len() < 20 =>
                {
                    v.languages.push(val);
                }
                "consent" => v.consent = val == "1",
                "confirm" => v.confirm = val == "1",
                _ => {}
            }
        }
        v
    }

    fn answers(&self) -> Answers {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Answers {
            employer: self.employer.clone(),
            site: self.site.clone(),
            city: self.city.clone(),
            state: opt(&self.state),
            county_fips: opt(&self.county_fips),
            sector: opt(&self.sector),
            job_title: self.job_title.clone(),
            union_status: opt(&self.union_status),
            union_name: self.union_name.clone(),
            union_local: self.union_local.clone(),
            interest: opt(&self.interest),
            languages: self.languages.clone(),
            consent: self.consent,
        }
    }
}

/// `GET /r/{token}`: the member's form.
#[derive(Template, Debug)]
#[template(path = "selfreport_form.html")]
pub struct FormPage {
    /// The frame.
    pub c: Chrome,
    /// Where the form posts.
    pub action: String,
    /// "Hello, {first name}".
    pub hello: String,
    /// The values.
    pub v: Values,
    /// States.
    pub states: Vec<Choice>,
    /// The chosen state's counties (second step).
    pub counties: Vec<Choice>,
    /// Sectors the industry words found (second step).
    pub found: Vec<Check>,
    /// Every sector (second step, when the words found nothing or none fits).
    pub sectors: Vec<Choice>,
    /// Union statuses.
    pub unions: Vec<Check>,
    /// Interest.
    pub interests: Vec<Check>,
    /// Languages.
    pub languages: Vec<Check>,
    /// A problem with the answers.
    pub error: Option<String>,
}

fn form_page(
    state: &AppState,
    lang: Lang,
    token: &str,
    first_name: &str,
    v: Values,
    error: Option<String>,
) -> FormPage {
    let here = format!("/r/{token}");
    let c = Chrome::anonymous(
        lang,
        lang.t("ui-sr-form-title"),
        &state.config().chapter_name,
        &here,
    );
    let choice = |value: &str, label: String, current: &str| Choice {
        selected: value == current,
        value: value.to_owned(),
        label,
    };
    let mut states = vec![choice("", lang.t("ui-sr-pick"), &v.state)];
    states.extend(
        registry::STATES
            .iter()
            .map(|t| choice(t.code, lang.term(t).to_owned(), &v.state)),
    );
    let mut counties = Vec::new();
    if v.confirm || !v.state.is_empty() {
        let list = counties_of(&v.state);
        if !list.is_empty() {
            counties.push(choice("", lang.t("ui-sr-pick"), &v.county_fips));
            counties.extend(
                list.into_iter()
                    .map(|(f, n)| choice(f, n.to_owned(), &v.county_fips)),
            );
        }
    }
    let found_codes = industry::search(&v.industry);
    let found: Vec<Check> = found_codes
        .iter()
        .map(|code| Check {
            value: (*code).to_owned(),
            label: lang.value(Dim::Sector, code),
            checked: v.sector == *code,
        })
        .collect();
    let other = if found_codes.contains(&v.sector.as_str()) {
        ""
    } else {
        v.sector.as_str()
    };
    let mut sectors = vec![choice("", lang.t("ui-sr-pick"), other)];
    sectors.extend(
        registry::SECTORS
            .iter()
            .map(|t| choice(t.code, lang.term(t).to_owned(), other)),
    );
    let checks = |terms: &[(&str, String)], current: &str| -> Vec<Check> {
        terms
            .iter()
            .map(|(code, label)| Check {
                value: (*code).to_owned(),
                label: label.clone(),
                checked: *code == current,
            })
            .collect()
    };
    let unions: Vec<(&str, String)> = registry::UNION_STATUSES
        .iter()
        .map(|t| (t.code, lang.term(t).to_owned()))
        .collect();
    let interests: Vec<(&str, String)> = ["none", "curious", "ready"]
        .into_iter()
        .map(|i| (i, lang.t(&format!("ui-sr-interest-{i}"))))
        .collect();
    let languages = registry::LANGUAGES
        .iter()
        .map(|t| Check {
            value: t.code.to_owned(),
            label: lang.term(t).to_owned(),
            checked: v.languages.iter().any(|l| l == t.code),
        })
        .collect();
    FormPage {
        c,
        action: here,
        hello: lang.ta("ui-sr-hello", &[("name", Arg::Str(first_name.to_owned()))]),
        states,
        counties,
        found,
        sectors,
        unions: checks(&unions, &v.union_status),
        interests: checks(&interests, &v.interest),
        languages,
        v,
        error,
    }
}

/// `GET /r/{token}` — the member's form, or the one page for a link that cannot be answered.
pub async fn open(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let fallback = anonymous_lang(&headers);
    if let Err(e) = throttle(&state, ip, &token).await {
        return view::error_page(None, fallback, &e);
    }
    let t = token.clone();
    let link = state.store().write_async(move |tx| sr::open(tx, &t)).await;
    match link {
        Ok(Some(l)) => {
            let lang = member_lang(&headers, l.language.as_deref());
            view::render(
                StatusCode::OK,
                &form_page(&state, lang, &token, &l.first_name, Values::default(), None),
            )
        }
        Ok(None) => closed(&state, fallback, "/"),
        Err(e) => view::error_page(None, fallback, &e.into()),
    }
}

/// `POST /r/{token}` — the first post shows the county and industry choices for a check; the
/// second (`confirm=1`) records the answers for review.
pub async fn answer(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let fallback = anonymous_lang(&headers);
    if let Err(e) = throttle(&state, ip, &token).await {
        return view::error_page(None, fallback, &e);
    }
    let t = token.clone();
    let link = match state.store().read_async(move |c| sr::peek(c, &t)).await {
        Ok(Some(l)) => l,
        Ok(None) => return closed(&state, fallback, "/"),
        Err(e) => return view::error_page(None, fallback, &e.into()),
    };
    let lang = member_lang(&headers, link.language.as_deref());
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(p) => p,
        Err(e) => return view::error_page(None, lang, &AppError::bad_request(e.to_string())),
    };
    if let Err(e) =
        crate::web::extract::check_text_fields(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    {
        return view::error_page(None, lang, &e);
    }
    let mut v = Values::from_pairs(&pairs);
    let problem = sr::validate(&v.answers()).err().map(|e| match e {
        crate::Error::Invalid { field, .. } => view::field_error(lang, field),
        _ => lang.t("err-invalid"),
    });
    if !v.confirm || problem.is_some() {
        v.confirm = true;
        if v.sector.is_empty()
            && let Some(first) = industry::search(&v.industry).first()
        {
            v.sector = (*first).to_owned();
        }
        let status = if problem.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        return view::render(
            status,
            &form_page(&state, lang, &token, &link.first_name, v, problem),
        );
    }
    let answers = v.answers();
    let t = token.clone();
    let saved = state
        .store()
        .write_async(move |tx| sr::submit(tx, &t, &answers))
        .await;
    match saved {
        Ok(true) => {
            let c = Chrome::anonymous(
                lang,
                lang.t("ui-sr-done-title"),
                &state.config().chapter_name,
                "/",
            );
            view::render(StatusCode::OK, &DonePage { c })
        }
        Ok(false) => closed(&state, lang, "/"),
        Err(e) => view::error_page(None, lang, &e.into()),
    }
}
