//! The report's one pass over the members table (`report::members_pass`) against a
//! straightforward count: every present member read on their own, every cell of `members` and
//! `lapsed-members` counted member by member. The cells (and so the report's bytes, which are
//! made from them) must be the same.

use std::collections::BTreeMap;

use shopfloor_node::domain::workplaces;
use shopfloor_node::report;
use shopfloor_protocol::registry::{self, Dim, UNKNOWN};
use shopfloor_protocol::{CellKey, CellValue, Period};

use crate::util::node;

/// Per member: list status, standing, union role, union code, readiness, language, and the
/// primary workplace's sector, state, county and stage.
type Row = [Option<String>; 10];

fn per_member(store: &shopfloor_node::store::Store) -> Vec<Row> {
    store
        .read(|c| {
            let mut st = c.prepare(
                "SELECT m.list_status, m.standing, m.union_role, m.union_code,
                        CAST(m.readiness AS TEXT), m.preferred_language,
                        w.sector, w.state, w.county_fips, CAST(w.stage AS TEXT)
                 FROM members m
                 LEFT JOIN member_workplaces l ON l.member_id = m.id AND l.is_primary = 1
                 LEFT JOIN workplaces w ON w.id = l.workplace_id",
            )?;
            let rows = st
                .query_map([], |r| {
                    Ok(std::array::from_fn(|i| {
                        r.get::<_, Option<String>>(i).unwrap()
                    }))
                })?
                .collect::<Result<Vec<Row>, _>>()?;
            Ok(rows)
        })
        .unwrap()
}

/// The cells counted member by member: (members cells, lapsed count).
fn reference(rows: &[Row]) -> (BTreeMap<CellKey, u64>, u64) {
    let metric = registry::metric("members").unwrap();
    let mut cells = BTreeMap::new();
    let mut total = 0;
    let mut lapsed = 0;
    for [
        list,
        standing,
        role,
        code,
        readiness,
        lang,
        sector,
        state,
        county,
        stage,
    ] in rows
    {
        if list.as_deref() != Some("present") {
            continue;
        }
        if standing.as_deref() == Some("lapsed") {
            lapsed += 1;
            continue;
        }
        total += 1;
        let county_ok = county.as_deref().filter(|c| Dim::County.accepts(c));
        let state = match county_ok.and_then(shopfloor_protocol::relations::county_state) {
            Some(s) => Some(s),
            None => state
                .as_deref()
                .filter(|s| Dim::State.accepts(s) && *s != UNKNOWN),
        };
        let union = match role.as_deref() {
            Some("none" | "organizing") => Some("none"),
            _ => code.as_deref().filter(|u| *u != "none"),
        };
        let value = |d: Dim| -> Option<&str> {
            match d {
                Dim::Status => standing.as_deref(),
                Dim::Sector => sector.as_deref(),
                Dim::State => state,
                Dim::County => county.as_deref(),
                Dim::UnionStatus => role.as_deref(),
                Dim::Union => union,
                Dim::Stage => stage.as_deref(),
                Dim::Readiness => readiness.as_deref(),
                Dim::Language => lang.as_deref(),
                other => panic!("members has no dimension {other:?}"),
            }
        };
        for table in metric.tables {
            let dims: Vec<(Dim, &str)> = table
                .iter()
                .map(|d| match value(*d) {
                    Some(v) if d.accepts(v) => (*d, v),
                    _ => (*d, UNKNOWN),
                })
                .collect();
            *cells.entry(CellKey::new("members", &dims)).or_insert(0) += 1;
        }
    }
    cells.insert(CellKey::total("members"), total);
    (cells, lapsed)
}

#[test]
fn one_pass_over_members_counts_every_cell_as_a_per_member_count() {
    let (_tmp, _dir, store) = node();
    crate::report::populate(&store, 3_000);
    // Beyond the synthetic chapter: a workplace whose county is known but state is not, one
    // with neither, a member marked missing and one whose union role was set by hand.
    store
        .write(|tx| {
            let ids: Vec<i64> = tx
                .prepare("SELECT id FROM members ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for (w, county) in [(0usize, Some("06037")), (1, None)] {
                let id = workplaces::create(
                    tx,
                    &workplaces::WorkplaceFields {
                        employer: format!("Extra {w}"),
                        county_fips: county.map(Into::into),
                        state: None,
                        sector: Some("23".into()),
                        representation: "none".into(),
                        ..Default::default()
                    },
                    "test",
                )?;
                // Members whose primary link (if any) is moved to the new workplace.
                for m in ids.iter().skip(4 + w).step_by(97) {
                    tx.execute(
                        "UPDATE member_workplaces SET workplace_id = ?2
                         WHERE member_id = ?1 AND is_primary = 1",
                        rusqlite::params![m, id],
                    )?;
                }
            }
            tx.execute(
                "UPDATE members SET list_status = 'missing' WHERE id = ?1",
                [ids[1]],
            )?;
            tx.execute(
                "UPDATE members SET union_role = 'steward', union_role_manual = 1,
                        union_code = 'none' WHERE id = ?1",
                [ids[2]],
            )?;
            Ok(())
        })
        .unwrap();

    let (expected, lapsed) = reference(&per_member(&store));
    assert!(expected.len() > 20, "the chapter spans many cells");
    assert!(lapsed > 0);
    let period: Period = "2026-01".parse().unwrap();
    let cells = store.read(|c| report::raw_cells(c, period)).unwrap();
    let got: BTreeMap<CellKey, u64> = cells
        .iter()
        .filter(|c| c.key.metric == "members")
        .map(|c| match c.value {
            CellValue::Count(v) => (c.key.clone(), v),
            ref other => panic!("{} is {other:?}", c.key),
        })
        .collect();
    assert_eq!(got, expected);
    let got_lapsed: Vec<&CellValue> = cells
        .iter()
        .filter(|c| c.key.metric == "lapsed-members")
        .map(|c| &c.value)
        .collect();
    assert_eq!(got_lapsed, vec![&CellValue::Count(lapsed)]);
}
