//! Reports: a preview of exactly what leaves the chapter, cell by cell (withheld cells shown as
//! "fewer than k"), submitting, the history with the hub's receipts, and the outbox. Guidance
//! from the hubs.

use askama::Template;
use axum::extract::RawQuery;
use axum::response::Response;
use serde::Deserialize;
use shopfloor_protocol::registry::{self, Dim};
use shopfloor_protocol::{CellValue, Period};

use super::flash::Flash;
use super::i18n::{Arg, Lang, fmt};
use super::page::{HasCsrf, Page, query};
use super::view::{self, Chrome, Nav};
use crate::report;
use crate::web::AppError;
use crate::web::handler::{Admin, CsrfForm, Organizer, audit};
use crate::web::ui::i18n::LangExt as _;

/// A cell as shown.
#[derive(Debug)]
pub struct CellRow {
    /// The breakdown, e.g. "Industry sector: Retail trade" (empty for the total).
    pub breakdown: String,
    /// The value, or "fewer than k".
    pub value: String,
    /// Withheld.
    pub suppressed: bool,
}

/// A metric's cells.
#[derive(Debug)]
pub struct MetricBlock {
    /// The metric's name.
    pub name: String,
    /// Its wire id.
    pub id: String,
    /// Cells.
    pub cells: Vec<CellRow>,
}

/// A line of the history.
#[derive(Debug)]
pub struct HistoryRow {
    /// Period.
    pub period: String,
    /// Revision.
    pub revision: i64,
    /// Digest (short).
    pub digest: String,
    /// Built at.
    pub built: String,
    /// Receipt: log index, or empty.
    pub receipt: String,
}

pub use super::outbox::OutboxRow;

/// `GET /reports`
#[derive(Template, Debug)]
#[template(path = "reports.html")]
pub struct ReportsPage<'a> {
    /// The frame.
    pub c: Chrome,
    /// The period previewed.
    pub period: String,
    /// Choices of period: (id, its month for people, selected).
    pub periods: Vec<(String, String, bool)>,
    /// Overview (label, value).
    pub overview: Vec<(String, String)>,
    /// Cells by metric (kept with the report until the next write, see [`PreviewView`]).
    pub metrics: &'a [MetricBlock],
    /// Chapter facts sent.
    pub facts: Vec<(String, String)>,
    /// Public campaigns sent: (title, type, status).
    pub campaigns: Vec<(String, String, String)>,
    /// The exact payload (JSON).
    pub payload: &'a str,
    /// When the counts were taken, and on what basis, in a sentence.
    pub basis_note: String,
    /// The period closed without a snapshot: it can only be sent as a correction.
    pub needs_correction: bool,
    /// Whether the node is enrolled.
    pub enrolled: bool,
    /// May submit.
    pub can_submit: bool,
    /// History.
    pub history: Vec<HistoryRow>,
    /// Outbox: each item's state, from the database.
    pub outbox: Vec<OutboxRow>,
    /// The "fewer than k" sentence, explained.
    pub k_note: String,
    /// With a joint key pinned: withheld cells travel encrypted to it (its fingerprint).
    pub encrypted_note: Option<String>,
    /// Notice.
    pub notice: Option<String>,
    /// Problem.
    pub problem: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReportQuery {
    period: String,
    error: String,
}

/// The label of one dimension value for people.
fn dim_value(
    lang: Lang,
    dim: Dim,
    value: &str,
    trainings: &[crate::domain::trainings::Training],
) -> String {
    if dim == Dim::Training
        && let Some(t) = trainings.iter().find(|t| t.code == value)
    {
        return if lang == Lang::Es && !t.title_es.is_empty() {
            t.title_es.clone()
        } else {
            t.title_en.clone()
        };
    }
    lang.value(dim, value)
}

/// The report and what the preview shows of it in one language: kept in the store's read cache
/// until the next write.
#[derive(Debug)]
struct PreviewView {
    /// The report as built, and the basis of its stock counts.
    built: std::sync::Arc<(report::Built, report::StockBasis)>,
    /// Its cells by metric, as shown.
    metrics: Vec<MetricBlock>,
    /// The exact payload (JSON), as text.
    payload: String,
}

