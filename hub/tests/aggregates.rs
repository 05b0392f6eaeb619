//! The aggregate tables (crate::aggregates): filled at ingest, equal to the protocol's sum,
//! checked by `doctor`, rebuilt by `reindex`, and filled on the first open after an upgrade.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use std::path::Path;

use shopfloor_hub::aggregates;
use shopfloor_hub::{Hub, ingest};
use shopfloor_protocol::rollup::{self, Contribution};
use shopfloor_protocol::{CellKey, Report};
use util::*;

/// A national hub with three chapters' reports for last month, the second revised once; the
/// latest report of each, opened.
fn hub_with_reports(root: &Path) -> (HubDir, Vec<Report>) {
    let national = HubDir::init(root, "Aggregates National", "national");
    let hub = Hub::open(&national.dir).unwrap();
    let period = last_month();
    let mut latest = Vec::new();
    for (i, (id, state, members)) in [
        ("delta", "MS", 30),
        ("bayou", "LA", 55),
        ("piney", "TX", 12),
    ]
    .into_iter()
    .enumerate()
    {
        let ch = Chapter::new(id, &format!("{id} chapter"), state, "CANARY-AGG");
        ch.enroll_directly(&hub);
        let mut env = ch.report(&national.card.id, period, 1, None, members);
        ingest::ingest(&hub, &ch.seal_to(&env, &national.card)).unwrap();
        if i == 1 {
            env = ch.report(
                &national.card.id,
                period,
                2,
                Some(env.digest()),
                members + 17,
            );
            ingest::ingest(&hub, &ch.seal_to(&env, &national.card)).unwrap();
        }
        latest.push(env.open_document::<Report>(&ch.card.signing_key).unwrap());
    }
    (national, latest)
}

