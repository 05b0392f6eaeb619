//! The members table read once for the report: `members` (every table of it) and
//! `lapsed-members` come from one scan of the present members, folded in Rust.
//!
//! The scan reads the covering index `members_report` (migration 0012) rather than the wide
//! `members` rows, grouped by SQLite as it walks the index with each group's member ids in one
//! text, and each member's primary workplace from one scan of the covering index
//! `member_workplaces_primary` held in a map; the workplaces' own fields (a few hundred rows) are
//! read once into a map instead of being joined per member. Groups are split by workplace in Rust
//! on interned values (no temporary B-tree, no string copied per member), and each is added to each of the
//! metric's tables through a per-table map, so a cell key is built once per distinct cell, not
//! once per group and table. The cells are exactly those of the former per-metric `GROUP BY`
//! queries (`node/tests/it/report_aggregation.rs` compares them with a per-member count).

use std::collections::HashMap;

use rusqlite::Connection;
use rusqlite::types::ValueRef;
use rustc_hash::FxHashMap;
use shopfloor_protocol::registry::{Dim, UNKNOWN};

use super::{Tally, effective_state, effective_union};
use crate::error::{Error, Result};

/// Distinct values up to which [`Interner::id`] compares instead of hashing.
const LINEAR: usize = 24;

/// The distinct values of one column (text, or an integer such as readiness, counted under
/// its decimal text); id 0 is NULL.
struct Interner {
    ids: HashMap<Box<[u8]>, u32>,
    /// Integers seen, with their ids: a handful (readiness is 1 to 4).
    ints: Vec<(i64, u32)>,
    values: Vec<Option<String>>,
}

impl Interner {
    fn new() -> Self {
        Interner {
            ids: HashMap::new(),
            ints: Vec::new(),
            values: vec![None],
        }
    }

    fn next_id(&self) -> Result<u32> {
        u32::try_from(self.values.len())
            .map_err(|_| Error::invalid("report", "too many distinct values"))
    }

    fn id(&mut self, v: ValueRef<'_>) -> Result<u32> {
        let bytes = match v {
            ValueRef::Null => return Ok(0),
            ValueRef::Text(b) => b,
            // Read as stored: SQLite need not make text of every member's value.
            ValueRef::Integer(i) => {
                if let Some((_, id)) = self.ints.iter().find(|(known, _)| *known == i) {
                    return Ok(*id);
                }
                let id = self.next_id()?;
                self.values.push(Some(i.to_string()));
                self.ints.push((i, id));
                return Ok(id);
            }
            // Not written by the node (readiness is 1 to 4): counted under its text, as the
            // former `CAST(… AS TEXT)` did.
            ValueRef::Real(f) => return self.id_text(f.to_string().as_bytes()),
            ValueRef::Blob(_) => {
                return Err(Error::invalid("report", "a member column is not text"));
            }
        };
        self.id_text(bytes)
    }

    fn id_text(&mut self, bytes: &[u8]) -> Result<u32> {
        // A column has a handful of distinct values (standings, union roles, readiness
        // levels): comparing with each is cheaper than hashing the value for every member.
        if self.values.len() <= LINEAR {
            let found = self
                .values
                .iter()
                .skip(1)
                .position(|v| v.as_deref().is_some_and(|known| known.as_bytes() == bytes));
            if let Some(i) = found {
                return u32::try_from(i + 1)
                    .map_err(|_| Error::invalid("report", "too many distinct values"));
            }
        } else if let Some(id) = self.ids.get(bytes) {
            return Ok(*id);
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::invalid("report", "a member column is not UTF-8"))?;
        let id = self.next_id()?;
        self.values.push(Some(text.to_owned()));
        self.ids.insert(bytes.into(), id);
        Ok(id)
    }

    fn get(&self, id: u32) -> Option<&str> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.values.get(i))
            .and_then(|v| v.as_deref())
    }
}

/// A workplace's fields a member is counted under: sector, state, county, stage.
type Place = [Option<String>; 4];

/// The present members, grouped.
pub(super) struct MembersPass {
    /// Columns: standing, union role, union code, readiness, preferred language.
    columns: [Interner; 5],
    /// Non-lapsed present members by (the five columns' ids, primary workplace id or 0). The
    /// keys are the node's own small integers, hashed once per member: Fx, not SipHash.
    groups: FxHashMap<([u32; 5], i64), u64>,
    places: HashMap<i64, Place>,
    /// Present members whose standing is lapsed.
    pub(super) lapsed: u64,
}

