//! The background schedule that `serve` runs beside the web interface.
//!
//! Every `every` (15 minutes by default) [`tick`] first closes last month if it has not been
//! closed: it records the stocks its report will show ([`crate::report::close_period`], as of
//! that run; the node need not be enrolled). Then it checks: if the node is enrolled, the day of the
//! month (UTC) has reached `report_day` (node.toml, default 3), and last month has neither an
//! accepted report nor any report in the outbox, it builds last month's report and enqueues it.
//! Once a day it also fetches guidance and the revocation list and checks the hub's log for
//! consistency. The outbox worker ([`super::outbox::run`]) runs beside it and delivers.

use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension as _};
use serde::Serialize;
use shopfloor_protocol::Period;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{Result, outbox, read, reports};
use crate::datadir::{DataDir, NodeConfig};
use crate::store::Store;

/// How often the schedule runs.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Between ticks.
    pub every: Duration,
    /// Between the daily jobs (guidance, revocations, log check).
    pub daily: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            every: Duration::from_secs(15 * 60),
            daily: Duration::from_secs(24 * 3600),
        }
    }
}

/// What a tick did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Tick {
    /// Last month, when this run closed it (took its snapshot).
    pub closed: Option<Period>,
    /// A report built and enqueued.
    pub enqueued: Option<reports::Queued>,
    /// Whether the daily jobs ran.
    pub daily_ran: bool,
    /// Outbox outcomes of the pass.
    pub delivered: Vec<outbox::Outcome>,
    /// Errors (each job runs even when another failed).
    pub errors: Vec<String>,
}

/// The period whose report is due at `now`, if one should be built: enrolled, `report_day`
/// reached, and last month has no accepted report and nothing in the outbox.
pub fn report_due(
    conn: &Connection,
    config: &NodeConfig,
    now: Timestamp,
) -> crate::Result<Option<Period>> {
    if super::hub_link(conn)?.is_none() {
        return Ok(None);
    }
    let day = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).day();
    if day < i8::try_from(config.report_day).unwrap_or(3) {
        return Ok(None);
    }
    let Some(period) = Period::containing(now)?.previous() else {
        return Ok(None);
    };
    if reports::accepted_for(conn, period)? {
        return Ok(None);
    }
    let queued = conn
        .query_row(
            "SELECT 1 FROM outbox WHERE period = ?1 LIMIT 1",
            [period.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    Ok(if queued { None } else { Some(period) })
}

/// One run of the schedule at `now`; `daily` runs the daily jobs too.
pub async fn tick(store: &Store, dir: &DataDir, now: Timestamp, daily: bool) -> Result<Tick> {
    let mut t = Tick::default();
    if let Some(last) = Period::containing(now)?.previous() {
        match super::write(store, move |tx| crate::report::close_period(tx, last, now)).await {
            Ok(true) => {
                tracing::info!(period = %last, "period closed: stocks recorded for its reports");
                t.closed = Some(last);
            }
            Ok(false) => {}
            Err(e) => t.errors.push(format!("closing {last}: {e}")),
        }
    }
    if read(store, super::hub_link).await?.is_none() {
        for e in &t.errors {
            tracing::warn!("federation: {e}");
        }
        return Ok(t);
    }
    if daily {
        t.daily_ran = true;
        if let Err(e) = super::guidance::fetch(store).await {
            t.errors.push(format!("guidance: {e}"));
        }
        if let Err(e) = super::enroll::fetch_revocations(store).await {
            t.errors.push(format!("revocations: {e}"));
        }
    }
    // Campaigns waiting for the hub's decision: look every tick (cheap, and only then).
    let waiting: bool = read(store, |c| {
        Ok(c.query_row(
            "SELECT EXISTS (SELECT 1 FROM campaigns WHERE approval = 'submitted')",
            [],
            |r| r.get(0),
        )?)
    })
    .await?;
    if waiting && let Err(e) = super::campaigns::fetch_decisions(store, dir).await {
        t.errors.push(format!("campaign decisions: {e}"));
    }
    let config = dir.config()?;
    let due = read(store, move |c| report_due(c, &config, now)).await?;
    if let Some(period) = due {
        let (s, d) = (store.clone(), dir.clone());
        match tokio::task::spawn_blocking(move || reports::enqueue(&s, &d, period)).await {
            Ok(Ok(q)) => {
                tracing::info!(%period, revision = q.revision, "report built and queued");
                t.enqueued = Some(q);
            }
            Ok(Err(e)) => t.errors.push(format!("report for {period}: {e}")),
            Err(e) => t.errors.push(format!("report for {period}: {e}")),
        }
    }
    match outbox::deliver_due(store).await {
        Ok(o) => t.delivered = o,
        Err(e) => t.errors.push(format!("outbox: {e}")),
    }
    let witnesses = dir.config()?.witness_policy()?;
    if daily && let Err(e) = super::receipts::check_consistency(store, &witnesses).await {
        t.errors.push(format!("log check: {e}"));
    }
    for e in &t.errors {
        tracing::warn!("federation: {e}");
    }
    Ok(t)
}

/// The schedule, until `shutdown` turns true.
pub async fn run(store: Store, dir: DataDir, shutdown: watch::Receiver<bool>) {
    run_with(store, dir, shutdown, Options::default()).await;
}

/// [`run`] with given intervals.
pub async fn run_with(
    store: Store,
    dir: DataDir,
    mut shutdown: watch::Receiver<bool>,
    opts: Options,
) {
    let mut last_daily: Option<tokio::time::Instant> = None;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let daily = last_daily.is_none_or(|t| t.elapsed() >= opts.daily);
        match tick(&store, &dir, Timestamp::now(), daily).await {
            Ok(t) if t.daily_ran => last_daily = Some(tokio::time::Instant::now()),
            Ok(_) => {}
            Err(e) => tracing::warn!("federation schedule: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(opts.every) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Starts the schedule and the outbox worker on the current tokio runtime; both stop when
/// `shutdown` turns true (send `true` on the channel, then await the handle). For `serve`.
pub fn spawn_background(
    store: Store,
    dir: DataDir,
    shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        tokio::join!(
            run(store.clone(), dir.clone(), shutdown.clone()),
            outbox::run(store, dir, shutdown),
        );
    })
}