#[test]
fn hub_level_equals_rollup_sum_over_children() {
    let tmp = tempfile::tempdir().unwrap();
    let (national, reports) = hub_with_reports(tmp.path());
    let hub = Hub::open(&national.dir).unwrap();
    let period = last_month().to_string();
    let contributions: Vec<Contribution<'_>> = reports.iter().map(Contribution::Report).collect();
    let want = rollup::sum(&contributions);
    let (level, docs, bayou) = hub
        .store()
        .read(|db| {
            Ok((
                aggregates::cells(db, hub.card().id.as_str(), &period)?,
                aggregates::docs(db, &period, hub.card().id.as_str())?,
                aggregates::cells(db, "bayou", &period)?,
            ))
        })
        .unwrap();
    assert_eq!(
        level, want,
        "the stored level is rollup::sum over the children"
    );
    let members = level
        .iter()
        .find(|c| c.key == CellKey::total("members"))
        .unwrap();
    assert_eq!(
        members.sum,
        30 + 55 + 17 + 12,
        "the revision replaced revision 1"
    );
    assert_eq!(members.contributors, 3);
    assert_eq!(members.largest, 72);
    assert_eq!(
        docs.iter()
            .map(|d| (d.party.as_str(), d.revision))
            .collect::<Vec<_>>(),
        [("bayou", 2), ("delta", 1), ("piney", 1)]
    );
    assert_eq!(
        bayou,
        rollup::sum(&[Contribution::Report(&reports[1])]),
        "a chapter's cells in SummedCell shape"
    );
    // The pages' drill-down reads the same rows.
    let l = shopfloor_hub::web::ui::data::level(&hub, last_month(), &[], true)
        .unwrap()
        .unwrap();
    assert_eq!(l.cells, want);
    assert_eq!(l.children.len(), 3);
    let delta = shopfloor_hub::web::ui::data::level(&hub, last_month(), &["delta".into()], true)
        .unwrap()
        .unwrap();
    assert!(delta.is_chapter());
    assert_eq!(
        delta.cells,
        rollup::sum(&[Contribution::Report(&reports[0])])
    );
    assert!(
        hub.store()
            .read(|db| aggregates::check(db, hub.card()))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn doctor_names_a_corrupted_aggregate_and_reindex_repairs_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (national, _) = hub_with_reports(tmp.path());
    let period = last_month().to_string();
    let doctor = hub_cmd(&national.dir, &["doctor"]);
    let out = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert_eq!(doctor.status.code(), Some(0), "{out}");
    assert!(out.contains("✓ aggregates"), "{out}");
    // Corrupt one stored cell: bayou's members total.
    let db = rusqlite::Connection::open(national.dir.join("hub.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE agg_cells SET sum = sum + 7 WHERE party = 'bayou' AND metric = 'members' AND dims = ''",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let doctor = hub_cmd(&national.dir, &["doctor"]);
    let out = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert_eq!(doctor.status.code(), Some(1), "{out}");
    assert!(
        out.contains(&format!(
            "bayou {period} members: stored sum 79, suppressed 0, contributors 1, largest 72; derived sum 72"
        )),
        "{out}"
    );
    let json = hub_json(&national.dir, &["reindex", "--json"]);
    assert_eq!(json["periods"], 1);
    assert_eq!(json["documents"], 3);
    let doctor = hub_cmd(&national.dir, &["doctor"]);
    let out = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert_eq!(doctor.status.code(), Some(0), "{out}");
}

#[test]
fn upgrade_from_schema_4_fills_the_aggregates_from_stored_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let (national, reports) = hub_with_reports(tmp.path());
    let period = last_month().to_string();
    let before = {
        let hub = Hub::open(&national.dir).unwrap();
        hub.store()
            .read(|db| aggregates::cells(db, hub.card().id.as_str(), &period))
            .unwrap()
    };
    assert!(!before.is_empty());
    // What a hub at schema version 4 holds: migrations 1 to 4, no aggregate tables and no
    // table of bound documents (migration 6).
    let db = rusqlite::Connection::open(national.dir.join("hub.db")).unwrap();
    db.execute_batch(
        "DROP TABLE agg_cells; DROP TABLE agg_docs; DELETE FROM meta WHERE key = 'aggregates-pending'; \
         DROP TABLE bound_documents; DROP TABLE documents; PRAGMA user_version = 4;",
    )
    .unwrap();
    drop(db);
    let doctor = hub_cmd(&national.dir, &["doctor"]);
    assert_eq!(doctor.status.code(), Some(1), "schema 4 is not the latest");
    // Any command migrates and fills the tables; here the library's open.
    let hub = Hub::open(&national.dir).unwrap();
    let (version, after, docs) = hub
        .store()
        .read(|db| {
            Ok((
                db.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?,
                aggregates::cells(db, hub.card().id.as_str(), &period)?,
                aggregates::docs(db, &period, hub.card().id.as_str())?,
            ))
        })
        .unwrap();
    assert!(version >= 5);
    assert_eq!(after, before);
    assert_eq!(docs.len(), reports.len());
    drop(hub);
    let doctor = hub_cmd(&national.dir, &["doctor"]);
    let out = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert_eq!(doctor.status.code(), Some(0), "{out}");
}

/// The level is kept up to date at ingest without re-summing every child: a higher revision
/// with smaller values takes the old cells out (a largest that drops is re-derived) and a cell
/// the new revision no longer carries leaves the level. `doctor`'s check still finds the level
/// equal to the full re-derivation from the signed documents.
#[test]
fn a_smaller_revision_updates_the_level_like_a_full_resum() {
    let tmp = tempfile::tempdir().unwrap();
    let national = HubDir::init(tmp.path(), "Incremental National", "national");
    let hub = Hub::open(&national.dir).unwrap();
    let period = last_month();
    let text = period.to_string();
    let id = hub.card().id.as_str().to_owned();
    // Only "anchor" reports reserve skills; the others do not.
    let without_skills = |members| -> Vec<shopfloor_protocol::Cell> {
        standard_cells(members)
            .into_iter()
            .filter(|c| c.key.metric != "reserve-skills")
            .collect()
    };
    let anchor = Chapter::new("anchor", "Anchor chapter", "AL", "CANARY-INC");
    let others = [("bayou", "LA", 40), ("delta", "MS", 60)].map(|(cid, state, members)| {
        let ch = Chapter::new(cid, &format!("{cid} chapter"), state, "CANARY-INC");
        ch.enroll_directly(&hub);
        (ch, members)
    });
    anchor.enroll_directly(&hub);
    let first = anchor.report(&national.card.id, period, 1, None, 100);
    ingest::ingest(&hub, &anchor.seal_to(&first, &national.card)).unwrap();
    let mut latest = vec![];
    for (ch, members) in &others {
        let env = ch.report_with(&national.card.id, period, 1, None, without_skills(*members));
        ingest::ingest(&hub, &ch.seal_to(&env, &national.card)).unwrap();
        latest.push(env.open_document::<Report>(&ch.card.signing_key).unwrap());
    }
    let level = |hub: &Hub| {
        hub.store()
            .read(|db| aggregates::cells(db, &id, &text))
            .unwrap()
    };
    let find =
        |cells: &[rollup::SummedCell], key: &CellKey| cells.iter().find(|c| &c.key == key).cloned();
    let total = CellKey::total("members");
    let sector = CellKey::new(
        "members",
        &[(shopfloor_protocol::registry::Dim::Sector, "62")],
    );
    let skills = CellKey::total("reserve-skills");
    let before = level(&hub);
    assert_eq!(find(&before, &total).unwrap().largest, 100);
    assert_eq!(find(&before, &sector).unwrap().largest, 95);
    assert_eq!(find(&before, &skills).unwrap().sum, 5);

    // Revision 2: far fewer members, no reserve skills.
    let second = anchor.report_with(
        &national.card.id,
        period,
        2,
        Some(first.digest()),
        without_skills(30),
    );
    ingest::ingest(&hub, &anchor.seal_to(&second, &national.card)).unwrap();
    latest.push(
        second
            .open_document::<Report>(&anchor.card.signing_key)
            .unwrap(),
    );

    let after = level(&hub);
    let t = find(&after, &total).unwrap();
    assert_eq!(
        (t.sum, t.contributors, t.largest),
        (30 + 40 + 60, 3, 60),
        "the old 100 is out and the largest dropped to the next child's"
    );
    let s = find(&after, &sector).unwrap();
    assert_eq!((s.sum, s.largest), (25 + 35 + 55, 55));
    assert!(
        find(&after, &skills).is_none(),
        "a cell no child carries any more leaves the level"
    );
    let languages = find(&after, &CellKey::total("reserve-languages")).unwrap();
    assert_eq!(
        (languages.sum, languages.contributors, languages.largest),
        (15, 3, 5)
    );
    let contributions: Vec<Contribution<'_>> = latest.iter().map(Contribution::Report).collect();
    assert_eq!(after, rollup::sum(&contributions), "equals rollup::sum");
    let resummed = hub
        .store()
        .read(|db| aggregates::resum_level(db, &id, &text))
        .unwrap();
    assert_eq!(after, resummed, "equals the children's rows re-summed");
    let differences = hub
        .store()
        .read(|db| aggregates::check(db, hub.card()))
        .unwrap();
    assert!(differences.is_empty(), "{differences:?}");

    // A larger revision again: the largest rises without a re-derivation.
    let third = anchor.report_with(
        &national.card.id,
        period,
        3,
        Some(second.digest()),
        standard_cells(80),
    );
    ingest::ingest(&hub, &anchor.seal_to(&third, &national.card)).unwrap();
    let last = level(&hub);
    let t = find(&last, &total).unwrap();
    assert_eq!((t.sum, t.largest), (80 + 40 + 60, 80));
    assert_eq!(find(&last, &skills).unwrap().sum, 5, "the cell is back");
    assert_eq!(
        last,
        hub.store()
            .read(|db| aggregates::resum_level(db, &id, &text))
            .unwrap()
    );
    assert!(
        hub.store()
            .read(|db| aggregates::check(db, hub.card()))
            .unwrap()
            .is_empty()
    );
}
