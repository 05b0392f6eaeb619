//! Frozen periods: a closed month's report shows the stocks it had when the month ended, a
//! closed month the node recorded nothing for is sent only as a labelled correction, and the
//! schedule records each month at its close (docs/operate.md §The monthly cycle).

use shopfloor_node::datadir::DataDir;
use shopfloor_node::federation::scheduler;
use shopfloor_node::import::{ImportOptions, import_bytes};
use shopfloor_node::report::{self, StockBasis, snapshot};
use shopfloor_node::store::Store;
use shopfloor_protocol::{Cell, CellKey, CellValue, Period, Report};

use crate::report::{canary_csv, populate};
use crate::util::node;

pub fn last_month() -> Period {
    Period::containing(jiff::Timestamp::now())
        .unwrap()
        .previous()
        .unwrap()
}

/// Replaces the member list with `n` canary members (the first ones are the same people).
fn list_of(store: &Store, n: usize) {
    import_bytes(
        store,
        canary_csv(n).as_bytes(),
        &ImportOptions {
            confirm_missing: true,
            ..ImportOptions::default()
        },
        "test",
    )
    .unwrap();
}

/// Builds the period's report the way the signing paths do: in a write transaction, after
/// `prepare_to_sign` (which takes the snapshot on the first build after the period ended).
fn build_to_sign(
    dir: &DataDir,
    store: &Store,
    period: Period,
    correction: bool,
) -> shopfloor_node::Result<Report> {
    let (config, card) = (dir.config().unwrap(), dir.card().unwrap());
    store.write(|tx| {
        let mut ctx = report::context(tx, &config, &card, period)?;
        ctx.correction = correction;
        report::prepare_to_sign(tx, &ctx)?;
        Ok(report::build(tx, &ctx)?.report)
    })
}

fn stock_cells(r: &Report) -> Vec<Cell> {
    r.cells
        .iter()
        .filter(|c| snapshot::is_stock(&c.key.metric))
        .cloned()
        .collect()
}

fn members_total(r: &Report) -> Option<u64> {
    r.cell(&CellKey::total("members"))
        .and_then(CellValue::count)
}

fn live_members(store: &Store, period: Period) -> u64 {
    store
        .read(|c| report::raw_cells(c, period))
        .unwrap()
        .iter()
        .find(|c| c.key == CellKey::total("members"))
        .and_then(|c| c.value.count())
        .unwrap()
}

#[test]
fn report_rebuilt_after_new_members_joined_shows_the_period_end_stocks() {
    let (_t, dir, store) = node();
    populate(&store, 40);
    let period = last_month();
    let first = build_to_sign(&dir, &store, period, false).unwrap();
    assert!(!first.correction);
    let as_of = first.as_of.expect("a report says as of when");
    assert!(as_of >= period.end(), "taken at the close: {as_of}");
    assert_eq!(
        store
            .read(|c| report::stock_basis(c, period, jiff::Timestamp::now()))
            .unwrap(),
        StockBasis::Snapshot(as_of),
        "the first build after the period ended recorded it"
    );

    // Twenty members join in the next month.
    let before = live_members(&store, period);
    list_of(&store, 60);
    let after = live_members(&store, period);
    assert!(after > before, "{before} -> {after}: the list changed");

    // The re-built report keeps the period-end stocks, and says the same as_of.
    let again = build_to_sign(&dir, &store, period, false).unwrap();
    assert_eq!(again.as_of, Some(as_of));
    assert!(!again.correction);
    assert_eq!(stock_cells(&again), stock_cells(&first));
    assert_eq!(members_total(&again), Some(before));
    assert_eq!(
        (&again.facts, &again.campaigns),
        (&first.facts, &first.campaigns)
    );
    reparses(&again);

    // Asked for explicitly, a correction shows today's counts, labelled.
    let correction = build_to_sign(&dir, &store, period, true).unwrap();
    assert!(correction.correction);
    assert!(correction.as_of.unwrap() >= as_of);
    assert_eq!(members_total(&correction), Some(after));
    reparses(&correction);
    // The snapshot is untouched by the correction.
    let s = store.read(|c| snapshot::get(c, period)).unwrap().unwrap();
    assert_eq!(s.as_of, as_of);
}

