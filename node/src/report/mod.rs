//! The period's report: SQL aggregates → cells → disclosure control → payload v1.
//!
//! Stocks (members, workplaces, pods, campaigns, reserve, facts, public campaigns) are as of the
//! period's close: a closed period's report uses the [snapshot](snapshot) taken then, a period
//! not yet ended is counted "to date", and a closed period the node holds no snapshot for is
//! built only as an explicit, labelled correction from today's state ([`StockBasis`]). The
//! report's `as_of` says which. Flows are dated and counted at each build: coworkers recruited
//! in the period, mentorships active at any time in the period, trainings completed up to the
//! end of the period. A member's sector, state, county and stage are those of their primary
//! workplace.

mod aggregate;
pub mod snapshot;

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use shopfloor_protocol::disclosure::{self, SuppressionSummary};
use shopfloor_protocol::envelope::Document as _;
use shopfloor_protocol::report::REPORT_SCHEMA;
use shopfloor_protocol::report::{ChapterFacts, PublicCampaign};
use shopfloor_protocol::{
    Card, Cell, CellValue, Digest, DisclosurePolicy, PartyId, Period, Report,
};

pub(crate) use aggregate::raw_cells_where;
pub use aggregate::{public_campaigns, raw_cells};
pub use snapshot::close_period;

/// The exact cells of one metric (before disclosure control): what the report benchmark times
/// metric by metric. `members` and `lapsed-members` each pay for the members pass they share
/// in a whole report.
pub fn raw_cells_of(
    conn: &rusqlite::Connection,
    period: Period,
    metric: &str,
) -> Result<Vec<Cell>> {
    aggregate::raw_cells_where(conn, period, |m| m == metric)
}

use crate::datadir::NodeConfig;
use crate::domain::{enrollment, facts};
use crate::error::{Error, Result};

/// The recipient written into reports built before the node is enrolled with a hub.
pub const UNENROLLED_RECIPIENT: &str = "unenrolled";

/// Everything a report needs besides the cells.
#[derive(Clone, Debug)]
pub struct ReportContext {
    /// This chapter.
    pub chapter: PartyId,
    /// The hub the report is for ([`UNENROLLED_RECIPIENT`] before enrollment).
    pub recipient: PartyId,
    /// Whether the node is enrolled (a hub id is known).
    pub enrolled: bool,
    /// The period.
    pub period: Period,
    /// Revision: one more than the last report built for the period.
    pub revision: u32,
    /// Digest of the last report envelope the hub accepted.
    pub previous: Option<Digest>,
    /// Disclosure policy: k = max(hub's k, node's min_cell_size).
    pub policy: DisclosurePolicy,
    /// Build time.
    pub generated_at: jiff::Timestamp,
    /// Build a closed period from the current state, labelled `correction` (an explicit
    /// request; refused for a period not yet ended).
    pub correction: bool,
}

/// Where a report's stock counts come from, for a period at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StockBasis {
    /// The snapshot taken at the period's close, dated.
    Snapshot(jiff::Timestamp),
    /// The period has not ended: the counts so far ("to date").
    ToDate,
    /// The period has ended and is not yet snapshotted, within the window: building a report
    /// for it takes the snapshot now ([`close_period`]).
    Closing,
    /// The period closed without a snapshot and the window has passed: only a correction.
    NeedsCorrection,
}

