//! The aggregates pages read: every verified document's cells, stored once at ingest so that no
//! page view opens or verifies an envelope.
//!
//! Two tables (migration 5 in [`crate::store`]):
//!
//! - `agg_docs`: per period, the latest accepted document of every party in this hub's tree:
//!   its direct children (`parent` = this hub) and, at national, every chapter inside a regional
//!   rollup (`parent` = the region).
//! - `agg_cells`: per party and period, the cells in [`SummedCell`] shape. A chapter's
//!   `Count(v)` is sum `v`, one contributor if `v > 0`, largest `v`; `Suppressed` is suppressed 1.
//!   A rollup's cells are its own summed cells. The hub's own level (party = this hub's id) is
//!   the sum over its direct children, kept up to date in the ingest transaction (the
//!   replaced child's cells out, the new ones in: [`record`]), so it equals [`rollup::sum`]
//!   over the children's documents.
//!
//! The tables are derived data: [`check`] (used by `shopfloor-hub doctor`) re-derives them from
//! the stored signed documents and lists every difference, and [`reindex`]
//! (`shopfloor-hub reindex`, and the first open after migration 5) rebuilds them.
//!
//! Cell keys are stored as their JSON form (which round-trips); `dims` is the comma-joined
//! dimension names ('' for a metric's total), part of the primary key so that a level's totals
//! are one index range.
//!
//! One file (over 800 lines with its tests): recording, reading, re-deriving and checking the
//! two tables share their row shapes and SQL, and splitting them would spread one schema over
//! several modules.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use shopfloor_protocol::cert::{Certificate, RevocationSet};
use shopfloor_protocol::report::ChapterFacts;
use shopfloor_protocol::rollup::{self, Content, Contribution, Rollup, SummedCell, TreeNode};
use shopfloor_protocol::{Card, CellKey, Document as _, Envelope, Kind, PartyId, Report};

use crate::error::{Error, Result};

/// The `meta` key migration 5 sets: the tables still have to be filled from the stored documents.
pub const PENDING: &str = "aggregates-pending";

/// A verified document as the tables hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocEntry {
    /// The signer: a chapter or a regional hub.
    pub party: String,
    /// Where it sits: this hub for a direct child, the region for a chapter inside a rollup.
    pub parent: String,
    /// Report or rollup.
    pub kind: DocKind,
    /// Display name.
    pub name: String,
    /// USPS state, if any.
    pub state: Option<String>,
    /// Revision.
    pub revision: u32,
    /// The envelope's digest (hex).
    pub digest: String,
    /// When the document was generated (seconds).
    pub generated_at: i64,
    /// How many chapters it covers.
    pub chapters: u32,
    /// When a report's stock counts were taken (seconds), if it says.
    pub as_of: Option<i64>,
    /// Whether a report was rebuilt after its period closed, with later counts (labelled).
    pub correction: bool,
    /// A report's chapter facts (labor committee, CLC delegate, bylaws); `None` for a rollup.
    pub facts: Option<ChapterFacts>,
    /// Its cells, in key order.
    pub cells: Vec<SummedCell>,
}

/// What kind of document a party sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// A chapter's report.
    Report,
    /// A regional hub's rollup.
    Rollup,
}

impl DocKind {
    /// `report` or `rollup`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Report => "report",
            DocKind::Rollup => "rollup",
        }
    }

    fn parse(s: &str) -> DocKind {
        if s == "rollup" {
            DocKind::Rollup
        } else {
            DocKind::Report
        }
    }

    /// The kind of party that signs it.
    pub fn party_kind(self) -> Kind {
        match self {
            DocKind::Report => Kind::Chapter,
            DocKind::Rollup => Kind::Regional,
        }
    }
}

impl DocEntry {
    /// A verified chapter report.
    pub fn from_report(
        report: &Report,
        parent: &str,
        name: &str,
        state: Option<&str>,
        digest: &str,
    ) -> DocEntry {
        DocEntry {
            party: report.chapter.as_str().to_owned(),
            parent: parent.to_owned(),
            kind: DocKind::Report,
            name: name.to_owned(),
            state: state.map(str::to_owned),
            revision: report.revision,
            digest: digest.to_owned(),
            generated_at: report.generated_at.as_second(),
            chapters: 1,
            as_of: report.as_of.map(|t| t.as_second()),
            correction: report.correction,
            facts: Some(report.facts),
            cells: rollup::sum(&[Contribution::Report(report)]),
        }
    }

