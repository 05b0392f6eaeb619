//! Every relation the registry states between metrics holds on the exact cells of real stores:
//! synthetic chapters of many sizes and seeds, loaded through the node's own importer and domain
//! code, then edited by hand the way organizers can (a union typed against a status that says
//! "not in a union", a county without its state or outside it, skills the registry does not
//! know).
//!
//! If a relation stated in the registry did not hold by construction, disclosure control would
//! be protecting against a reader's false belief while missing the true one; if the node counted
//! something the registry does not state, the attacker's test would find it.

use rusqlite::params;
use shopfloor_node::report::{public_campaigns, raw_cells};
use shopfloor_node::store::Store;
use shopfloor_protocol::relations::constraints;
use shopfloor_protocol::{Cell, CellKey, Period};
use shopfloor_testbed::synth::{ChapterProfile, generate, load};

fn value(cells: &[Cell], key: &CellKey) -> u64 {
    cells
        .iter()
        .find(|c| &c.key == key)
        .and_then(|c| c.value.count())
        .unwrap_or(0)
}

/// Hand edits a real organizer could make, chosen by `seed`.
fn hand_edits(store: &Store, seed: u64) -> shopfloor_node::Result<()> {
    store.write(|tx| {
        let step = 3 + (seed % 5) as i64;
        // A union typed for a member whose status says they are not in one, and the reverse.
        tx.execute(
            "UPDATE members SET union_role = 'none', union_code = 'seiu', union_role_manual = 1,
                 union_code_manual = 1 WHERE id % ?1 = 0",
            params![step],
        )?;
        tx.execute(
            "UPDATE members SET union_role = 'member', union_code = 'none', union_role_manual = 1,
                 union_code_manual = 1 WHERE id % ?1 = 1",
            params![step + 1],
        )?;
        // A state changed so it no longer holds the county.
        tx.execute(
            "UPDATE workplaces SET state = 'TX' WHERE county_fips LIKE '37%' AND id % ?1 = 1",
            params![step],
        )?;
        // A county kept, its state cleared.
        tx.execute(
            "UPDATE workplaces SET state = NULL WHERE county_fips IS NOT NULL AND id % ?1 = 0",
            params![step],
        )?;
        // Skills and languages the registry does not know, several per organizer.
        tx.execute(
            "INSERT OR IGNORE INTO reserve_skills (member_id, skill)
                 SELECT member_id, 'not-a-skill-' || (member_id % 2) FROM reserve",
            [],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO reserve_skills (member_id, skill)
                 SELECT member_id, 'also-not-a-skill' FROM reserve",
            [],
        )?;
        tx.execute(
            "UPDATE reserve SET languages = languages || ',xx-bad,en,en' WHERE member_id % 2 = 0",
            [],
        )?;
        Ok(())
    })
}

#[test]
fn every_stated_relation_holds_on_real_stores() {
    let period = Period::new(2026, 1).unwrap();
    let sizes = [20, 45, 120, 300, 800];
    let mut checked = 0usize;
    for (i, size) in sizes.iter().enumerate() {
        for edits in [false, true] {
            let seed = 1_000 + i as u64 * 7 + u64::from(edits);
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(dir.path().join("node.db")).unwrap();
            let chapter = generate(&ChapterProfile::new("Relations", "NC", *size, seed));
            load(&store, &chapter).unwrap();
            if edits {
                hand_edits(&store, seed).unwrap();
            }
            let (cells, campaigns) = store
                .read(|conn| Ok((raw_cells(conn, period)?, public_campaigns(conn)?)))
                .unwrap();
            let all = constraints(&cells, &campaigns);
            assert!(!all.is_empty());
            for c in &all {
                assert!(
                    c.holds(|k| value(&cells, k)),
                    "{size} members, seed {seed}, edits {edits}: {c} does not hold"
                );
                checked += 1;
            }
        }
    }
    // Far more than one relation per metric: per-sector, per-state and per-language ones.
    assert!(checked > 100, "only {checked} constraints checked");
}
