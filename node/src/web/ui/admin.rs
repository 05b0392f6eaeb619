//! Import of the national list (upload, dry run, confirm), settings (users and roles, hub
//! enrollment with fingerprints, backups, chapter facts) and the audit log.
//!
//! Over 800 lines as one file because the three are the admin area's pages, each a few handlers
//! over one template, and the import's in-memory store of uploads awaiting confirmation is
//! private to it; split by page if one of them grows further.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Multipart, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::params;
use serde::Deserialize;
use shopfloor_protocol::report::ChapterFacts;

use super::flash::{Back, Flash, back};
use super::i18n::{Arg, Lang};
use super::import_map;
use super::members::{Choice, action_label, choices_of};
use super::page::{HasCsrf, Page, query};
use super::view::{self, Chrome, Nav, Pager, field_error};
use crate::domain::{audit, facts, users};
use crate::import::{self, Format, ImportOptions, ImportSummary, ProblemKind};
use crate::web::AppError;
use crate::web::handler::{Admin, CsrfForm, Organizer, audit};
use crate::web::ui::i18n::LangExt as _;

// ---------------------------------------------------------------------------------------------
// Import

/// How long an uploaded list waits for confirmation.
const PENDING_FOR: Duration = Duration::from_secs(30 * 60);
/// Uploads kept waiting at most (memory bound).
const PENDING_MAX: usize = 8;

/// An uploaded list waiting for its confirmation, held in memory only (never written to disk).
struct Pending {
    user: String,
    format: Format,
    bytes: Vec<u8>,
    /// Column mappings chosen on the page (`--map` pairs), used again by the confirmation.
    maps: Vec<(String, String)>,
    at: Instant,
}

fn pending() -> &'static Mutex<HashMap<String, Pending>> {
    static P: OnceLock<Mutex<HashMap<String, Pending>>> = OnceLock::new();
    P.get_or_init(|| Mutex::new(HashMap::new()))
}