/// The report's cells by metric, as the preview shows them in `lang`.
fn metric_blocks(
    lang: Lang,
    built: &report::Built,
    catalog: &[crate::domain::trainings::Training],
) -> Vec<MetricBlock> {
    let rep = &built.report;
    let k = rep.policy.k;
    let fewer = lang.ta("ui-report-fewer-than", &[("k", Arg::from(k))]);
    // A cell withheld only to protect a small one may be large: say so, not "fewer than k".
    let protecting = lang.t("ui-report-withheld-protect");
    let mut metrics = Vec::new();
    for (idx, cells) in report::by_metric(&rep.cells) {
        let Some(m) = registry::METRICS.get(idx) else {
            continue;
        };
        let rows = cells
            .iter()
            .map(|c| {
                let breakdown = c
                    .key
                    .dims
                    .iter()
                    .map(|(d, v)| format!("{}: {}", lang.dim(*d), dim_value(lang, *d, v, catalog)))
                    .collect::<Vec<_>>()
                    .join(" · ");
                let (value, suppressed) = match c.value {
                    CellValue::Count(n) => (lang.num(i64::try_from(n).unwrap_or(i64::MAX)), false),
                    CellValue::Suppressed if built.primary.contains(&c.key) => {
                        (fewer.clone(), true)
                    }
                    CellValue::Suppressed => (protecting.clone(), true),
                };
                CellRow {
                    breakdown: if breakdown.is_empty() {
                        lang.t("ui-report-total")
                    } else {
                        breakdown
                    },
                    value,
                    suppressed,
                }
            })
            .collect();
        metrics.push(MetricBlock {
            name: lang.pick(m.en, m.es).to_owned(),
            id: m.id.to_owned(),
            cells: rows,
        });
    }
    metrics
}

/// `GET /reports?period=YYYY-MM` — the preview, history and outbox.
pub async fn reports(page: Page, RawQuery(raw): RawQuery) -> Response {
    let r = reports_inner(&page, raw).await;
    page.respond(r)
}