/// Where the stocks of `period`'s report come from at `now`.
pub fn stock_basis(conn: &Connection, period: Period, now: jiff::Timestamp) -> Result<StockBasis> {
    if now < period.end() {
        return Ok(StockBasis::ToDate);
    }
    let as_of: Option<String> = conn
        .query_row(
            "SELECT as_of FROM period_snapshots WHERE period = ?1",
            params![period.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(t) = as_of {
        let t = t
            .parse()
            .map_err(|e| Error::invalid("period snapshot", format!("{period}: {e}")))?;
        return Ok(StockBasis::Snapshot(t));
    }
    Ok(
        if now < shopfloor_protocol::report::as_of_deadline(period) {
            StockBasis::Closing
        } else {
            StockBasis::NeedsCorrection
        },
    )
}

/// Readies the database for signing `ctx`'s report: refuses a closed period the node holds no
/// snapshot for unless a correction was asked for ([`Error::PeriodClosed`]), and takes the
/// period's snapshot if it has ended and has none yet ([`StockBasis::Closing`]). The paths that
/// sign and send a report call it in their transaction before [`build`]. Returns whether it took
/// a snapshot.
pub fn prepare_to_sign(conn: &Connection, ctx: &ReportContext) -> Result<bool> {
    let period = ctx.period;
    match stock_basis(conn, period, ctx.generated_at)? {
        StockBasis::Closing => close_period(conn, period, ctx.generated_at),
        StockBasis::NeedsCorrection if !ctx.correction => Err(Error::PeriodClosed {
            period: period.to_string(),
            ended: period.end().strftime("%Y-%m-%d").to_string(),
            deadline: shopfloor_protocol::report::as_of_deadline(period)
                .strftime("%Y-%m-%d")
                .to_string(),
        }),
        _ => Ok(false),
    }
}

/// A built report and what disclosure control withheld.
#[derive(Clone, Debug)]
pub struct Built {
    /// The report (valid).
    pub report: Report,
    /// Cells withheld.
    pub suppression: SuppressionSummary,
    /// The keys of the cells withheld because their own count was small (`0 < v < k`, primary
    /// suppression); every other withheld cell was withheld to protect one of these, whatever
    /// its size. For people reading the preview: never sent.
    pub primary: std::collections::BTreeSet<shopfloor_protocol::CellKey>,
    /// The exact value of every withheld cell: what [`encrypt_withheld`] encrypts to the joint
    /// key before signing. Never sent in the clear.
    pub withheld: BTreeMap<shopfloor_protocol::CellKey, u64>,
}

/// Summary of a built report, for people.
#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    /// Period.
    pub period: String,
    /// Recipient hub.
    pub recipient: String,
    /// Revision.
    pub revision: u32,
    /// k applied.
    pub k: u64,
    /// Cells published with a count.
    pub published: usize,
    /// Cells withheld by primary suppression.
    pub primary_suppressed: usize,
    /// Cells withheld by complementary suppression.
    pub complementary_suppressed: usize,
    /// When the stock counts were taken (RFC 3339).
    pub as_of: Option<String>,
    /// The counts were taken before the period ended.
    pub to_date: bool,
    /// A labelled correction built from the current state.
    pub correction: bool,
}

/// Gathers the context from config, card and the enrollment state.
pub fn context(
    conn: &Connection,
    config: &NodeConfig,
    card: &Card,
    period: Period,
) -> Result<ReportContext> {
    let e = enrollment::get(conn)?;
    let hub_k = e
        .policy_k
        .and_then(|k| u64::try_from(k).ok())
        .unwrap_or(DisclosurePolicy::default().k);
    let policy = DisclosurePolicy {
        k: hub_k.max(config.min_cell_size),
    };
    policy.validate()?;
    let (recipient, enrolled) = match &e.hub_id {
        Some(id) => (PartyId::new(id)?, true),
        None => (PartyId::new(UNENROLLED_RECIPIENT)?, false),
    };
    let previous = e
        .previous_report
        .as_deref()
        .map(Digest::from_hex)
        .transpose()?;
    let last: Option<i64> = conn
        .query_row(
            "SELECT max(revision) FROM reports WHERE period = ?1",
            params![period.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let revision = u32::try_from(last.unwrap_or(0) + 1)
        .map_err(|_| Error::invalid("revision", "out of range"))?;
    Ok(ReportContext {
        chapter: card.id.clone(),
        recipient,
        enrolled,
        period,
        revision,
        previous,
        policy,
        generated_at: jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| jiff::Timestamp::now()),
        correction: false,
    })
}

/// The stock part of a report and its date.
struct Stocks {
    cells: Vec<Cell>,
    campaigns: Vec<PublicCampaign>,
    facts: ChapterFacts,
    as_of: jiff::Timestamp,
    correction: bool,
}

fn stocks(conn: &Connection, ctx: &ReportContext) -> Result<Stocks> {
    let period = ctx.period;
    let now = ctx.generated_at;
    let basis = stock_basis(conn, period, now)?;
    let live = |correction: bool| -> Result<Stocks> {
        Ok(Stocks {
            cells: aggregate::raw_cells_where(conn, period, snapshot::is_stock)?,
            campaigns: public_campaigns(conn)?,
            facts: facts::get(conn)?,
            as_of: now,
            correction,
        })
    };
    match (basis, ctx.correction) {
        (StockBasis::ToDate, true) => Err(Error::invalid(
            "correction",
            format!("{period} has not ended yet; there is nothing to correct"),
        )),
        // A closed period with no snapshot can only be shown as a correction; signing one
        // needs the explicit request (`prepare_to_sign`).
        (_, true) | (StockBasis::NeedsCorrection, false) => live(true),
        (StockBasis::ToDate | StockBasis::Closing, false) => live(false),
        (StockBasis::Snapshot(_), false) => {
            let s = snapshot::get(conn, period)?
                .ok_or_else(|| Error::invalid("period snapshot", format!("{period}: gone")))?;
            Ok(Stocks {
                cells: s.cells,
                campaigns: s.campaigns,
                facts: s.facts,
                as_of: s.as_of,
                correction: false,
            })
        }
    }
}

/// Builds the report: stocks ([`StockBasis`]) and flows, suppression, audit, validation.
///
/// Reads only. For a period that has ended and is not yet snapshotted ([`StockBasis::Closing`])
/// it counts the stocks as they stand, which is what [`prepare_to_sign`] records; the paths that
/// sign a report call that first, so every later build shows the same stocks. A closed period
/// without a snapshot ([`StockBasis::NeedsCorrection`]) comes out labelled `correction`, as of
/// now, whatever `ctx.correction` says: a preview of what only an explicit correction may send.
pub fn build(conn: &Connection, ctx: &ReportContext) -> Result<Built> {
    let stocks = stocks(conn, ctx)?;
    let flows = aggregate::raw_cells_where(conn, ctx.period, |m| !snapshot::is_stock(m))?;
    // Registry order, stocks and flows interleaved as the registry lists them.
    let mut cells = Vec::with_capacity(stocks.cells.len() + flows.len());
    for m in shopfloor_protocol::registry::METRICS {
        for source in [&stocks.cells, &flows] {
            cells.extend(source.iter().filter(|c| c.key.metric == m.id).cloned());
        }
    }
    let campaigns = stocks.campaigns;
    let k = ctx.policy.k;
    let primary = cells
        .iter()
        .filter(|c| {
            !c.key.dims.is_empty() && matches!(c.value, CellValue::Count(v) if v > 0 && v < k)
        })
        .map(|c| c.key.clone())
        .collect();
    // One audit over the whole report: every table, every relation the registry states between
    // metrics, and what the public campaigns reveal.
    let before: Vec<Option<u64>> = cells.iter().map(|c| c.value.count()).collect();
    let suppression = disclosure::suppress_report(&mut cells, &ctx.policy, &campaigns);
    let withheld = cells
        .iter()
        .zip(before)
        .filter(|(c, _)| c.value == CellValue::Suppressed)
        .filter_map(|(c, v)| Some((c.key.clone(), v?)))
        .collect();
    disclosure::check_report(&cells, ctx.policy.k, &campaigns)?;
    let report = Report {
        schema: REPORT_SCHEMA.to_owned(),
        chapter: ctx.chapter.clone(),
        recipient: ctx.recipient.clone(),
        period: ctx.period,
        revision: ctx.revision,
        previous: ctx.previous,
        generated_at: ctx.generated_at,
        policy: ctx.policy,
        cells,
        facts: stocks.facts,
        campaigns,
        as_of: Some(stocks.as_of),
        correction: stocks.correction,
        encrypted: Vec::new(),
        joint_key: None,
    };
    report.validate()?;
    Ok(Built {
        report,
        suppression,
        primary,
        withheld,
    })
}

/// Encrypts every withheld cell's exact value to the pinned joint key, when one is pinned, with
/// its public bound (docs/protocol.md §17.3), and names the key in the report; without a pinned
/// key the report stays as built. Done when signing, not for previews (each cell's range proof
/// takes a little time).
pub fn encrypt_withheld(conn: &Connection, built: &mut Built) -> Result<()> {
    if let Some(pinned) = crate::federation::joint_key::pinned(conn)? {
        built
            .report
            .encrypt_withheld(&pinned.joint_key, &built.withheld)?;
        built.report.validate()?;
    }
    Ok(())
}

/// The exact bytes that would be signed.
pub fn payload(report: &Report) -> Vec<u8> {
    report.to_payload()
}

/// A human overview of a built report.
pub fn overview(built: &Built) -> Overview {
    let r = &built.report;
    Overview {
        period: r.period.to_string(),
        recipient: r.recipient.to_string(),
        revision: r.revision,
        k: r.policy.k,
        published: r
            .cells
            .iter()
            .filter(|c| matches!(c.value, CellValue::Count(_)))
            .count(),
        primary_suppressed: built.suppression.primary,
        complementary_suppressed: built.suppression.complementary,
        as_of: r.as_of.map(|t| t.to_string()),
        to_date: r.is_to_date(),
        correction: r.correction,
    }
}

/// Cells grouped by metric, in registry order, for printing.
pub fn by_metric(cells: &[Cell]) -> BTreeMap<usize, Vec<&Cell>> {
    let mut out: BTreeMap<usize, Vec<&Cell>> = BTreeMap::new();
    for c in cells {
        let idx = shopfloor_protocol::registry::METRICS
            .iter()
            .position(|m| m.id == c.key.metric)
            .unwrap_or(usize::MAX);
        out.entry(idx).or_default().push(c);
    }
    out
}