fn keep(token: String, p: Pending) {
    if let Ok(mut map) = pending().lock() {
        map.retain(|_, v| v.at.elapsed() < PENDING_FOR);
        while map.len() >= PENDING_MAX {
            let oldest = map.iter().min_by_key(|(_, v)| v.at).map(|(k, _)| k.clone());
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        map.insert(token, p);
    }
}

fn take(token: &str, user: &str) -> Option<Pending> {
    let mut map = pending().lock().ok()?;
    map.retain(|_, v| v.at.elapsed() < PENDING_FOR);
    match map.get(token) {
        Some(p) if p.user == user => map.remove(token),
        _ => None,
    }
}

/// One problem of a refused list.
#[derive(Debug)]
pub struct ProblemLine {
    /// Line number.
    pub line: u64,
    /// Column, if one.
    pub column: String,
    /// What is wrong, in the page's language.
    pub message: String,
}

/// A problem of a refused list in the page's language, from its kind.
fn problem_message(lang: Lang, kind: &ProblemKind) -> String {
    let s = |v: &str| Arg::from(v);
    match kind {
        ProblemKind::UnknownMapTarget { target } => {
            lang.ta("err-import-map-target", &[("target", s(target))])
        }
        ProblemKind::UnreadableHeader { .. } => lang.t("err-import-unreadable-header"),
        ProblemKind::EmptyFile => lang.t("err-import-empty-file"),
        ProblemKind::Utf16 => lang.t("err-import-utf16"),
        ProblemKind::NoRows => lang.t("err-import-no-rows"),
        ProblemKind::UnknownColumn => lang.t("err-import-unknown-column"),
        ProblemKind::DuplicateColumn { first, field } => lang.ta(
            "err-import-duplicate-column",
            &[("column", s(first)), ("field", s(field))],
        ),
        ProblemKind::MissingColumn { field } => {
            lang.ta("err-import-missing-column", &[("field", s(field))])
        }
        ProblemKind::NoIdColumn => lang.t("err-import-no-id-column"),
        ProblemKind::UnreadableCsv { .. } => lang.t("err-import-unreadable-csv"),
        ProblemKind::WrongColumnCount { expected, found } => lang.ta(
            "err-import-column-count",
            &[
                ("expected", Arg::from(*expected)),
                ("found", Arg::from(*found)),
            ],
        ),
        ProblemKind::NotUtf8 => lang.t("err-import-not-utf8"),
        ProblemKind::TooLong { max } => lang.ta("err-text-too-long", &[("max", Arg::from(*max))]),
        ProblemKind::ControlCharacter => lang.t("err-text-control-character"),
        ProblemKind::NotBoolean { value } => {
            lang.ta("err-import-not-boolean", &[("value", s(value))])
        }
        ProblemKind::NotADate { value } => lang.ta("err-import-not-a-date", &[("value", s(value))]),
        ProblemKind::TwoDigitYear { value } => {
            lang.ta("err-import-two-digit-year", &[("value", s(value))])
        }
        ProblemKind::NotARealDate { value } => {
            lang.ta("err-import-not-a-real-date", &[("value", s(value))])
        }
        ProblemKind::YearOutOfRange { value } => {
            lang.ta("err-import-year-out-of-range", &[("value", s(value))])
        }
        ProblemKind::NotALanguage { value } => {
            lang.ta("err-import-not-a-language", &[("value", s(value))])
        }
        ProblemKind::NoIdOrEmail => lang.t("err-import-no-id-or-email"),
        ProblemKind::DuplicateActionkitId { id, first_line } => lang.ta(
            "err-import-duplicate-actionkit-id",
            &[("id", s(id)), ("line", Arg::from(*first_line))],
        ),
    }
}

/// "The list has N problems" (all of them, listed or not).
fn problems_heading(lang: Lang, e: &import::ImportError) -> String {
    lang.ta("err-import-problems", &[("n", Arg::from(e.total()))])
}

/// `GET /import` and the dry run / result.
#[derive(Template, Debug)]
#[template(path = "import.html")]
pub struct ImportPage {
    /// The frame.
    pub c: Chrome,
    /// Summary rows (label, value, emphasized) of a dry run or an import.
    pub summary: Vec<(String, String, bool)>,
    /// Whether the summary is a dry run waiting for confirmation.
    pub dry_run: bool,
    /// Whether the import was done.
    pub done: bool,
    /// Token to confirm with.
    pub token: String,
    /// Problems of a refused list (the first 50).
    pub problems: Vec<ProblemLine>,
    /// "... and N more problems", when more were found than listed.
    pub more_problems: Option<String>,
    /// The dry run marks many members missing: the warning saying how many, and the label of
    /// the box that confirms it.
    pub missing_warning: Option<(String, String)>,
    /// A general problem.
    pub problem: Option<String>,
    /// Format choices.
    pub formats: Vec<Choice>,
    /// Unknown columns to map (with the columns mapped so far), when the list has any.
    pub mapping: Vec<import_map::MapRow>,
    /// Token of the upload the mapping applies to.
    pub map_token: String,
    /// The list marks a large share of the members missing: the warning (dry run and result).
    pub missing_large: Option<String>,
}

fn import_page(page: &Page) -> ImportPage {
    let lang = page.lang;
    ImportPage {
        c: page.chrome("ui-import-title", Nav::Import),
        summary: Vec::new(),
        dry_run: false,
        done: false,
        token: String::new(),
        problems: Vec::new(),
        more_problems: None,
        missing_warning: None,
        problem: None,
        mapping: Vec::new(),
        map_token: String::new(),
        missing_large: None,
        formats: format_choices(lang, Format::National),
    }
}

fn summary_rows(lang: Lang, s: &ImportSummary) -> Vec<(String, String, bool)> {
    let n = |v: u64| lang.num(i64::try_from(v).unwrap_or(i64::MAX));
    vec![
        (lang.t("ui-import-rows-read"), n(s.rows_read), false),
        (lang.t("ui-import-created"), n(s.created), false),
        (lang.t("ui-import-updated"), n(s.updated), false),
        (lang.t("ui-import-unchanged"), n(s.unchanged), false),
        (lang.t("ui-import-returned"), n(s.returned), false),
        (
            lang.t("ui-import-marked-missing"),
            n(s.marked_missing),
            s.missing_is_large(),
        ),
        (lang.t("ui-import-newly-lapsed"), n(s.newly_lapsed), false),
    ]
}

/// The format choices with `format` selected (the choice survives a refused list).
fn format_choices(lang: Lang, format: Format) -> Vec<Choice> {
    choices_of(
        vec![
            ("national".into(), lang.t("ui-import-format-national")),
            ("generic".into(), lang.t("ui-import-format-generic")),
        ],
        match format {
            Format::National => "national",
            Format::Generic => "generic",
        },
        None,
    )
}

/// The warning under a summary that marks a large share of the members missing
/// ([`ImportSummary::missing_is_large`]): `id` is the dry run's or the result's sentence.
fn missing_large(lang: Lang, s: &ImportSummary, id: &str) -> Option<String> {
    s.missing_is_large().then(|| {
        lang.ta(
            id,
            &[
                ("n", Arg::from(s.marked_missing)),
                ("total", Arg::from(s.present_before)),
            ],
        )
    })
}

/// `GET /import` — the upload form.
pub async fn import_form(Organizer(page): Organizer<Page>) -> Response {
    let r = async { view::ok(&import_page(&page)) }.await;
    page.respond(r)
}

/// `POST /import` — uploads a list and shows the dry run (nothing is written yet).
pub async fn import_upload(Organizer(page): Organizer<Page>, multipart: Multipart) -> Response {
    let r = import_upload_inner(&page, multipart).await;
    page.respond(r)
}

async fn import_upload_inner(page: &Page, mut mp: Multipart) -> Result<Response, AppError> {
    let lang = page.lang;
    let mut csrf = String::new();
    let mut format = Format::National;
    let mut bytes = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::bad_request(e.body_text()))?
    {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "format" => {
                format = match field.text().await.unwrap_or_default().as_str() {
                    "generic" => Format::Generic,
                    _ => Format::National,
                };
            }
            "file" => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| match e.status() {
                        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
                        _ => AppError::bad_request(e.body_text()),
                    })?
                    .to_vec();
            }
            _ => {}
        }
    }
    crate::web::check_csrf(&page.user, &csrf)?;
    if bytes.is_empty() {
        let mut out = import_page(page);
        out.formats = format_choices(lang, format);
        out.problem = Some(field_error(lang, "file"));
        return Ok(view::render(StatusCode::UNPROCESSABLE_ENTITY, &out));
    }
    dry_run(page, format, bytes, Vec::new()).await
}