async fn reports_inner(page: &Page, raw: Option<String>) -> Result<Response, AppError> {
    let lang = page.lang;
    let rq: ReportQuery = query(raw.as_deref());
    let current = super::dashboard::current_period()?;
    let default = current.previous().unwrap_or(current);
    // A month that has not started has no report to preview (building one fails on its dates):
    // like an unreadable period, it shows the default month.
    let period: Period = rq
        .period
        .parse()
        .ok()
        .filter(|p| *p <= current)
        .unwrap_or(default);
    let config = page.state.config().clone();
    let card = page.state.card().clone();
    // The report, and what the page shows of it in this language, are kept until the next write
    // (store::cache); the lists below are read each time. Building the cells' rows and the
    // payload's text per view was most of this page's time (docs/performance.md).
    let store = page.state.store().clone();
    let view = page
        .state
        .store()
        .read_cached(
            format!("report-view:{period}:{}", lang.code()),
            super::dashboard::CACHE_TTL,
            move |conn| {
                let built = store.cached_on(
                    conn,
                    &format!("report-preview:{period}"),
                    super::dashboard::CACHE_TTL,
                    move |conn| {
                        let ctx = report::context(conn, &config, &card, period)?;
                        let basis = report::stock_basis(conn, period, ctx.generated_at)?;
                        let built = report::build(conn, &ctx)?;
                        Ok((built, basis))
                    },
                )?;
                let catalog = crate::domain::trainings::catalog(conn)?;
                let metrics = metric_blocks(lang, &built.0, &catalog);
                let payload =
                    String::from_utf8_lossy(&report::payload(&built.0.report)).into_owned();
                Ok(PreviewView {
                    built,
                    metrics,
                    payload,
                })
            },
        )
        .await?;
    let (built, basis) = (&view.built.0, view.built.1);
    let (history, receipts, outbox, hub, pinned) = page
        .state
        .store()
        .read_async(move |conn| {
            let history = conn
                .prepare_cached(
                    "SELECT period, revision, digest, built_at FROM reports
                     ORDER BY period DESC, revision DESC LIMIT 50",
                )?
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((
                history,
                crate::federation::receipts::list(conn)?,
                crate::federation::outbox::list(conn)?,
                crate::federation::hub_link(conn)?.map(|l| l.card.name),
                crate::federation::joint_key::pinned(conn)?.map(|p| p.fingerprint),
            ))
        })
        .await?;
    let rep = &built.report;
    let k = rep.policy.k;
    let ov = report::overview(built);
    let when = ov
        .as_of
        .as_deref()
        .map(|t| lang.time(t))
        .unwrap_or_default();
    let needs_correction = basis == report::StockBasis::NeedsCorrection;
    let basis_id = match basis {
        report::StockBasis::Snapshot(_) => "ui-report-basis-closed",
        report::StockBasis::Closing => "ui-report-basis-closing",
        report::StockBasis::ToDate => "ui-report-basis-to-date",
        report::StockBasis::NeedsCorrection => "ui-report-basis-correction",
    };
    let basis_note = lang.ta(
        basis_id,
        &[
            ("period", Arg::Str(fmt(lang).period(&ov.period))),
            ("when", Arg::Str(when.clone())),
        ],
    );
    let overview = vec![
        (lang.t("ui-report-period"), fmt(lang).period(&ov.period)),
        (lang.t("ui-report-as-of"), when),
        (
            lang.t("ui-report-recipient"),
            // The hub's name, not its id; a node not yet enrolled says so in words.
            hub.clone().unwrap_or_else(|| {
                if ov.recipient == report::UNENROLLED_RECIPIENT {
                    lang.t("ui-report-recipient-unenrolled")
                } else {
                    ov.recipient.clone()
                }
            }),
        ),
        (
            lang.t("ui-report-revision"),
            lang.num(i64::from(ov.revision)),
        ),
        (
            lang.t("ui-report-k"),
            lang.num(i64::try_from(ov.k).unwrap_or(i64::MAX)),
        ),
        (
            lang.t("ui-report-published"),
            lang.num(i64::try_from(ov.published).unwrap_or(i64::MAX)),
        ),
        (
            lang.t("ui-report-withheld"),
            lang.num(
                i64::try_from(ov.primary_suppressed + ov.complementary_suppressed)
                    .unwrap_or(i64::MAX),
            ),
        ),
    ];
    let yes_no = |b: bool| lang.t(if b { "ui-yes" } else { "ui-no" });
    let facts = vec![
        (
            lang.t("ui-facts-labor-committee"),
            yes_no(rep.facts.labor_committee),
        ),
        (
            lang.t("ui-facts-clc-delegate"),
            yes_no(rep.facts.clc_delegate),
        ),
        (lang.t("ui-facts-bylaws"), yes_no(rep.facts.bylaws)),
    ];
    let campaigns = rep
        .campaigns
        .iter()
        .map(|c| {
            (
                c.title.clone(),
                lang.value(Dim::CampaignType, &c.kind),
                lang.value(Dim::CampaignStatus, &c.status),
            )
        })
        .collect();
    let history = history
        .into_iter()
        .map(|(p, rev, digest, built_at)| {
            let receipt = receipts
                .iter()
                .find(|r| r.digest == digest)
                .map(|r| lang.ta("ui-report-receipt", &[("index", Arg::Num(r.log_index))]))
                .unwrap_or_default();
            HistoryRow {
                period: fmt(lang).period(&p),
                revision: rev,
                digest: digest.chars().take(16).collect(),
                built: lang.time(&built_at),
                receipt,
            }
        })
        .collect();
    let hub_name = hub.unwrap_or_else(|| ov.recipient.clone());
    let outbox_rows = super::outbox::rows(lang, &outbox, &receipts, &hub_name);
    let mut periods = Vec::new();
    let mut p = Some(current);
    for _ in 0..12 {
        let Some(q) = p else { break };
        periods.push((q.to_string(), fmt(lang).period(&q.to_string()), q == period));
        p = q.previous();
    }
    // Where the period's report stands, from the outbox table (not from the address).
    let (state_notice, state_problem) =
        super::outbox::banner(lang, period, &outbox, &receipts, &hub_name);
    let (notice, mut problem) = Flash::messages(raw.as_deref(), lang);
    let notice = notice.or(state_notice);
    problem = problem.or(state_problem);
    if rq.error == "closed" {
        problem = Some(lang.ta(
            "err-report-closed",
            &[("period", Arg::Str(fmt(lang).period(&period.to_string())))],
        ));
    }
    let c = page.chrome_titled(
        lang.ta(
            "ui-reports-title",
            &[("period", Arg::Str(fmt(lang).period(&period.to_string())))],
        ),
        Nav::Reports,
    );
    view::ok(&ReportsPage {
        c,
        period: period.to_string(),
        periods,
        overview,
        metrics: &view.metrics,
        facts,
        campaigns,
        payload: &view.payload,
        basis_note,
        needs_correction,
        enrolled: rep.recipient.to_string() != report::UNENROLLED_RECIPIENT,
        can_submit: page.role().can_admin(),
        history,
        outbox: outbox_rows,
        k_note: lang.ta("ui-report-k-note", &[("k", Arg::from(k))]),
        encrypted_note: pinned.map(|f| lang.ta("ui-report-encrypted-note", &[("id", Arg::Str(f))])),
        notice,
        problem,
    })
}