    /// A verified regional rollup and, after it, every document of the verified tree below it
    /// ([`shopfloor_protocol::rollup::verify_rollup`]'s nodes, whose parents name where each
    /// sits).
    pub fn from_rollup(
        rollup: &Rollup,
        nodes: &[TreeNode],
        parent: &str,
        name: &str,
        state: Option<&str>,
        digest: &str,
    ) -> Result<Vec<DocEntry>> {
        let mut out = vec![DocEntry::rollup_only(rollup, parent, name, state, digest)];
        out.extend(descendants(nodes));
        Ok(out)
    }

    fn rollup_only(
        rollup: &Rollup,
        parent: &str,
        name: &str,
        state: Option<&str>,
        digest: &str,
    ) -> DocEntry {
        DocEntry {
            party: rollup.hub.as_str().to_owned(),
            parent: parent.to_owned(),
            kind: DocKind::Rollup,
            name: name.to_owned(),
            state: state.map(str::to_owned),
            revision: rollup.revision,
            digest: digest.to_owned(),
            generated_at: rollup.generated_at.as_second(),
            chapters: u32::try_from(rollup.completeness.reported.len()).unwrap_or(u32::MAX),
            as_of: None,
            correction: false,
            facts: None,
            cells: rollup.cells.clone(),
        }
    }
}

/// The documents of a verified tree below a rollup, as entries under their own parents. The
/// one place that knows how a rollup carries its children (v2: bound by digest, verified from
/// the documents that travel beside it; a legacy v1 rollup's embedded children alike).
pub fn descendants(nodes: &[TreeNode]) -> Vec<DocEntry> {
    nodes
        .iter()
        .map(|n| {
            let digest = n.digest.to_hex();
            let (name, state) = (n.card.name.as_str(), n.card.state.as_deref());
            match &n.content {
                Content::Report(r) => {
                    DocEntry::from_report(r, n.parent.as_str(), name, state, &digest)
                }
                Content::Rollup(r) => {
                    DocEntry::rollup_only(r, n.parent.as_str(), name, state, &digest)
                }
            }
        })
        .collect()
}

/// Chapter facts as stored: three letters, `y` or `n`, in the order committee, delegate, bylaws.
fn facts_text(f: ChapterFacts) -> String {
    [f.labor_committee, f.clc_delegate, f.bylaws]
        .iter()
        .map(|b| if *b { 'y' } else { 'n' })
        .collect()
}

fn parse_facts(text: Option<&str>) -> Option<ChapterFacts> {
    let b: Vec<bool> = text?.chars().map(|c| c == 'y').collect();
    match b.as_slice() {
        [labor_committee, clc_delegate, bylaws] => Some(ChapterFacts {
            labor_committee: *labor_committee,
            clc_delegate: *clc_delegate,
            bylaws: *bylaws,
        }),
        _ => None,
    }
}

fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::Internal(format!("count {v} is too large to store")))
}

fn key_text(key: &CellKey) -> Result<String> {
    serde_json::to_string(key).map_err(|e| Error::Internal(format!("cell key: {e}")))
}

fn dims_text(key: &CellKey) -> String {
    key.dims
        .keys()
        .map(|d| d.key())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_key(text: &str) -> Result<CellKey> {
    serde_json::from_str(text).map_err(|e| Error::Internal(format!("stored cell key {text}: {e}")))
}

fn insert_cells(tx: &Connection, party: &str, period: &str, cells: &[SummedCell]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO agg_cells (party, period, dims, key, metric, sum, suppressed, contributors, largest) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for c in cells {
        stmt.execute(params![
            party,
            period,
            dims_text(&c.key),
            key_text(&c.key)?,
            c.key.metric,
            to_i64(c.sum)?,
            c.suppressed,
            c.contributors,
            to_i64(c.largest)?,
        ])?;
    }
    Ok(())
}

fn remove(tx: &Connection, period: &str, party: &str) -> Result<()> {
    // Its descendants first (a rollup's chapters), then itself.
    let below: Vec<String> = {
        let mut stmt =
            tx.prepare_cached("SELECT party FROM agg_docs WHERE period = ?1 AND parent = ?2")?;
        stmt.query_map(params![period, party], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?
    };
    for p in below {
        if p != party {
            remove(tx, period, &p)?;
        }
    }
    tx.prepare_cached("DELETE FROM agg_cells WHERE party = ?1 AND period = ?2")?
        .execute(params![party, period])?;
    tx.prepare_cached("DELETE FROM agg_docs WHERE period = ?1 AND party = ?2")?
        .execute(params![period, party])?;
    Ok(())
}

fn insert_doc(tx: &Connection, period: &str, e: &DocEntry) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO agg_docs (period, party, parent, kind, name, state, revision, digest, generated_at, chapters, as_of, correction, facts) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        period,
        e.party,
        e.parent,
        e.kind.as_str(),
        e.name,
        e.state,
        e.revision,
        e.digest,
        e.generated_at,
        e.chapters,
        e.as_of,
        e.correction,
        e.facts.map(facts_text),
    ])?;
    insert_cells(tx, &e.party, period, &e.cells)
}