/// The dry run of an uploaded list with its column mappings: the summary to confirm, or the
/// problems (and, for unknown columns, the mapping form). The upload waits in memory either way.
async fn dry_run(
    page: &Page,
    format: Format,
    bytes: Vec<u8>,
    maps: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let mut out = import_page(page);
    out.formats = format_choices(lang, format);
    let store = page.state.store().clone();
    let actor = page.user.username.clone();
    let opts = ImportOptions {
        format,
        maps: maps.clone(),
        dry_run: true,
        confirm_missing: false,
    };
    let data = bytes.clone();
    let res =
        tokio::task::spawn_blocking(move || import::import_bytes(&store, &data, &opts, &actor))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    match res {
        Ok(summary) => {
            let token = crate::web::session::random_secret()?;
            keep(
                token.clone(),
                Pending {
                    user: page.user.username.clone(),
                    format,
                    bytes,
                    maps,
                    at: Instant::now(),
                },
            );
            out.summary = summary_rows(lang, &summary);
            out.dry_run = true;
            out.token = token;
            if !summary.needs_confirmation {
                out.missing_large = missing_large(lang, &summary, "ui-import-missing-large");
            }
            if summary.needs_confirmation {
                let n = Arg::from;
                out.missing_warning = Some((
                    lang.ta(
                        "ui-import-many-missing",
                        &[
                            ("n", n(summary.marked_missing)),
                            ("total", n(summary.present_before)),
                        ],
                    ),
                    lang.ta(
                        "ui-import-confirm-missing",
                        &[("n", n(summary.marked_missing))],
                    ),
                ));
            }
            Ok(view::render(StatusCode::OK, &out))
        }
        Err(crate::Error::Import(e)) => {
            out.problem = Some(problems_heading(lang, &e));
            if e.more_problems > 0 {
                out.more_problems = Some(lang.ta(
                    "ui-import-more-problems",
                    &[("n", Arg::from(e.more_problems))],
                ));
            }
            out.problems = e
                .problems
                .iter()
                .map(|p| ProblemLine {
                    line: p.line,
                    column: p.column.clone().unwrap_or_default(),
                    message: problem_message(lang, &p.kind),
                })
                .collect();
            let unknown = import_map::unknown_columns(&e);
            let offered = unknown.len().saturating_add(maps.len());
            if (1..=import_map::MAX_COLUMNS).contains(&offered) {
                // The problem says where to answer it: the mapping form below.
                for (line, p) in out.problems.iter_mut().zip(&e.problems) {
                    if p.kind == ProblemKind::UnknownColumn {
                        line.message = lang.t("err-import-unknown-column-map");
                    }
                }
                let token = crate::web::session::random_secret()?;
                out.mapping = import_map::rows(lang, &maps, &unknown);
                keep(
                    token.clone(),
                    Pending {
                        user: page.user.username.clone(),
                        format,
                        bytes,
                        maps,
                        at: Instant::now(),
                    },
                );
                out.map_token = token;
            }
            Ok(view::render(StatusCode::UNPROCESSABLE_ENTITY, &out))
        }
        Err(e) => Err(e.into()),
    }
}