#[test]
fn closed_period_without_snapshot_is_refused_unless_built_as_a_correction() {
    let (_t, dir, store) = node();
    populate(&store, 40);
    // Two months back: it ended, and the month after it has ended too, with nothing recorded.
    let period = last_month().previous().unwrap();
    let err = build_to_sign(&dir, &store, period, false).unwrap_err();
    assert!(
        matches!(err, shopfloor_node::Error::PeriodClosed { .. }),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("--correction") && text.contains(&period.to_string()),
        "{text}"
    );
    assert!(store.read(|c| snapshot::get(c, period)).unwrap().is_none());

    let before = jiff::Timestamp::now();
    let r = build_to_sign(&dir, &store, period, true).unwrap();
    assert!(r.correction, "labelled");
    let as_of = r.as_of.unwrap();
    assert!(
        as_of >= before.round(jiff::Unit::Second).unwrap() - jiff::SignedDuration::from_secs(1)
    );
    assert_eq!(members_total(&r), Some(live_members(&store, period)));
    reparses(&r);
    // A correction records no snapshot: the month stays one that only a correction can show.
    assert!(store.read(|c| snapshot::get(c, period)).unwrap().is_none());

    // The preview (read only) shows what only a correction may send, labelled.
    let (config, card) = (dir.config().unwrap(), dir.card().unwrap());
    let preview = store
        .read(|c| {
            let ctx = report::context(c, &config, &card, period)?;
            report::build(c, &ctx)
        })
        .unwrap();
    assert!(preview.report.correction);

    // A month not yet ended has nothing to correct, and is counted to date.
    let current = Period::containing(jiff::Timestamp::now()).unwrap();
    assert!(build_to_sign(&dir, &store, current, true).is_err());
    let to_date = build_to_sign(&dir, &store, current, false).unwrap();
    assert!(to_date.is_to_date() && !to_date.correction);
    assert!(store.read(|c| snapshot::get(c, current)).unwrap().is_none());
}

#[tokio::test]
async fn scheduler_takes_the_snapshot_at_the_first_run_after_the_period_ends() {
    let (_t, dir, store) = node();
    populate(&store, 40);
    let period = last_month();
    let before = live_members(&store, period);
    // The node is not enrolled: the month is recorded all the same.
    let at = period.end() + jiff::SignedDuration::from_mins(10);
    let t = scheduler::tick(&store, &dir, at, false).await.unwrap();
    assert_eq!(t.closed, Some(period), "{t:?}");
    assert!(t.errors.is_empty(), "{t:?}");
    let s = store.read(|c| snapshot::get(c, period)).unwrap().unwrap();
    assert_eq!(s.as_of, at);
    // Once.
    let later = at + jiff::SignedDuration::from_mins(15);
    let t = scheduler::tick(&store, &dir, later, false).await.unwrap();
    assert_eq!(t.closed, None, "{t:?}");
    assert_eq!(
        store.read(|c| snapshot::get(c, period)).unwrap().unwrap(),
        s
    );

    // Members join afterwards; the month's report shows it as the schedule recorded it.
    list_of(&store, 70);
    assert!(live_members(&store, period) > before);
    let r = build_to_sign(&dir, &store, period, false).unwrap();
    assert_eq!(r.as_of, Some(at));
    assert_eq!(members_total(&r), Some(before));

    // close_period is the same step, for the demo: it reports whether it took a snapshot.
    let older = period.previous().unwrap();
    let end = older.end();
    assert!(
        store
            .write(|tx| report::close_period(tx, older, end))
            .unwrap()
    );
    assert!(
        !store
            .write(|tx| report::close_period(tx, older, end))
            .unwrap()
    );
    // Outside the window a plain report may show, it refuses.
    let too_late = shopfloor_protocol::report::as_of_deadline(period);
    assert!(
        store
            .write(|tx| report::close_period(tx, period.next().unwrap(), period.start()))
            .is_err()
    );
    assert!(
        store
            .write(|tx| report::close_period(tx, period, too_late))
            .is_err()
    );
}

#[test]
fn doctor_flags_recorded_month_counts_that_do_not_read() {
    let (_t, dir, store) = node();
    populate(&store, 40);
    let period = last_month();
    store
        .write(|tx| report::close_period(tx, period, period.end()))
        .unwrap();
    let found = |checks: &[shopfloor_node::doctor::Check]| {
        checks
            .iter()
            .find(|c| c.name == "period snapshots")
            .cloned()
            .unwrap()
    };
    let ok = found(&shopfloor_node::doctor::run(&dir));
    assert!(ok.ok, "{ok:?}");
    assert!(ok.detail.contains(&period.to_string()), "{ok:?}");
    store
        .write(|tx| {
            tx.execute(
                "UPDATE period_snapshots SET cells_json = '[{\"metric\":'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let bad = found(&shopfloor_node::doctor::run(&dir));
    assert!(!bad.ok, "{bad:?}");
    assert!(bad.detail.contains(&period.to_string()), "{bad:?}");
    // A report for that month cannot be built on unreadable counts either.
    assert!(build_to_sign(&dir, &store, period, false).is_err());
}

/// The bytes parse back (as a hub parses them) to the same report.
fn reparses(r: &Report) {
    use shopfloor_protocol::envelope::Document as _;
    assert_eq!(&Report::from_payload(&r.to_payload()).unwrap(), r);
}