/// Records verified documents of `period` (a direct child's document first, then what it
/// embeds), replacing what the tables held for those parties and everything below them, then
/// brings this hub's own level for the period up to date. Runs inside the ingest transaction.
///
/// The level is maintained incrementally ([`Delta`]): the replaced direct children's old cells
/// are subtracted and the new ones added (sum, suppressed, contributors); `largest` is a maximum,
/// so a key whose removed value was the level's maximum (and is not matched by the new value),
/// or that the new document no longer carries, is re-derived from the children's rows alone.
/// The result equals the full re-sum ([`check`] compares it with [`rollup::sum`]).
pub fn record(
    tx: &Transaction<'_>,
    hub: &PartyId,
    period: &str,
    entries: &[DocEntry],
) -> Result<()> {
    let hub = hub.as_str();
    let mut delta = Delta::default();
    for e in entries {
        if e.party == hub {
            return Err(Error::Internal(format!(
                "a document of this hub ({hub}) cannot be recorded as its child's"
            )));
        }
        // A party that was a direct child leaves the level (it may come back below).
        if doc(tx, period, &e.party)?.is_some_and(|d| d.parent == hub) {
            delta.remove_party(tx, &e.party, period)?;
        }
    }
    for e in entries {
        remove(tx, period, &e.party)?;
    }
    for e in entries {
        insert_doc(tx, period, e)?;
        if e.parent == hub {
            delta.add(&e.cells)?;
        }
    }
    delta.apply(tx, hub, period)
}

/// One cell's contribution to a level, by stored key text.
#[derive(Clone, Debug, Default)]
struct Part {
    dims: String,
    metric: String,
    sum: i64,
    suppressed: i64,
    contributors: i64,
    largest: i64,
}

impl Part {
    fn merge(&mut self, sum: i64, suppressed: i64, contributors: i64, largest: i64) {
        self.sum = self.sum.saturating_add(sum);
        self.suppressed = self.suppressed.saturating_add(suppressed);
        self.contributors = self.contributors.saturating_add(contributors);
        self.largest = self.largest.max(largest);
    }
}

/// What one ingest changes in this hub's level: the cells of the direct children it removes and
/// of those it adds, summed by key.
#[derive(Debug, Default)]
struct Delta {
    removed: BTreeMap<String, Part>,
    added: BTreeMap<String, Part>,
}