/// The mapping form: `csrf`, `token` and the repeated `col`/`to` pairs (read as pairs).
#[derive(Debug, Default, Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub struct MapForm {
    csrf: String,
    token: String,
    all: Vec<(String, String)>,
}

impl From<Vec<(String, String)>> for MapForm {
    fn from(all: Vec<(String, String)>) -> Self {
        let field = |name: &str| {
            all.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        MapForm {
            csrf: field("csrf"),
            token: field("token"),
            all,
        }
    }
}

impl HasCsrf for MapForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /import/map` — maps the unknown columns of the list waiting under `token` (each to a
/// member field or "ignore", as `--map` does) and makes the dry run again.
pub async fn import_map(
    Organizer(page): Organizer<Page>,
    CsrfForm(f): CsrfForm<MapForm>,
) -> Response {
    let r = async {
        let maps = import_map::pairs(&f.all)?;
        let Some(p) = take(&f.token, &page.user.username) else {
            let mut out = import_page(&page);
            out.problem = Some(page.lang.t("err-import-expired"));
            return Ok(view::render(StatusCode::CONFLICT, &out));
        };
        dry_run(&page, p.format, p.bytes, maps).await
    }
    .await;
    page.respond(r)
}

/// The confirmation.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    csrf: String,
    token: String,
    /// The box confirming that many members will be marked missing ("1" when ticked).
    confirm_missing: String,
}

impl HasCsrf for ConfirmForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /import/confirm` — imports the list shown in the dry run.
pub async fn import_confirm(
    Organizer(page): Organizer<Page>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> Response {
    let r = async {
        let lang = page.lang;
        let mut out = import_page(&page);
        let Some(p) = take(&f.token, &page.user.username) else {
            out.problem = Some(lang.t("err-import-expired"));
            return Ok(view::render(StatusCode::CONFLICT, &out));
        };
        let store = page.state.store().clone();
        let actor = page.user.username.clone();
        let opts = ImportOptions {
            format: p.format,
            maps: p.maps.clone(),
            dry_run: false,
            confirm_missing: f.confirm_missing == "1",
        };
        let res = tokio::task::spawn_blocking(move || {
            import::import_bytes(&store, &p.bytes, &opts, &actor)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        match res {
            Ok(summary) => {
                out.summary = summary_rows(lang, &summary);
                out.missing_large = missing_large(lang, &summary, "ui-import-missing-large-done");
                out.done = true;
                view::ok(&out)
            }
            Err(crate::Error::Import(e)) => {
                out.problem = Some(problems_heading(lang, &e));
                Ok(view::render(StatusCode::UNPROCESSABLE_ENTITY, &out))
            }
            Err(crate::Error::ImportUnconfirmed {
                marked_missing,
                present_before,
            }) => {
                let n = Arg::from;
                out.problem = Some(lang.ta(
                    "err-import-unconfirmed",
                    &[("n", n(marked_missing)), ("total", n(present_before))],
                ));
                Ok(view::render(StatusCode::CONFLICT, &out))
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page.respond(r)
}

// ---------------------------------------------------------------------------------------------
// Settings

/// A user as shown.
#[derive(Debug)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub username: String,
    /// Role label.
    pub role: String,
    /// Disabled.
    pub disabled: bool,
    /// Linked member id.
    pub member: String,
    /// Whether the role needs a linked member (pod lead).
    pub pod_lead: bool,
}

/// `GET /settings`
#[derive(Template, Debug)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    /// The frame.
    pub c: Chrome,
    /// Users.
    pub users: Vec<UserRow>,
    /// Role choices.
    pub roles: Vec<Choice>,
    /// This node's fingerprint.
    pub node_fingerprint: String,
    /// This node's id.
    pub node_id: String,
    /// Enrollment facts.
    pub hub: Vec<(String, String)>,
    /// Whether enrolled.
    pub enrolled: bool,
    /// Fingerprints after starting an enrollment: (node, hub).
    pub started: Option<(String, String)>,
    /// Chapter facts.
    pub facts: ChapterFacts,
    /// Backups in the data directory: (file, size).
    pub backups: Vec<(String, String)>,
    /// k applied to reports.
    pub k: String,
    /// A generated password to show once.
    pub new_password: Option<String>,
    /// Notice.
    pub notice: Option<String>,
    /// Problem.
    pub problem: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SettingsQuery {
    node: String,
    hub: String,
}

fn backups_dir(page: &Page) -> std::path::PathBuf {
    page.state.dir().root().join("backups")
}

async fn settings_page(
    page: &Page,
    raw: Option<&str>,
    new_password: Option<String>,
) -> Result<SettingsPage, AppError> {
    let lang = page.lang;
    let (list, links, enrollment, chapter_facts) = page
        .state
        .store()
        .read_async(|conn| {
            let links = conn
                .prepare_cached("SELECT id, member_id FROM users")?
                .query_map([], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((
                users::list(conn)?,
                links,
                crate::domain::enrollment::get(conn)?,
                facts::get(conn)?,
            ))
        })
        .await?;
    let users = list
        .iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username.clone(),
            role: crate::web::Role::parse(&u.role)
                .map(|r| view::role_label(lang, r))
                .unwrap_or_else(|| u.role.clone()),
            disabled: u.disabled,
            member: links
                .iter()
                .find(|(id, _)| *id == u.id)
                .and_then(|(_, m)| *m)
                .map(|m| m.to_string())
                .unwrap_or_default(),
            pod_lead: u.role == "pod_lead",
        })
        .collect();
    let card = page.state.card();
    let mut hub = Vec::new();
    if let Some(id) = &enrollment.hub_id {
        hub.push((lang.t("ui-settings-hub-id"), id.clone()));
        if let Some(card) = enrollment
            .hub_card_json
            .as_deref()
            .and_then(|j| shopfloor_protocol::Card::from_json(j.as_bytes()).ok())
        {
            hub.push((lang.t("ui-settings-hub-name"), card.name.clone()));
            hub.push((
                lang.t("ui-settings-hub-fingerprint"),
                card.fingerprint().to_string(),
            ));
        }
        if let Some(at) = &enrollment.enrolled_at {
            hub.push((lang.t("ui-settings-enrolled-at"), lang.time(at)));
        }
        if let Some(k) = enrollment.policy_k {
            hub.push((lang.t("ui-settings-hub-k"), lang.num(k)));
        }
    }
    let mut backups = Vec::new();
    if let Ok(rd) = std::fs::read_dir(backups_dir(page)) {
        for e in rd.flatten() {
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            backups.push((
                e.file_name().to_string_lossy().into_owned(),
                lang.ta(
                    "ui-settings-backup-size",
                    &[("kb", Arg::from(size.div_ceil(1024)))],
                ),
            ));
        }
    }
    backups.sort();
    backups.reverse();
    let sq: SettingsQuery = query(raw);
    let (notice, problem) = Flash::messages(raw, lang);
    Ok(SettingsPage {
        c: page.chrome("ui-settings-title", Nav::Settings),
        users,
        roles: choices_of(
            crate::domain::users::ROLES
                .iter()
                .filter_map(|r| crate::web::Role::parse(r))
                .map(|r| (r.as_str().to_owned(), view::role_label(lang, r)))
                .collect(),
            "organizer",
            None,
        ),
        node_fingerprint: card.fingerprint().to_string(),
        node_id: card.id.to_string(),
        enrolled: enrollment.hub_id.is_some(),
        hub,
        started: (!sq.node.is_empty()).then(|| (sq.node.clone(), sq.hub.clone())),
        facts: chapter_facts,
        backups,
        k: enrollment
            .policy_k
            .unwrap_or(5)
            .max(i64::try_from(page.state.config().min_cell_size).unwrap_or(5))
            .to_string(),
        new_password,
        notice,
        problem,
    })
}

/// `GET /settings` — users, hub enrollment, backups, chapter facts.
pub async fn settings(Admin(page): Admin<Page>, RawQuery(raw): RawQuery) -> Response {
    let r = async { view::ok(&settings_page(&page, raw.as_deref(), None).await?) }.await;
    page.respond(r)
}

/// The settings forms.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    csrf: String,
    username: String,
    role: String,
    password: String,
    member_id: String,
    disabled: String,
    hub_url: String,
    code: String,
    labor_committee: String,
    clc_delegate: String,
    bylaws: String,
}

impl HasCsrf for SettingsForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Back to a section of the settings page.
fn settings_back(anchor: &'static str) -> Back {
    back("/settings").anchor(anchor)
}

/// `POST /settings/users` — adds a user (a password is generated and shown once if none is
/// given).
pub async fn users_add(Admin(page): Admin<Page>, CsrfForm(f): CsrfForm<SettingsForm>) -> Response {
    let r = async {
        let (password, generated) = if f.password.is_empty() {
            (users::generate_password()?, true)
        } else {
            (f.password.clone(), false)
        };
        let (pw, name) = (password.clone(), f.username.trim().to_owned());
        let hash = match page
            .state
            .password_work(move || users::hash_new_password(&pw, &name))
            .await
        {
            Ok(h) => h,
            Err(e) => return settings_back("#users").answer(Err::<(), _>(e)),
        };
        let member: Option<i64> = f.member_id.trim().parse().ok();
        let res = page
            .write(move |tx| {
                let id = users::add(tx, f.username.trim(), &f.role, &hash)?;
                if let Some(m) = member {
                    crate::domain::members::get(tx, m)
                        .map_err(|_| crate::Error::invalid("member", "no such member"))?;
                    tx.execute(
                        "UPDATE users SET member_id = ?2 WHERE id = ?1",
                        params![id, m],
                    )?;
                }
                Ok(audit("user.add", format!("user:{id}")).detail(f.role))
            })
            .await;
        match res {
            Ok(()) if generated => Ok(view::render(
                StatusCode::OK,
                &settings_page(&page, Some("saved=1"), Some(password)).await?,
            )),
            other => settings_back("#users").answer(other),
        }
    }
    .await;
    page.respond(r)
}

/// `POST /settings/users/{id}` — disables or enables a user, or links a pod lead to a member.
pub async fn users_update(
    Admin(page): Admin<Page>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    CsrfForm(f): CsrfForm<SettingsForm>,
) -> Response {
    let me = page.user.id;
    page.save(settings_back("#users"), move |tx| {
        let username: String = tx
            .query_row(
                "SELECT username FROM users WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .map_err(|_| crate::Error::not_found(format!("user {id}")))?;
        if !f.disabled.is_empty() {
            let disable = f.disabled == "1";
            if disable && id == me {
                return Err(crate::Error::invalid("username", "not yourself"));
            }
            users::set_disabled(tx, &username, disable)?;
            if disable {
                tx.execute("DELETE FROM sessions WHERE user_id = ?1", params![id])?;
            }
            Ok(audit("user.disable", format!("user:{id}")).detail(f.disabled))
        } else {
            let member: Option<i64> = match f.member_id.trim() {
                "" => None,
                s => Some(
                    s.parse()
                        .map_err(|_| crate::Error::invalid("member", "a number"))?,
                ),
            };
            if let Some(m) = member {
                crate::domain::members::get(tx, m)
                    .map_err(|_| crate::Error::invalid("member", "no such member"))?;
            }
            tx.execute(
                "UPDATE users SET member_id = ?2 WHERE id = ?1",
                params![id, member],
            )?;
            Ok(audit("user.add", format!("user:{id}")).detail("member link"))
        }
    })
    .await
}

/// `POST /settings/facts` — the chapter's facts.
pub async fn facts_save(Admin(page): Admin<Page>, CsrfForm(f): CsrfForm<SettingsForm>) -> Response {
    page.save(settings_back("#facts"), move |tx| {
        facts::set(
            tx,
            &ChapterFacts {
                labor_committee: f.labor_committee == "1",
                clc_delegate: f.clc_delegate == "1",
                bylaws: f.bylaws == "1",
            },
        )?;
        Ok(audit("facts", "chapter"))
    })
    .await
}

/// `POST /settings/enroll` — asks a hub to enroll this node; shows both fingerprints to
/// compare with the hub's administrators before they approve.
pub async fn enroll(Admin(page): Admin<Page>, CsrfForm(f): CsrfForm<SettingsForm>) -> Response {
    let r = async {
        let store = page.state.store().clone();
        let dir = page.state.dir().clone();
        match crate::federation::enroll::start(&store, &dir, &f.hub_url, f.code.trim(), None).await
        {
            Ok(s) => {
                let hub_url = s.hub_url.clone();
                page.write(move |_| Ok(audit("enroll", hub_url))).await?;
                Ok(view::redirect(&format!(
                    "/settings?node={}&hub={}#hub",
                    view::encode(&s.node_fingerprint),
                    view::encode(&s.hub_fingerprint)
                )))
            }
            Err(e) => {
                tracing::warn!("enrollment: {e}");
                Ok(view::redirect("/settings?error=enroll#hub"))
            }
        }
    }
    .await;
    page.respond(r)
}

/// `POST /settings/backup` — writes a backup sealed to the node's own key into
/// `DATA/backups/` (copy it off the server; for recovery after losing the server, use the
/// command line with each officer's recipient).
pub async fn backup_now(
    Admin(page): Admin<Page>,
    CsrfForm(_f): CsrfForm<SettingsForm>,
) -> Response {
    let r = async {
        let dir = page.state.dir().clone();
        let store = page.state.store().clone();
        let recipient = page.state.card().age_recipient.clone();
        let folder = backups_dir(&page);
        let name = format!(
            "shopfloor-{}.age",
            jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ")
        );
        let out = folder.join(&name);
        let res = tokio::task::spawn_blocking(move || -> crate::Result<()> {
            std::fs::create_dir_all(&folder).map_err(|e| crate::Error::io(&folder, e))?;
            crate::backup::backup(&dir, &store, std::slice::from_ref(&recipient), &out)?;
            Ok(())
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let res = match res {
            Ok(()) => {
                page.write(move |_| Ok(audit("backup", name).detail("1 recipient(s)")))
                    .await
            }
            Err(e) => Err(e),
        };
        settings_back("#backups").answer(res)
    }
    .await;
    page.respond(r)
}

// ---------------------------------------------------------------------------------------------
// Audit log

/// An audit entry as shown.
#[derive(Debug)]
pub struct AuditRow {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub subject: String,
    /// Details.
    pub detail: String,
}

/// `GET /audit`
#[derive(Template, Debug)]
#[template(path = "audit.html")]
pub struct AuditPage {
    /// The frame.
    pub c: Chrome,
    /// Entries.
    pub rows: Vec<AuditRow>,
    /// Pager.
    pub pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuditQuery {
    page: String,
}

/// `GET /audit` — who did what, when (admins).
pub async fn audit_log(Admin(page): Admin<Page>, RawQuery(raw): RawQuery) -> Response {
    let r = async {
        const PER: i64 = 100;
        let aq: AuditQuery = query(raw.as_deref());
        let wanted: i64 = aq.page.parse().unwrap_or(1).max(1);
        let (total, entries) = page
            .state
            .store()
            .read_async(move |conn| {
                let total: i64 =
                    conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
                let pager = Pager::new(wanted, PER, total, "/audit");
                let mut stmt = conn.prepare_cached(
                    "SELECT id, at, actor, action, subject, detail FROM audit_log
                     ORDER BY id DESC LIMIT ?1 OFFSET ?2",
                )?;
                let rows = stmt
                    .query_map(params![PER, pager.offset(PER)], |r| {
                        Ok(audit::Entry {
                            id: r.get(0)?,
                            at: r.get(1)?,
                            actor: r.get(2)?,
                            action: r.get(3)?,
                            subject: r.get(4)?,
                            detail: r.get(5)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((total, rows))
            })
            .await?;
        let lang = page.lang;
        view::ok(&AuditPage {
            c: page.chrome("ui-audit-title", Nav::Audit),
            rows: entries
                .into_iter()
                .map(|e| AuditRow {
                    at: lang.time(&e.at),
                    actor: e.actor,
                    action: action_label(lang, &e.action),
                    subject: e.subject,
                    detail: e.detail,
                })
                .collect(),
            pager: Pager::new(wanted, PER, total, "/audit"),
        })
    }
    .await;
    page.respond(r)
}
