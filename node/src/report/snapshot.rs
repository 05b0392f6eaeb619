//! What a closed period's report stands on: the stock counts as they were when the period
//! closed (docs/operate.md §The monthly cycle, docs/protocol.md §Reports).
//!
//! Stocks (members, workplaces, stages, pods, campaigns, the reserve, chapter facts and public
//! campaigns) describe the chapter at one moment; counted at build time, a re-sent old month
//! would show today's state. So when a period ends the node records them once in
//! `period_snapshots` ([`close_period`]: the schedule's first run after the end, or the first
//! report built for the period), and every later build for the period uses that record.
//! Flows ([`FLOW_METRICS`]) are dated rows (recruited on, mentored from/to, completed on) and
//! are counted again at each build, so entries made late for the month still reach its report.

use rusqlite::{Connection, OptionalExtension as _, params};
use shopfloor_protocol::report::{ChapterFacts, PublicCampaign, as_of_deadline};
use shopfloor_protocol::{Cell, Period};

use super::aggregate::{public_campaigns, raw_cells_where};
use crate::domain::facts;
use crate::error::{Error, Result};

/// Metrics counted from dated rows, recomputed at every build; every other metric is a stock.
pub const FLOW_METRICS: &[&str] = &[
    "trainings-completed",
    "mentorships-active",
    "coworkers-recruited",
];

/// Whether a metric is a stock (snapshotted at the period's close).
pub fn is_stock(metric: &str) -> bool {
    !FLOW_METRICS.contains(&metric)
}

/// The stock part of a period's report as it stood when the period closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The period.
    pub period: Period,
    /// When the stocks were counted.
    pub as_of: jiff::Timestamp,
    /// The stock metrics' exact cells, before disclosure control, in registry order.
    pub cells: Vec<Cell>,
    /// The campaigns the chapter had made public.
    pub campaigns: Vec<PublicCampaign>,
    /// The chapter facts.
    pub facts: ChapterFacts,
}

/// The period's snapshot, if one was taken.
pub fn get(conn: &Connection, period: Period) -> Result<Option<Snapshot>> {
    let row: Option<(String, String, String, String)> = conn
        .query_row(
            "SELECT as_of, cells_json, campaigns_json, facts_json FROM period_snapshots
             WHERE period = ?1",
            params![period.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((as_of, cells, campaigns, facts)) = row else {
        return Ok(None);
    };
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        Error::invalid(
            "period snapshot",
            format!("the stored {what} of {period} do not read: {e}"),
        )
    };
    let cells: Vec<Cell> = serde_json::from_str(&cells).map_err(|e| bad("cells", &e))?;
    Ok(Some(Snapshot {
        period,
        as_of: as_of.parse().map_err(|e| bad("date", &e))?,
        // A metric a later registry dropped is left out rather than failing every rebuild.
        cells: cells
            .into_iter()
            .filter(|c| c.key.validate().is_ok() && is_stock(&c.key.metric))
            .collect(),
        campaigns: serde_json::from_str(&campaigns).map_err(|e| bad("campaigns", &e))?,
        facts: serde_json::from_str(&facts).map_err(|e| bad("facts", &e))?,
    }))
}

/// Closes `period`: records its stocks as the database stands now, dated `as_of`, unless a
/// snapshot exists (snapshots are never replaced). Returns whether it took one.
///
/// The schedule calls it at its first run after a period ends, and the first report build for
/// a closed period calls it when the schedule has not; the demo generator calls it after
/// applying a simulated month with that month's end as `as_of`. `as_of` must lie between the
/// period's start and [`as_of_deadline`] (the end of the following month), the window a
/// report that is not a correction may show; normally it is at or after the period's end.
pub fn close_period(conn: &Connection, period: Period, as_of: jiff::Timestamp) -> Result<bool> {
    let as_of = as_of.round(jiff::Unit::Second).unwrap_or(as_of);
    if as_of < period.start() || as_of >= as_of_deadline(period) {
        return Err(Error::invalid(
            "period snapshot",
            format!(
                "{period} can only be closed with a date from {} to before {}, not {as_of}",
                period.start(),
                as_of_deadline(period)
            ),
        ));
    }
    let exists = conn
        .query_row(
            "SELECT 1 FROM period_snapshots WHERE period = ?1",
            params![period.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if exists {
        return Ok(false);
    }
    let cells = raw_cells_where(conn, period, is_stock)?;
    let campaigns = public_campaigns(conn)?;
    let facts = facts::get(conn)?;
    let json = |v: serde_json::Result<String>| {
        v.map_err(|e| Error::invalid("period snapshot", e.to_string()))
    };
    let taken = conn.execute(
        "INSERT INTO period_snapshots (period, as_of, cells_json, campaigns_json, facts_json, taken_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (period) DO NOTHING",
        params![
            period.to_string(),
            as_of.to_string(),
            json(serde_json::to_string(&cells))?,
            json(serde_json::to_string(&campaigns))?,
            json(serde_json::to_string(&facts))?,
            jiff::Timestamp::now().as_second(),
        ],
    )?;
    if taken == 1 {
        tracing::info!(%period, %as_of, "period closed: stocks recorded");
    }
    Ok(taken == 1)
}