impl Delta {
    /// Takes a direct child's stored cells as removed (before its rows are deleted).
    fn remove_party(&mut self, tx: &Connection, party: &str, period: &str) -> Result<()> {
        let mut stmt = tx.prepare_cached(
            "SELECT dims, key, metric, sum, suppressed, contributors, largest FROM agg_cells \
             WHERE party = ?1 AND period = ?2",
        )?;
        let rows = stmt.query_map(params![party, period], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        for row in rows {
            let (dims, key, metric, sum, suppressed, contributors, largest) = row?;
            self.removed
                .entry(key)
                .or_insert_with(|| Part {
                    dims,
                    metric,
                    ..Part::default()
                })
                .merge(sum, suppressed, contributors, largest);
        }
        Ok(())
    }

    /// Takes a new direct child's cells as added.
    fn add(&mut self, cells: &[SummedCell]) -> Result<()> {
        for c in cells {
            self.added
                .entry(key_text(&c.key)?)
                .or_insert_with(|| Part {
                    dims: dims_text(&c.key),
                    metric: c.key.metric.clone(),
                    ..Part::default()
                })
                .merge(
                    to_i64(c.sum)?,
                    i64::from(c.suppressed),
                    i64::from(c.contributors),
                    to_i64(c.largest)?,
                );
        }
        Ok(())
    }

    /// Applies the change to the stored level (the children's rows already replaced).
    fn apply(self, tx: &Connection, hub: &str, period: &str) -> Result<()> {
        let mut rederive: Vec<(String, String)> = Vec::new();
        for (key, old) in &self.removed {
            let level: Option<i64> = tx
                .prepare_cached(
                    "SELECT largest FROM agg_cells \
                     WHERE party = ?1 AND period = ?2 AND dims = ?3 AND key = ?4",
                )?
                .query_row(params![hub, period, old.dims, key], |r| r.get(0))
                .optional()?;
            let new = self.added.get(key);
            let keeps_max = match (level, new) {
                // The removed value was below the maximum, or the new one reaches it again.
                (Some(max), Some(new)) => old.largest < max || new.largest >= old.largest,
                // Gone from the new document: some other child may still hold the key.
                (Some(_), None) | (None, _) => false,
            };
            if !keeps_max {
                rederive.push((old.dims.clone(), key.clone()));
                continue;
            }
            tx.prepare_cached(
                "UPDATE agg_cells SET sum = sum - ?5, suppressed = suppressed - ?6, \
                 contributors = contributors - ?7 \
                 WHERE party = ?1 AND period = ?2 AND dims = ?3 AND key = ?4",
            )?
            .execute(params![
                hub,
                period,
                old.dims,
                key,
                old.sum,
                old.suppressed,
                old.contributors
            ])?;
        }
        let skip: BTreeSet<&str> = rederive.iter().map(|(_, k)| k.as_str()).collect();
        for (key, new) in &self.added {
            if skip.contains(key.as_str()) {
                continue;
            }
            tx.prepare_cached(
                "INSERT INTO agg_cells (party, period, dims, key, metric, sum, suppressed, contributors, largest) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT (party, period, dims, key) DO UPDATE SET \
                 sum = sum + excluded.sum, suppressed = suppressed + excluded.suppressed, \
                 contributors = contributors + excluded.contributors, \
                 largest = MAX(largest, excluded.largest)",
            )?
            .execute(params![
                hub,
                period,
                new.dims,
                key,
                new.metric,
                new.sum,
                new.suppressed,
                new.contributors,
                new.largest
            ])?;
        }
        for (dims, key) in rederive {
            rederive_cell(tx, hub, period, &dims, &key)?;
        }
        Ok(())
    }
}

/// Re-sums one cell of this hub's level from its direct children's rows (none: no cell).
fn rederive_cell(tx: &Connection, hub: &str, period: &str, dims: &str, key: &str) -> Result<()> {
    tx.prepare_cached(
        "DELETE FROM agg_cells WHERE party = ?1 AND period = ?2 AND dims = ?3 AND key = ?4",
    )?
    .execute(params![hub, period, dims, key])?;
    tx.prepare_cached(
        "INSERT INTO agg_cells (party, period, dims, key, metric, sum, suppressed, contributors, largest) \
         SELECT ?1, c.period, c.dims, c.key, MIN(c.metric), SUM(c.sum), SUM(c.suppressed), \
                SUM(c.contributors), MAX(c.largest) \
         FROM agg_docs d JOIN agg_cells c \
              ON c.party = d.party AND c.period = d.period AND c.dims = ?3 AND c.key = ?4 \
         WHERE d.period = ?2 AND d.parent = ?1 \
         GROUP BY c.dims, c.key",
    )?
    .execute(params![hub, period, dims, key])?;
    Ok(())
}

/// This hub's level for `period` re-summed from all its direct children's rows, the way
/// [`rollup::sum`] sums them (what [`record`] maintains incrementally; tests compare the two).
pub fn resum_level(db: &Connection, hub: &str, period: &str) -> Result<Vec<SummedCell>> {
    let mut stmt = db.prepare(
        "SELECT ?1, c.key, SUM(c.sum), SUM(c.suppressed), SUM(c.contributors), MAX(c.largest) \
         FROM agg_docs d JOIN agg_cells c ON c.party = d.party AND c.period = d.period \
         WHERE d.period = ?2 AND d.parent = ?1 \
         GROUP BY c.dims, c.key",
    )?;
    let rows = stmt.query_map(params![hub, period], cell_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(cell_of(row?)?.1);
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// A stored document row (no cells).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocRow {
    /// Party id.
    pub party: String,
    /// Its parent in the tree.
    pub parent: String,
    /// Report or rollup.
    pub kind: DocKind,
    /// Display name.
    pub name: String,
    /// USPS state.
    pub state: Option<String>,
    /// Revision.
    pub revision: u32,
    /// Envelope digest.
    pub digest: String,
    /// When generated (seconds).
    pub generated_at: i64,
    /// Chapters covered.
    pub chapters: u32,
    /// A report's chapter facts.
    pub facts: Option<ChapterFacts>,
}

const DOC_COLUMNS: &str =
    "party, parent, kind, name, state, revision, digest, generated_at, chapters, facts";

fn doc_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocRow> {
    Ok(DocRow {
        party: r.get(0)?,
        parent: r.get(1)?,
        kind: DocKind::parse(&r.get::<_, String>(2)?),
        name: r.get(3)?,
        state: r.get(4)?,
        revision: r.get(5)?,
        digest: r.get(6)?,
        generated_at: r.get(7)?,
        chapters: r.get(8)?,
        facts: parse_facts(r.get::<_, Option<String>>(9)?.as_deref()),
    })
}

/// The documents directly under `parent` for a period, by party id.
pub fn docs(db: &Connection, period: &str, parent: &str) -> Result<Vec<DocRow>> {
    let mut stmt = db.prepare_cached(&format!(
        "SELECT {DOC_COLUMNS} FROM agg_docs WHERE period = ?1 AND parent = ?2 ORDER BY party"
    ))?;
    let rows = stmt.query_map(params![period, parent], doc_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Every document of every period up to and including `period` (`YYYY-MM` sorts as text), with
/// its period: for pages that follow chapters over time (the labor formations page).
pub fn docs_through(db: &Connection, period: &str) -> Result<Vec<(String, DocRow)>> {
    let mut stmt = db.prepare_cached(&format!(
        "SELECT {DOC_COLUMNS}, period FROM agg_docs WHERE period <= ?1 ORDER BY period, party"
    ))?;
    let rows = stmt.query_map(params![period], |r| Ok((r.get(10)?, doc_row(r)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Whether any document sits directly under `parent` for a period.
pub fn has_docs(db: &Connection, period: &str, parent: &str) -> Result<bool> {
    let mut stmt = db.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM agg_docs WHERE period = ?1 AND parent = ?2)",
    )?;
    Ok(stmt.query_row(params![period, parent], |r| r.get(0))?)
}

/// One party's document for a period.
pub fn doc(db: &Connection, period: &str, party: &str) -> Result<Option<DocRow>> {
    let mut stmt = db.prepare_cached(&format!(
        "SELECT {DOC_COLUMNS} FROM agg_docs WHERE period = ?1 AND party = ?2"
    ))?;
    Ok(stmt.query_row(params![period, party], doc_row).optional()?)
}

type CellRow = (String, String, i64, i64, i64, i64);

fn cell_of(row: CellRow) -> Result<(String, SummedCell)> {
    let (party, key, sum, suppressed, contributors, largest) = row;
    Ok((
        party,
        SummedCell {
            key: parse_key(&key)?,
            sum: u64::try_from(sum).unwrap_or(0),
            suppressed: u32::try_from(suppressed).unwrap_or(u32::MAX),
            contributors: u32::try_from(contributors).unwrap_or(u32::MAX),
            largest: u64::try_from(largest).unwrap_or(0),
            tally: None,
        },
    ))
}

fn cell_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CellRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

/// A party's cells for a period (this hub's id: its own level), in key order.
pub fn cells(db: &Connection, party: &str, period: &str) -> Result<Vec<SummedCell>> {
    // For a total (no dimensions) the second column is its metric, else the key's JSON.
    let mut stmt = db.prepare_cached(
        "SELECT party, CASE WHEN dims = '' THEN metric ELSE key END, sum, suppressed, \
                contributors, largest, dims FROM agg_cells \
         WHERE party = ?1 AND period = ?2",
    )?;
    let rows = stmt.query_map(params![party, period], |r| {
        Ok((r.get::<_, String>(6)?, cell_row(r)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (dims, (party, key, sum, suppressed, contributors, largest)) = row?;
        if dims.is_empty() {
            // A total's key is its metric alone: no JSON to parse.
            out.push(SummedCell {
                key: CellKey::total(&key),
                sum: u64::try_from(sum).unwrap_or(0),
                suppressed: u32::try_from(suppressed).unwrap_or(u32::MAX),
                contributors: u32::try_from(contributors).unwrap_or(u32::MAX),
                largest: u64::try_from(largest).unwrap_or(0),
                tally: None,
            });
        } else {
            out.push(cell_of((party, key, sum, suppressed, contributors, largest))?.1);
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// One cell of a party.
pub fn cell(
    db: &Connection,
    party: &str,
    period: &str,
    key: &CellKey,
) -> Result<Option<SummedCell>> {
    let mut stmt = db.prepare_cached(
        "SELECT party, key, sum, suppressed, contributors, largest FROM agg_cells \
         WHERE party = ?1 AND period = ?2 AND dims = ?3 AND key = ?4",
    )?;
    let row = stmt
        .query_row(
            params![party, period, dims_text(key), key_text(key)?],
            cell_row,
        )
        .optional()?;
    row.map(|r| cell_of(r).map(|(_, c)| c)).transpose()
}

/// The metric totals (cells without dimensions) of every document directly under `parent`.
pub fn child_totals(
    db: &Connection,
    period: &str,
    parent: &str,
) -> Result<BTreeMap<String, Vec<SummedCell>>> {
    // A total's key is its metric alone: built from the `metric` column, not parsed from JSON.
    let mut stmt = db.prepare_cached(
        "SELECT c.party, c.metric, c.sum, c.suppressed, c.contributors, c.largest \
         FROM agg_docs d JOIN agg_cells c ON c.party = d.party AND c.period = d.period AND c.dims = '' \
         WHERE d.period = ?1 AND d.parent = ?2",
    )?;
    let rows = stmt.query_map(params![period, parent], cell_row)?;
    let mut out: BTreeMap<String, Vec<SummedCell>> = BTreeMap::new();
    for row in rows {
        let (party, metric, sum, suppressed, contributors, largest) = row?;
        out.entry(party).or_default().push(SummedCell {
            key: CellKey::total(&metric),
            sum: u64::try_from(sum).unwrap_or(0),
            suppressed: u32::try_from(suppressed).unwrap_or(u32::MAX),
            contributors: u32::try_from(contributors).unwrap_or(u32::MAX),
            largest: u64::try_from(largest).unwrap_or(0),
            tally: None,
        });
    }
    for cells in out.values_mut() {
        cells.sort_by(|a, b| a.key.cmp(&b.key));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Deriving from the signed documents: doctor and reindex.

/// What the tables should hold for one period, derived from the stored signed documents.
#[derive(Debug, Default)]
pub struct Derived {
    /// Every document in the tree, direct children and what their rollups embed.
    pub docs: Vec<DocEntry>,
    /// This hub's level: [`rollup::sum`] over its direct children's documents.
    pub level: Vec<SummedCell>,
}

/// Periods with any stored document.
pub fn periods(db: &Connection) -> Result<Vec<String>> {
    let mut stmt = db.prepare("SELECT DISTINCT period FROM reports ORDER BY period")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Re-derives a period's aggregates from the latest stored document of each child, each opened
/// with the card of the certificate it was accepted under (its signature checked).
pub fn derive(db: &Connection, hub: &Card, period: &str) -> Result<Derived> {
    type Row = (
        String,
        Vec<u8>,
        Option<String>,
        String,
        Option<String>,
        String,
    );
    let rows: Vec<Row> = {
        let mut stmt = db.prepare(
            "SELECT r.child, r.envelope, r.certificate, c.name, c.state, c.card FROM reports r \
             JOIN children c ON c.id = r.child \
             WHERE r.period = ?1 AND r.revision = (SELECT MAX(revision) FROM reports WHERE child = r.child AND period = r.period) \
             ORDER BY r.child",
        )?;
        let rows = stmt.query_map([period], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        rows.collect::<std::result::Result<_, _>>()?
    };
    let mut out = Derived::default();
    let mut reports = Vec::new();
    let mut rollups = Vec::new();
    for (child, envelope, certificate, name, state, card) in rows {
        let card = match certificate {
            Some(json) => {
                Envelope::from_json(json.as_bytes())?
                    .open_document::<Certificate>(&hub.signing_key)?
                    .subject
            }
            None => Card::from_json(card.as_bytes())?,
        };
        let envelope = crate::store::stored_envelope(&envelope)?;
        if envelope.payload_type() != Report::PAYLOAD_TYPE {
            let digest = envelope.digest().to_hex();
            let pool = crate::rollups::bound_in(db, &digest)?;
            let tree = rollup::verify_rollup(&envelope, &card, &RevocationSet::new(), &pool)
                .map_err(Error::rejected)?;
            out.docs.extend(DocEntry::from_rollup(
                &tree.top,
                &tree.nodes,
                hub.id.as_str(),
                &name,
                state.as_deref(),
                &digest,
            )?);
            let r = tree.top;
            rollups.push(r);
        } else {
            let r: Report = envelope.open_document(&card.signing_key)?;
            if r.chapter.as_str() != child {
                return Err(Error::Internal(format!(
                    "stored report of {child} names chapter {}",
                    r.chapter
                )));
            }
            out.docs.push(DocEntry::from_report(
                &r,
                hub.id.as_str(),
                &name,
                state.as_deref(),
                &envelope.digest().to_hex(),
            ));
            reports.push(r);
        }
    }
    let contributions: Vec<Contribution<'_>> = reports
        .iter()
        .map(Contribution::Report)
        .chain(rollups.iter().map(Contribution::Rollup))
        .collect();
    out.level = rollup::sum(&contributions);
    Ok(out)
}

/// How many documents and periods a reindex wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Reindexed {
    /// Periods.
    pub periods: usize,
    /// Documents (children and what their rollups embed).
    pub documents: usize,
}

/// Rebuilds both tables from the stored signed documents, inside `tx`.
pub fn reindex(tx: &Transaction<'_>, hub: &Card) -> Result<Reindexed> {
    tx.execute("DELETE FROM agg_cells", [])?;
    tx.execute("DELETE FROM agg_docs", [])?;
    let mut done = Reindexed::default();
    for period in periods(tx)? {
        let d = derive(tx, hub, &period)?;
        for e in &d.docs {
            insert_doc(tx, &period, e)?;
        }
        insert_cells(tx, hub.id.as_str(), &period, &d.level)?;
        done.periods += 1;
        done.documents += d.docs.len();
    }
    crate::store::delete_meta(tx, PENDING)?;
    Ok(done)
}

/// A difference between the stored aggregates and those derived from the signed documents.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    /// The party (this hub's id for its own level).
    pub party: String,
    /// The period.
    pub period: String,
    /// The cell, or `None` for the document row itself.
    pub key: Option<String>,
    /// What the tables hold (`absent` if nothing).
    pub stored: String,
    /// What the signed documents give (`absent` if nothing).
    pub derived: String,
}

fn describe_cell(c: Option<&SummedCell>) -> String {
    c.map_or_else(
        || "absent".to_owned(),
        |c| {
            format!(
                "sum {}, suppressed {}, contributors {}, largest {}",
                c.sum, c.suppressed, c.contributors, c.largest
            )
        },
    )
}

fn describe_doc(d: Option<&DocRow>) -> String {
    d.map_or_else(
        || "absent".to_owned(),
        |d| {
            format!(
                "{} revision {} digest {} under {} ({} chapter(s)){}",
                d.kind.as_str(),
                d.revision,
                d.digest,
                d.parent,
                d.chapters,
                d.facts
                    .map(|f| format!(", facts {}", facts_text(f)))
                    .unwrap_or_default()
            )
        },
    )
}

fn compare_cells(
    out: &mut Vec<Difference>,
    party: &str,
    period: &str,
    stored: &[SummedCell],
    derived: &[SummedCell],
) {
    let s: BTreeMap<&CellKey, &SummedCell> = stored.iter().map(|c| (&c.key, c)).collect();
    let d: BTreeMap<&CellKey, &SummedCell> = derived.iter().map(|c| (&c.key, c)).collect();
    let keys: BTreeSet<&CellKey> = s.keys().chain(d.keys()).copied().collect();
    for k in keys {
        let (a, b) = (s.get(k).copied(), d.get(k).copied());
        if a != b {
            out.push(Difference {
                party: party.to_owned(),
                period: period.to_owned(),
                key: Some(k.to_string()),
                stored: describe_cell(a),
                derived: describe_cell(b),
            });
        }
    }
}

/// Every difference between the tables and what the signed documents give, in period order.
pub fn check(db: &Connection, hub: &Card) -> Result<Vec<Difference>> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for period in periods(db)? {
        seen.insert(period.clone());
        let d = derive(db, hub, &period)?;
        let mut parties: BTreeSet<String> = BTreeSet::new();
        for e in &d.docs {
            parties.insert(e.party.clone());
            let want = DocRow {
                party: e.party.clone(),
                parent: e.parent.clone(),
                kind: e.kind,
                name: e.name.clone(),
                state: e.state.clone(),
                revision: e.revision,
                digest: e.digest.clone(),
                generated_at: e.generated_at,
                chapters: e.chapters,
                facts: e.facts,
            };
            let have = doc(db, &period, &e.party)?;
            if have.as_ref() != Some(&want) {
                out.push(Difference {
                    party: e.party.clone(),
                    period: period.clone(),
                    key: None,
                    stored: describe_doc(have.as_ref()),
                    derived: describe_doc(Some(&want)),
                });
            }
            compare_cells(
                &mut out,
                &e.party,
                &period,
                &cells(db, &e.party, &period)?,
                &e.cells,
            );
        }
        compare_cells(
            &mut out,
            hub.id.as_str(),
            &period,
            &cells(db, hub.id.as_str(), &period)?,
            &d.level,
        );
        // Rows for parties no signed document accounts for.
        let mut stmt = db.prepare(
            "SELECT DISTINCT party FROM agg_cells WHERE period = ?1 AND party != ?2 \
             UNION SELECT party FROM agg_docs WHERE period = ?1",
        )?;
        let extra: Vec<String> = stmt
            .query_map(params![period, hub.id.as_str()], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        for party in extra.into_iter().filter(|p| !parties.contains(p)) {
            out.push(Difference {
                party: party.clone(),
                period: period.clone(),
                key: None,
                stored: describe_doc(doc(db, &period, &party)?.as_ref()),
                derived: "absent".into(),
            });
        }
    }
    let mut stmt = db.prepare(
        "SELECT DISTINCT period, party FROM agg_cells UNION SELECT period, party FROM agg_docs",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<_, _>>()?;
    for (period, party) in rows.into_iter().filter(|(p, _)| !seen.contains(p)) {
        out.push(Difference {
            party,
            period,
            key: None,
            stored: "rows for a period with no stored document".into(),
            derived: "absent".into(),
        });
    }
    Ok(out)
}

/// The reports of a period anywhere in this hub's tree that were rebuilt after the period
/// closed (labelled corrections): their chapters' names and when their counts were taken
/// (seconds), by name. A time series shows these periods as such, never silently.
pub fn corrections(db: &Connection, period: &str) -> Result<Vec<(String, Option<i64>)>> {
    let mut stmt = db.prepare_cached(
        "SELECT name, as_of FROM agg_docs WHERE period = ?1 AND correction = 1 ORDER BY name",
    )?;
    let rows = stmt.query_map([period], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(metric: &str, sum: u64, contributors: u32, largest: u64) -> SummedCell {
        SummedCell {
            key: CellKey::total(metric),
            sum,
            suppressed: 0,
            contributors,
            largest,
            tally: None,
        }
    }

    fn entry(party: &str, parent: &str, kind: DocKind, cells: Vec<SummedCell>) -> DocEntry {
        DocEntry {
            party: party.into(),
            parent: parent.into(),
            kind,
            name: party.into(),
            state: None,
            revision: 1,
            digest: format!("digest-{party}"),
            generated_at: 0,
            chapters: 1,
            as_of: None,
            correction: false,
            facts: None,
            cells,
        }
    }

    #[test]
    fn a_new_rollup_revision_drops_chapters_it_no_longer_embeds() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("hub.db")).unwrap();
        let hub = PartyId::new("national").unwrap();
        let first = [
            entry(
                "south",
                "national",
                DocKind::Rollup,
                vec![cell("members", 30, 2, 20)],
            ),
            entry(
                "a",
                "south",
                DocKind::Report,
                vec![cell("members", 20, 1, 20)],
            ),
            entry(
                "b",
                "south",
                DocKind::Report,
                vec![cell("members", 10, 1, 10)],
            ),
            entry(
                "c",
                "national",
                DocKind::Report,
                vec![cell("members", 5, 1, 5)],
            ),
        ];
        store
            .write(|tx, _| record(tx, &hub, "2026-10", &first))
            .unwrap();
        let second = [
            entry(
                "south",
                "national",
                DocKind::Rollup,
                vec![cell("members", 20, 1, 20)],
            ),
            entry(
                "a",
                "south",
                DocKind::Report,
                vec![cell("members", 20, 1, 20)],
            ),
        ];
        store
            .write(|tx, _| record(tx, &hub, "2026-10", &second))
            .unwrap();
        store
            .read(|db| {
                let under: Vec<String> = docs(db, "2026-10", "south")?
                    .into_iter()
                    .map(|d| d.party)
                    .collect();
                assert_eq!(under, ["a"]);
                assert!(cells(db, "b", "2026-10")?.is_empty(), "b's cells are gone");
                assert_eq!(
                    cells(db, "national", "2026-10")?,
                    [cell("members", 25, 2, 20)],
                    "the level sums the direct children only: south's rollup and c"
                );
                Ok(())
            })
            .unwrap();
    }
}