/// The submit form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubmitForm {
    csrf: String,
    period: String,
    /// "1": rebuild the closed period from the current state, labelled a correction.
    correction: String,
}

impl HasCsrf for SubmitForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /reports/submit` — builds, signs and seals the period's report and puts it in the
/// outbox for delivery to the hub. With `correction=1`, a closed period is rebuilt from the
/// current state and labelled a correction (the page offers it when the node recorded no
/// snapshot of the period).
pub async fn submit(Admin(page): Admin<Page>, CsrfForm(f): CsrfForm<SubmitForm>) -> Response {
    let r = async {
        let Ok(period) = f.period.parse::<Period>() else {
            return Ok(view::redirect("/reports?error=period"));
        };
        let store = page.state.store().clone();
        let dir = page.state.dir().clone();
        let correction = f.correction == "1";
        let res = tokio::task::spawn_blocking(move || {
            crate::federation::reports::enqueue_as(&store, &dir, period, correction)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let res = match res {
            Ok(q) => {
                let detail = if correction {
                    format!("revision {}, correction", q.revision)
                } else {
                    format!("revision {}", q.revision)
                };
                page.write(move |_| {
                    Ok(audit("report.submit", format!("report:{period}")).detail(detail))
                })
                .await
                .map_err(crate::federation::Error::from)
            }
            Err(e) => Err(e),
        };
        match res {
            // The page shows the period's outbox state from the database.
            Ok(_) => Ok(view::redirect(&format!("/reports?period={period}"))),
            Err(crate::federation::Error::Node(crate::Error::PeriodClosed { .. })) => Ok(
                view::redirect(&format!("/reports?period={period}&error=closed")),
            ),
            Err(e) => {
                tracing::warn!("report submit: {e}");
                Ok(view::redirect(&format!(
                    "/reports?period={period}&error=submit"
                )))
            }
        }
    }
    .await;
    page.respond(r)
}

/// The form of `POST /support`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SupportForm {
    csrf: String,
    skill: String,
    language: String,
    sector: String,
    message: String,
    reply_to: String,
    urgency: String,
}

impl HasCsrf for SupportForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /support` — asks the hub to relay a request for help to chapters with matching
/// reserve organizers.
pub async fn ask_support(
    Organizer(page): Organizer<Page>,
    CsrfForm(f): CsrfForm<SupportForm>,
) -> Response {
    let r = async {
        let opt = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let request = shopfloor_protocol::support::SupportBody {
            skills: opt(f.skill).into_iter().collect(),
            language: opt(f.language),
            sector: opt(f.sector),
            message: f.message.trim().to_owned(),
            reply_to: f.reply_to.trim().to_owned(),
            urgency: shopfloor_protocol::support::Urgency::parse(f.urgency.trim())
                .unwrap_or_default(),
            chapter: None,
        };
        match crate::federation::support::ask(page.state.store(), page.state.dir(), &request).await
        {
            Ok(posted) => {
                let id = posted.id.clone();
                page.write(move |_| Ok(audit("support.ask", format!("support:{id}"))))
                    .await?;
                Ok(view::redirect(&format!(
                    "/guidance?asked={}",
                    posted.relayed_to
                )))
            }
            Err(e) => {
                tracing::warn!("support request: {e}");
                Ok(view::redirect("/guidance?error=support"))
            }
        }
    }
    .await;
    page.respond(r)
}

/// The form of `POST /support/{id}/status`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SupportStatusForm {
    csrf: String,
    status: String,
}