impl MembersPass {
    /// Reads the present members once.
    pub(super) fn read(conn: &Connection) -> Result<Self> {
        let mut places = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT id, sector, state, county_fips, CAST(stage AS TEXT) FROM workplaces",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            places.insert(
                r.get::<_, i64>(0)?,
                [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
            );
        }
        let mut pass = MembersPass {
            columns: [
                Interner::new(),
                Interner::new(),
                Interner::new(),
                Interner::new(),
                Interner::new(),
            ],
            groups: FxHashMap::default(),
            places,
            lapsed: 0,
        };
        // Each member's primary workplace, from one scan of the partial index (a member has at
        // most one, `member_workplaces_one_primary`): a map lookup per member below instead of
        // a B-tree probe per member in a join, which took most of the pass.
        let mut primary: FxHashMap<i64, i64> = FxHashMap::default();
        let mut stmt = conn.prepare_cached(
            "SELECT member_id, workplace_id FROM member_workplaces
             INDEXED BY member_workplaces_primary WHERE is_primary = 1",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            primary.insert(r.get(0)?, r.get(1)?);
        }
        // SQLite groups the present members by the five columns as it walks the index (its
        // order after `list_status` is theirs: no temporary B-tree) and hands over each group's
        // ids in one text: a thousand rows of seven columns instead of 20,000 of six, which
        // was a third of the pass (reading each column through the driver).
        let mut stmt = conn.prepare_cached(
            "SELECT standing, union_role, union_code, readiness, preferred_language,
                    count(*), group_concat(id)
             FROM members INDEXED BY members_report
             WHERE list_status = 'present'
             GROUP BY standing, union_role, union_code, readiness, preferred_language",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            if matches!(r.get_ref(0)?, ValueRef::Text(b"lapsed")) {
                pass.lapsed += u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0);
                continue;
            }
            let mut key = [0u32; 5];
            for (i, (slot, column)) in key.iter_mut().zip(pass.columns.iter_mut()).enumerate() {
                *slot = column.id(r.get_ref(i)?)?;
            }
            let ValueRef::Text(ids) = r.get_ref(6)? else {
                return Err(Error::invalid(
                    "report",
                    "a group's member ids are not text",
                ));
            };
            let ids = std::str::from_utf8(ids)
                .map_err(|_| Error::invalid("report", "a group's member ids are not text"))?;
            for id in ids.split(',') {
                let id: i64 = id
                    .parse()
                    .map_err(|_| Error::invalid("report", "a member id is not an integer"))?;
                let workplace = primary.get(&id).copied().unwrap_or(0);
                *pass.groups.entry((key, workplace)).or_insert(0) += 1;
            }
        }
        Ok(pass)
    }

    /// Adds every non-lapsed present member to the `members` metric's tally.
    pub(super) fn fold_members(&self, t: &mut Tally) {
        let none: Place = [None, None, None, None];
        let tables = t.tables();
        let mut per_table: Vec<HashMap<Vec<&str>, u64>> = vec![HashMap::new(); tables.len()];
        let mut total = 0u64;
        for ((key, workplace), n) in &self.groups {
            let [status, role, union, readiness, lang] =
                [0, 1, 2, 3, 4].map(|i| self.columns[i].get(key[i]));
            let place = self.places.get(workplace).unwrap_or(&none);
            let [sector, state, county, stage] = [0, 1, 2, 3].map(|i| place[i].as_deref());
            let state = effective_state(state, county);
            let union = effective_union(role, union);
            let dims = [
                (Dim::Status, status),
                (Dim::Sector, sector),
                (Dim::State, state),
                (Dim::County, county),
                (Dim::UnionStatus, role),
                (Dim::Union, union),
                (Dim::Stage, stage),
                (Dim::Readiness, readiness),
                (Dim::Language, lang),
            ];
            total += n;
            for (table, cells) in tables.iter().zip(per_table.iter_mut()) {
                let cell: Vec<&str> = table
                    .iter()
                    .map(|d| {
                        let raw = dims.iter().find(|(x, _)| x == d).and_then(|(_, v)| *v);
                        match raw {
                            Some(v) if d.accepts(v) => v,
                            _ => UNKNOWN,
                        }
                    })
                    .collect();
                *cells.entry(cell).or_insert(0) += n;
            }
        }
        t.add_total(total);
        for (table, cells) in tables.iter().zip(per_table) {
            for (values, n) in cells {
                t.add_at(table, &values, n);
            }
        }
    }
}
