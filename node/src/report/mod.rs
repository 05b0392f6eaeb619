//! The period's report: SQL aggregates → cells → disclosure control → payload v1.
//!
//! Stocks (members, workplaces, pods, campaigns, reserve) are counted as the database stands
//! when the report is built; flows are dated: coworkers recruited in the period, mentorships
//! active at any time in the period, trainings completed up to the end of the period.
//! A member's sector, state, county and stage are those of their primary workplace.

mod aggregate;

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use shopfloor_protocol::disclosure::{self, SuppressionSummary};
use shopfloor_protocol::envelope::Document as _;
use shopfloor_protocol::report::REPORT_SCHEMA;
use shopfloor_protocol::{
    Card, Cell, CellValue, Digest, DisclosurePolicy, PartyId, Period, Report,
};

pub use aggregate::{public_campaigns, raw_cells};

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
}

/// A built report and what disclosure control withheld.
#[derive(Clone, Debug)]
pub struct Built {
    /// The report (valid).
    pub report: Report,
    /// Cells withheld.
    pub suppression: SuppressionSummary,
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
    })
}

/// Builds the report: aggregates, suppression, audit, validation.
pub fn build(conn: &Connection, ctx: &ReportContext) -> Result<Built> {
    let mut cells = raw_cells(conn, ctx.period)?;
    let campaigns = public_campaigns(conn)?;
    // One audit over the whole report: every table, every relation the registry states between
    // metrics, and what the public campaigns reveal.
    let suppression = disclosure::suppress_report(&mut cells, &ctx.policy, &campaigns);
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
        facts: facts::get(conn)?,
        campaigns,
    };
    report.validate()?;
    Ok(Built {
        report,
        suppression,
    })
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