impl HasCsrf for SupportStatusForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /support/{id}/status` — marks one of this chapter's requests met or unmet at the hub,
/// which passes the word on to every hub holding a copy (audited as `support.met` /
/// `support.unmet`).
pub async fn support_status(
    Organizer(page): Organizer<Page>,
    axum::extract::Path(id): axum::extract::Path<String>,
    CsrfForm(f): CsrfForm<SupportStatusForm>,
) -> Response {
    use shopfloor_protocol::support::Status;
    let r = async {
        let status = match Status::parse(f.status.trim()) {
            Some(s @ (Status::Met | Status::Unmet)) => s,
            _ => return Ok(view::redirect("/guidance?error=support-status")),
        };
        match crate::federation::support::set_status(
            page.state.store(),
            page.state.dir(),
            &id,
            status,
        )
        .await
        {
            Ok(()) => {
                let action = match status {
                    Status::Met => "support.met",
                    _ => "support.unmet",
                };
                page.write(move |_| Ok(audit(action, format!("support:{id}"))))
                    .await?;
                Ok(view::redirect(&format!(
                    "/guidance?closed={}",
                    status.as_str()
                )))
            }
            Err(e) => {
                tracing::warn!("support status: {e}");
                Ok(view::redirect("/guidance?error=support-status"))
            }
        }
    }
    .await;
    page.respond(r)
}

/// A goal as shown.
#[derive(Debug)]
pub struct GoalRow {
    /// Metric name.
    pub metric: String,
    /// Scope (sector/region) or empty.
    pub scope: String,
    /// Target.
    pub target: String,
    /// By.
    pub by: String,
    /// How it is counted: as it stands now, or over its window.
    pub how: String,
    /// This chapter's own part, or why it has none.
    pub part: String,
    /// This chapter's part as a share of the target (empty when out of scope).
    pub share: String,
}

/// The guidance of one publisher: the hub's own, or its parent's it relays.
#[derive(Debug)]
pub struct SourceView {
    /// Who published it, in words.
    pub heading: String,
    /// Anchor id.
    pub id: String,
    /// When it was issued.
    pub issued: String,
    /// Trainings: (title, url).
    pub trainings: Vec<(String, Option<String>)>,
    /// Criteria.
    pub criteria: Vec<super::organizing::CriterionView>,
    /// Goals.
    pub goals: Vec<GoalRow>,
    /// Links: (title, url).
    pub links: Vec<(String, Option<String>)>,
}

/// `GET /guidance`
#[derive(Template, Debug)]
#[template(path = "guidance.html")]
pub struct GuidancePage {
    /// The frame.
    pub c: Chrome,
    /// Whether any guidance is stored.
    pub present: bool,
    /// When none is: what is true instead (not enrolled, or enrolled and nothing published).
    pub none_text: String,
    /// About (label, value).
    pub about: Vec<(String, String)>,
    /// Each publisher's guidance: the hub's own first, then what it relays.
    pub sources: Vec<SourceView>,
    /// The hub relays its parent's guidance but this node could not verify it.
    pub inherited_unverified: bool,
    /// Help between chapters, for organizers and admins of an enrolled node.
    pub support: Option<SupportView>,
    /// Notice.
    pub notice: Option<String>,
    /// Problem.
    pub problem: Option<String>,
}

/// The support-request section of the guidance page.
#[derive(Debug, Default)]
pub struct SupportView {
    /// Requests the hub relayed to this chapter.
    pub for_you: Vec<RelayedRow>,
    /// How many of this chapter's own requests are open.
    pub yours: String,
    /// This chapter's own requests.
    pub own: Vec<OwnRow>,
    /// Urgency choices (code, label).
    pub urgencies: Vec<(String, String)>,
    /// The hub did not answer.
    pub unreachable: bool,
    /// Skill choices (code, label).
    pub skills: Vec<(String, String)>,
    /// Language choices (code, label).
    pub languages: Vec<(String, String)>,
    /// Sector choices (code, label).
    pub sectors: Vec<(String, String)>,
}

/// A relayed request as shown.
#[derive(Debug)]
pub struct RelayedRow {
    /// The asking chapter.
    pub from: String,
    /// When.
    pub when: String,
    /// What is needed.
    pub message: String,
    /// Skills and language wanted, as words.
    pub wants: String,
    /// The contact to answer at.
    pub reply_to: String,
    /// How urgent, in words.
    pub urgency: String,
    /// Open, met or unmet, in words.
    pub status: String,
}

/// One of this chapter's own requests.
#[derive(Debug)]
pub struct OwnRow {
    /// Request id.
    pub id: String,
    /// Open, met or unmet, in words.
    pub status: String,
    /// Whether it is still open (and can be marked).
    pub open: bool,
    /// How many places it was relayed to, in words.
    pub relayed: String,
}

fn urgency_label(lang: Lang, u: shopfloor_protocol::support::Urgency) -> String {
    use shopfloor_protocol::support::Urgency;
    lang.t(match u {
        Urgency::Low => "ui-support-urgency-low",
        Urgency::Normal => "ui-support-urgency-normal",
        Urgency::Urgent => "ui-support-urgency-urgent",
    })
}

fn support_status_label(lang: Lang, s: shopfloor_protocol::support::Status) -> String {
    use shopfloor_protocol::support::Status;
    lang.t(match s {
        Status::Open => "ui-support-status-open",
        Status::Met => "ui-support-status-met",
        Status::Unmet => "ui-support-status-unmet",
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GuidanceQuery {
    asked: String,
    error: String,
    closed: String,
}

/// The support section, when the user organizes and the node is enrolled.
async fn support_view(page: &Page) -> Option<SupportView> {
    use shopfloor_protocol::registry::{LANGUAGES, SECTORS, SKILLS};
    if !page.role().can_organize() {
        return None;
    }
    let enrolled = page
        .state
        .store()
        .read_async(crate::federation::hub_link)
        .await
        .ok()
        .flatten()
        .is_some();
    if !enrolled {
        return None;
    }
    let lang = page.lang;
    let mut view = SupportView {
        skills: SKILLS
            .iter()
            .map(|t| (t.code.to_owned(), lang.pick(t.en, t.es).to_owned()))
            .collect(),
        languages: LANGUAGES
            .iter()
            .map(|t| (t.code.to_owned(), lang.pick(t.en, t.es).to_owned()))
            .collect(),
        sectors: SECTORS
            .iter()
            .map(|t| (t.code.to_owned(), lang.pick(t.en, t.es).to_owned()))
            .collect(),
        urgencies: [
            shopfloor_protocol::support::Urgency::Normal,
            shopfloor_protocol::support::Urgency::Low,
            shopfloor_protocol::support::Urgency::Urgent,
        ]
        .into_iter()
        .map(|u| (u.as_str().to_owned(), urgency_label(lang, u)))
        .collect(),
        ..SupportView::default()
    };
    match crate::federation::support::inbox(page.state.store(), page.state.dir()).await {
        Ok(inbox) => {
            view.yours = lang.ta(
                "ui-support-yours",
                &[(
                    "n",
                    Arg::Num(
                        i64::try_from(
                            inbox
                                .yours
                                .iter()
                                .filter(|p| p.status == shopfloor_protocol::support::Status::Open)
                                .count(),
                        )
                        .unwrap_or(0),
                    ),
                )],
            );
            view.for_you = inbox
                .for_you
                .iter()
                .map(|r| {
                    let mut wants: Vec<String> = r
                        .body
                        .skills
                        .iter()
                        .map(|s| lang.value(Dim::Skill, s))
                        .collect();
                    if let Some(l) = &r.body.language {
                        wants.push(lang.value(Dim::Language, l));
                    }
                    if let Some(s) = &r.body.sector {
                        wants.push(lang.value(Dim::Sector, s));
                    }
                    RelayedRow {
                        from: r.body.chapter.clone().unwrap_or_else(|| r.from.to_string()),
                        when: lang.time(&r.created_at.to_string()),
                        message: r.body.message.clone(),
                        wants: wants.join(" · "),
                        reply_to: r.body.reply_to.clone(),
                        urgency: urgency_label(lang, r.body.urgency),
                        status: support_status_label(lang, r.status),
                    }
                })
                .collect();
            view.own = inbox
                .yours
                .iter()
                .map(|p| OwnRow {
                    id: p.id.clone(),
                    status: support_status_label(lang, p.status),
                    open: p.status == shopfloor_protocol::support::Status::Open,
                    relayed: lang.ta(
                        "ui-support-relayed",
                        &[("n", Arg::Num(i64::try_from(p.relayed_to).unwrap_or(0)))],
                    ),
                })
                .collect();
        }
        Err(e) => {
            tracing::warn!("support inbox: {e}");
            view.unreachable = true;
        }
    }
    Some(view)
}

/// `GET /guidance` — the hub's verified guidance, and help between chapters.
pub async fn guidance(page: Page, RawQuery(raw): RawQuery) -> Response {
    let r = async {
        let lang = page.lang;
        let q: GuidanceQuery = super::page::query(raw.as_deref());
        let notice = (!q.asked.is_empty()).then(|| {
            lang.ta(
                "ui-support-sent",
                &[("n", Arg::Num(q.asked.parse().unwrap_or(0)))],
            )
        });
        let problem = match q.error.as_str() {
            "support" => Some(lang.t("err-support")),
            "support-status" => Some(lang.t("err-support-status")),
            _ => None,
        };
        let notice = notice.or_else(|| match q.closed.as_str() {
            "met" => Some(lang.t("ui-support-closed-met")),
            "unmet" => Some(lang.t("ui-support-closed-unmet")),
            _ => None,
        });
        let support = support_view(&page).await;
        let stored = page
            .state
            .store()
            .read_async(crate::federation::guidance::current)
            .await?;
        let link = page
            .state
            .store()
            .read_async(crate::federation::hub_link)
            .await?;
        // When the node enrolled: an enrolled node's page says since when.
        // And when it last asked its hub for guidance.
        let (enrolled_at, checked_at): (Option<String>, Option<String>) = page
            .state
            .store()
            .read_async(|conn| {
                Ok(conn
                    .query_row(
                        "SELECT enrolled_at, guidance_checked_at FROM enrollment WHERE id = 1",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .unwrap_or((None, None)))
            })
            .await?;
        let mut out = GuidancePage {
            c: page.chrome("ui-guidance-title", Nav::Guidance),
            present: stored.is_some(),
            none_text: match (&link, enrolled_at) {
                (None, _) => lang.t("ui-guidance-none"),
                (Some(l), Some(at)) if checked_at.is_some() => lang.ta(
                    "ui-guidance-none-enrolled-checked",
                    &[
                        ("name", Arg::from(l.card.name.clone())),
                        ("when", Arg::from(lang.time(&at))),
                        (
                            "checked",
                            Arg::from(lang.time(checked_at.as_deref().unwrap_or_default())),
                        ),
                    ],
                ),
                (Some(l), Some(at)) => lang.ta(
                    "ui-guidance-none-enrolled-since",
                    &[
                        ("name", Arg::from(l.card.name.clone())),
                        ("when", Arg::from(lang.time(&at))),
                    ],
                ),
                (Some(l), None) => lang.ta(
                    "ui-guidance-none-enrolled",
                    &[("name", Arg::from(l.card.name.clone()))],
                ),
            },
            about: Vec::new(),
            sources: Vec::new(),
            inherited_unverified: false,
            support,
            notice,
            problem,
        };
        if let Some(s) = stored {
            let g = &s.guidance;
            out.about = vec![
                (lang.t("ui-guidance-issuer"), g.issuer.to_string()),
                (
                    lang.t("ui-guidance-issued"),
                    lang.time(&g.issued_at.to_string()),
                ),
                (
                    lang.t("ui-report-k"),
                    lang.num(i64::try_from(s.policy_k).unwrap_or(i64::MAX)),
                ),
                (
                    lang.t("ui-guidance-fetched"),
                    jiff::Timestamp::from_second(s.fetched_at)
                        .map(|t| lang.time(&t.to_string()))
                        .unwrap_or_default(),
                ),
            ];
            out.inherited_unverified = g.inherited.is_some() && s.inherited.is_none();
            let place = crate::federation::guidance::Place {
                state: page.state.dir().card().ok().and_then(|c| c.state),
                hubs: link
                    .iter()
                    .flat_map(|l| {
                        std::iter::once(l.card.id.to_string())
                            .chain(l.root.as_ref().map(|r| r.id.to_string()))
                    })
                    .collect(),
            };
            let hub_name = link.as_ref().map(|l| l.card.name.clone());
            let root_name = link
                .as_ref()
                .and_then(|l| l.root.as_ref())
                .map(|r| r.name.clone());
            let names: Vec<(String, String)> = link
                .iter()
                .flat_map(|l| {
                    std::iter::once((l.card.id.to_string(), l.card.name.clone()))
                        .chain(l.root.as_ref().map(|r| (r.id.to_string(), r.name.clone())))
                })
                .collect();
            let place = (&place, names.as_slice());
            let own = source_view(&page, g, place, "ui-guidance-from-hub", hub_name).await?;
            out.sources.push(own);
            if let Some(parent) = &s.inherited {
                let relayed =
                    source_view(&page, parent, place, "ui-guidance-from-parent", root_name).await?;
                out.sources.push(relayed);
            }
        }
        view::ok(&out)
    }
    .await;
    page.respond(r)
}

/// One publisher's guidance as shown, with this chapter's part of each goal.
async fn source_view(
    page: &Page,
    g: &shopfloor_protocol::guidance::Guidance,
    (place, names): (&crate::federation::guidance::Place, &[(String, String)]),
    heading: &str,
    name: Option<String>,
) -> Result<SourceView, AppError> {
    use crate::federation::guidance::{Part, own_part};
    use shopfloor_protocol::registry::Accrual;
    let lang = page.lang;
    let url = |en: &Option<String>, es: &Option<String>| match lang {
        Lang::Es => es.clone().or_else(|| en.clone()),
        Lang::En => en.clone().or_else(|| es.clone()),
    };
    let now = Period::containing(jiff::Timestamp::now())
        .map_err(|e| AppError::from(crate::Error::from(e)))?;
    let (goals, issued_at, place2) = (g.goals.clone(), g.issued_at, place.clone());
    let parts: Vec<Part> = page
        .state
        .store()
        .read_async(move |conn| {
            goals
                .iter()
                .map(|goal| own_part(conn, goal, issued_at, &place2, now))
                .collect()
        })
        .await?;
    let goals = g
        .goals
        .iter()
        .zip(parts)
        .map(|(goal, part)| {
            let how = match (goal.accrual(), goal.window(g.issued_at)) {
                (Accrual::Stock, _) | (_, None) => lang.t("ui-goal-stock"),
                (Accrual::PerPeriod, Some((from, until))) => lang.ta(
                    "ui-goal-per-period",
                    &[
                        ("first", fmt(lang).period(&from.to_string()).into()),
                        ("last", fmt(lang).period(&until.to_string()).into()),
                    ],
                ),
                (Accrual::ToDate, Some((from, until))) => lang.ta(
                    "ui-goal-to-date",
                    &[
                        ("first", fmt(lang).period(&from.to_string()).into()),
                        ("last", fmt(lang).period(&until.to_string()).into()),
                    ],
                ),
            };
            let (part, share) = match part {
                Part::OutOfScope => (lang.t("ui-goal-out-of-scope"), String::new()),
                Part::Counted(v) => (
                    lang.num(i64::try_from(v).unwrap_or(i64::MAX)),
                    lang.ta(
                        "ui-goal-share",
                        &[(
                            "pct",
                            lang.pct(
                                i64::try_from(
                                    v.saturating_mul(100)
                                        .checked_div(goal.target)
                                        .unwrap_or(100),
                                )
                                .unwrap_or(i64::MAX),
                            )
                            .into(),
                        )],
                    ),
                ),
            };
            GoalRow {
                metric: registry::metric(&goal.metric)
                    .map(|m| lang.pick(m.en, m.es).to_owned())
                    .unwrap_or_else(|| goal.metric.clone()),
                scope: [
                    goal.sector.as_deref().map(|s| lang.value(Dim::Sector, s)),
                    goal.region.as_deref().map(|r| {
                        registry::state(r).map_or_else(
                            || {
                                names
                                    .iter()
                                    .find(|(id, _)| id == r)
                                    .map_or_else(|| r.to_owned(), |(_, n)| n.clone())
                            },
                            |t| lang.term(t).to_owned(),
                        )
                    }),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
                target: lang.num(i64::try_from(goal.target).unwrap_or(i64::MAX)),
                by: lang.date(goal.by),
                how,
                part,
                share,
            }
        })
        .collect();
    Ok(SourceView {
        heading: lang.ta(
            heading,
            &[("name", name.unwrap_or_else(|| g.issuer.to_string()).into())],
        ),
        id: format!("from-{}", g.issuer),
        issued: lang.time(&g.issued_at.to_string()),
        trainings: g
            .trainings
            .iter()
            .map(|t| {
                (
                    lang.pick(&t.title_en, &t.title_es).to_owned(),
                    url(&t.url_en, &t.url_es),
                )
            })
            .collect(),
        goals,
        links: g
            .links
            .iter()
            .map(|l| {
                (
                    lang.pick(&l.title_en, &l.title_es).to_owned(),
                    url(&l.url_en, &l.url_es),
                )
            })
            .collect(),
        criteria: g
            .criteria
            .iter()
            .map(|c| super::organizing::CriterionView {
                title: lang.pick(&c.title_en, &c.title_es).to_owned(),
                metrics: c
                    .metrics
                    .iter()
                    .map(|m| {
                        (
                            lang.pick(&m.name_en, &m.name_es).to_owned(),
                            lang.num(i64::try_from(m.target).unwrap_or(i64::MAX)),
                        )
                    })
                    .collect(),
            })
            .collect(),
    })
}
