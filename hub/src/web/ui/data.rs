//! What the pages show, read from the store: each child's latest document for a period and the
//! summed cells at any level of the tree for admins, all read from the aggregate tables filled at
//! ingest ([`crate::aggregates`]: no page view opens or verifies an envelope), the period's
//! newest publication for viewers ([`published_level`]: viewers never see live sums), the
//! viewers' rule, completeness, verification and guidance.
//!
//! This hub's level is the sum over its children the ingest computed the way rollups sum them
//! ([`shopfloor_protocol::rollup::sum`]), so a page shows what a rollup built now would hold.
//! Drilling down: a regional child's cells are its rollup's cells, its children are the chapters
//! that rollup embeds; a chapter's cells are its report's.

use shopfloor_protocol::log::Checkpoint;
use shopfloor_protocol::rollup::SummedCell;
use shopfloor_protocol::{CellKey, Kind, Period};

use crate::aggregates::{self, DocKind, DocRow};
use crate::enroll;
use crate::error::{Error, Result};
use crate::guidance::Guidance;
use crate::hub::Hub;
use crate::rollups;

/// A party at some level of the tree and its latest document for the period.
#[derive(Debug, Clone)]
pub struct Node {
    /// Party id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Chapter or regional hub.
    pub kind: Kind,
    /// USPS state, if it sits in one.
    pub state: Option<String>,
    /// What it sent: a report or a rollup (`None` for a viewer's published view).
    pub doc: Option<DocKind>,
    /// How many chapters its document covers.
    pub chapters: usize,
}

impl Node {
    fn of(row: &DocRow) -> Node {
        Node {
            id: row.party.clone(),
            name: row.name.clone(),
            kind: row.kind.party_kind(),
            state: row.state.clone(),
            doc: Some(row.kind),
            chapters: usize::try_from(row.chapters).unwrap_or(usize::MAX),
        }
    }

    /// Whether the node is a regional hub (its drill-down shows aggregates of several chapters).
    pub fn is_region(&self) -> bool {
        self.doc == Some(DocKind::Rollup) || self.kind == Kind::Regional
    }

    /// How many chapters its document covers.
    pub fn chapters(&self) -> usize {
        self.chapters
    }
}

/// This hub's children that reported for `period`, from the aggregate tables.
pub fn top(hub: &Hub, period: Period) -> Result<Vec<Node>> {
    let rows = hub
        .store()
        .read(|db| aggregates::docs(db, &period.to_string(), hub.card().id.as_str()))?;
    Ok(rows.iter().map(Node::of).collect())
}

/// A child of a level as the drill-down lists it.
#[derive(Debug, Clone)]
pub struct Child {
    /// Party id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Chapter or regional hub.
    pub kind: Kind,
    /// Whether it is a regional hub (the only children viewers see listed).
    pub region: bool,
    /// How many chapters it covers.
    pub chapters: usize,
    /// Its cells: for viewers, as published; for admins, its metric totals only (the drill-down
    /// shows those; [`child_cell`] reads any other).
    pub cells: Vec<SummedCell>,
    /// Whether the page can drill into it.
    pub linkable: bool,
}

/// One level of the tree, as a page shows it.
#[derive(Debug)]
pub struct Level {
    /// Its cells.
    pub cells: Vec<SummedCell>,
    /// Its children as listed.
    pub children: Vec<Child>,
    /// The node drilled into, if not this hub itself.
    pub node: Option<Node>,
    /// The ids and names from the top down to here.
    pub trail: Vec<(String, String)>,
    /// The publication shown (viewers): its sequence number and time.
    pub publication: Option<(u32, jiff::Timestamp)>,
}

impl Level {
    /// Whether this level is a single chapter's report.
    pub fn is_chapter(&self) -> bool {
        self.node.as_ref().and_then(|n| n.doc) == Some(DocKind::Report)
    }
}

/// Why a drill-down path cannot be shown.
#[derive(Debug, PartialEq, Eq)]
pub enum PathError {
    /// No such child at some step.
    Unknown,
    /// The path reaches a single chapter, which viewers may not see.
    Chapter,
    /// Viewers only: the period has no publication yet.
    NotPublished,
}

/// A path resolved: the party whose cells the level shows (this hub's id at the top), the node
/// drilled into and the trail.
struct Resolved {
    party: String,
    node: Option<Node>,
    trail: Vec<(String, String)>,
}

/// Follows a drill-down path down the tree for a period, one indexed lookup per step.
fn resolve(
    db: &rusqlite::Connection,
    hub: &Hub,
    period: &str,
    path: &[String],
    chapters_allowed: bool,
) -> Result<std::result::Result<Resolved, PathError>> {
    let mut parent = hub.card().id.as_str().to_owned();
    let mut trail = Vec::new();
    let mut node = None;
    for step in path {
        let Some(row) = aggregates::doc(db, period, step)?.filter(|r| r.parent == parent) else {
            return Ok(Err(PathError::Unknown));
        };
        if row.kind == DocKind::Report && !chapters_allowed {
            return Ok(Err(PathError::Chapter));
        }
        trail.push((row.party.clone(), row.name.clone()));
        parent.clone_from(&row.party);
        node = Some(Node::of(&row));
    }
    Ok(Ok(Resolved {
        party: parent,
        node,
        trail,
    }))
}

/// Resolves a drill-down path (child ids from this hub down) for a period. `chapters_allowed`
/// is false for viewers: a path that reaches a single chapter is then refused.
pub fn level(
    hub: &Hub,
    period: Period,
    path: &[String],
    chapters_allowed: bool,
) -> Result<std::result::Result<Level, PathError>> {
    level_with(hub, period, path, chapters_allowed, true)
}

fn level_with(
    hub: &Hub,
    period: Period,
    path: &[String],
    chapters_allowed: bool,
    with_children: bool,
) -> Result<std::result::Result<Level, PathError>> {
    let period_text = period.to_string();
    hub.store().read(|db| {
        let r = match resolve(db, hub, &period_text, path, chapters_allowed)? {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let cells = for_viewer(
            aggregates::cells(db, &r.party, &period_text)?,
            chapters_allowed,
        );
        if !with_children {
            return Ok(Ok(Level {
                cells,
                children: Vec::new(),
                node: r.node,
                trail: r.trail,
                publication: None,
            }));
        }
        let mut totals = aggregates::child_totals(db, &period_text, &r.party)?;
        let children = aggregates::docs(db, &period_text, &r.party)?
            .iter()
            .map(|row| {
                let n = Node::of(row);
                Child {
                    region: n.is_region(),
                    chapters: n.chapters,
                    cells: for_viewer(totals.remove(&n.id).unwrap_or_default(), chapters_allowed),
                    linkable: true,
                    id: n.id,
                    name: n.name,
                    kind: n.kind,
                }
            })
            .collect();
        Ok(Ok(Level {
            cells,
            children,
            node: r.node,
            trail: r.trail,
            publication: None,
        }))
    })
}

/// Where `path` leads for a period (its node and trail), with neither cells nor children:
/// for pages that read something else about a level. `chapters_allowed` as in [`level`].
pub fn locate(
    hub: &Hub,
    period: Period,
    path: &[String],
    chapters_allowed: bool,
) -> Result<std::result::Result<Level, PathError>> {
    let period_text = period.to_string();
    hub.store().read(|db| {
        Ok(
            resolve(db, hub, &period_text, path, chapters_allowed)?.map(|r| Level {
                cells: Vec::new(),
                children: Vec::new(),
                node: r.node,
                trail: r.trail,
                publication: None,
            }),
        )
    })
}

/// A level's own cells, trail and publication, without its children: what an export needs.
/// Admins: the live sums (a path with nothing for the period is [`PathError::Unknown`]);
/// viewers: the period's newest publication, as [`published_level`].
pub fn level_only(
    hub: &Hub,
    period: Period,
    path: &[String],
    admin: bool,
) -> Result<std::result::Result<Level, PathError>> {
    if !admin {
        return published_level(hub, period, path);
    }
    let period_text = period.to_string();
    hub.store().read(|db| {
        let r = match resolve(db, hub, &period_text, path, true)? {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        if r.node.is_none() && !aggregates::has_docs(db, &period_text, &r.party)? {
            return Ok(Err(PathError::Unknown));
        }
        Ok(Ok(Level {
            cells: aggregates::cells(db, &r.party, &period_text)?,
            children: Vec::new(),
            node: r.node,
            trail: r.trail,
            publication: None,
        }))
    })
}

/// One cell of the level at `path` (admins' live sums), or `None` when the path does not
/// resolve or the level has nothing for the period (no node and no children). For charts over
/// many periods: reads one row instead of the whole level.
pub fn level_cell(
    hub: &Hub,
    period: Period,
    path: &[String],
    key: &CellKey,
) -> Result<Option<Option<SummedCell>>> {
    let period_text = period.to_string();
    hub.store().read(|db| {
        let Ok(r) = resolve(db, hub, &period_text, path, true)? else {
            return Ok(None);
        };
        if r.node.is_none() && !aggregates::has_docs(db, &period_text, &r.party)? {
            return Ok(None);
        }
        Ok(Some(aggregates::cell(db, &r.party, &period_text, key)?))
    })
}

/// Some cells of this hub's own level (admins' live sums), those it holds, in the order asked.
pub fn top_cells(hub: &Hub, period: Period, keys: &[CellKey]) -> Result<Vec<SummedCell>> {
    let period = period.to_string();
    hub.store().read(|db| {
        let mut out = Vec::new();
        for key in keys {
            out.extend(aggregates::cell(db, hub.card().id.as_str(), &period, key)?);
        }
        Ok(out)
    })
}

/// A child's cell (admins), for what its totals in [`Child::cells`] do not hold.
pub fn child_cell(
    hub: &Hub,
    period: Period,
    child: &str,
    key: &CellKey,
) -> Result<Option<SummedCell>> {
    hub.store()
        .read(|db| aggregates::cell(db, child, &period.to_string(), key))
}

/// A level as a viewer sees it: the view at `path` of the period's newest publication, never
/// live sums (crate::publish).
pub fn published_level(
    hub: &Hub,
    period: Period,
    path: &[String],
) -> Result<std::result::Result<Level, PathError>> {
    let Some(stored) = crate::publish::latest(hub, period)? else {
        return Ok(Err(PathError::NotPublished));
    };
    let p = &stored.publication;
    let Some(view) = p.view(path) else {
        // Not a published view: say whether it is a chapter or nothing, showing no value.
        return Ok(Err(match level(hub, period, path, false)? {
            Err(e) => e,
            Ok(_) => PathError::Unknown,
        }));
    };
    let trail = (1..=path.len())
        .filter_map(|i| {
            let prefix = path.get(..i)?;
            let v = p.view(prefix)?;
            Some((prefix.last()?.clone(), v.name.clone()))
        })
        .collect();
    let children = p
        .views
        .iter()
        .filter(|v| v.path.len() == path.len() + 1 && v.path.starts_with(path))
        .filter_map(|v| {
            Some(Child {
                id: v.path.last()?.clone(),
                name: v.name.clone(),
                kind: Kind::Regional,
                region: true,
                chapters: usize::try_from(v.chapters).unwrap_or(usize::MAX),
                cells: v.summed(),
                linkable: true,
            })
        })
        .collect();
    let node = path.last().map(|id| Node {
        id: id.clone(),
        name: view.name.clone(),
        kind: Kind::Regional,
        state: None,
        doc: None,
        chapters: usize::try_from(view.chapters).unwrap_or(usize::MAX),
    });
    Ok(Ok(Level {
        cells: view.summed(),
        children,
        node,
        trail,
        publication: Some((p.sequence, p.published_at)),
    }))
}

/// What a page shows at `path`: admins the live sums ([`level`]), viewers the newest
/// publication ([`published_level`]).
pub fn view_level(
    hub: &Hub,
    period: Period,
    path: &[String],
    admin: bool,
) -> Result<std::result::Result<Level, PathError>> {
    if admin {
        level(hub, period, path, true)
    } else {
        published_level(hub, period, path)
    }
}

/// [`view_level`] for pages that draw the level's own cells only (the map): admins' levels
/// come without their children's rows.
pub fn view_cells(
    hub: &Hub,
    period: Period,
    path: &[String],
    admin: bool,
) -> Result<std::result::Result<Level, PathError>> {
    if admin {
        level_with(hub, period, path, true, false)
    } else {
        published_level(hub, period, path)
    }
}

/// Periods with any accepted document, newest first.
pub fn periods(hub: &Hub) -> Result<Vec<Period>> {
    rollups::periods(hub)
}

/// What a reader is shown of a summed cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The exact sum.
    Exact(u64),
    /// A lower bound: some chapters suppressed the cell (each holds at least 1).
    AtLeast(u64),
    /// A single chapter's cell it suppressed itself (below the disclosure threshold).
    Suppressed,
    /// Withheld from viewers by the rule of design §6.
    Withheld,
}

impl Shown {
    /// The number to draw (0 for what is not shown).
    pub fn value(self) -> u64 {
        match self {
            Shown::Exact(v) | Shown::AtLeast(v) => v,
            Shown::Suppressed | Shown::Withheld => 0,
        }
    }
}

/// Design §6: viewers see a cell only when at least 3 chapters contribute to it and no single
/// chapter makes up 80% or more of it.
pub fn viewer_may_see(cell: &SummedCell) -> bool {
    crate::publish::rule::viewer_may_see(cell)
}

/// The cells a viewer's page is drawn from: a copy in which, besides the cells the per-cell rule
/// of [`viewer_may_see`] withholds, enough other cells are withheld that no withheld cell can be
/// worked out by subtraction from its table's margins (complementary withholding, the same idea
/// as the chapters' own disclosure control). A cell withheld this way is marked by clearing its
/// `contributors`, so [`disclose`] withholds it. Admins get the cells unchanged.
pub fn for_viewer(mut cells: Vec<SummedCell>, admin: bool) -> Vec<SummedCell> {
    use std::collections::{BTreeMap, BTreeSet};
    if admin {
        return cells;
    }
    let nonzero = |c: &SummedCell| c.sum > 0 || c.suppressed > 0;
    let mut withheld: BTreeSet<CellKey> = cells
        .iter()
        .filter(|c| !viewer_may_see(c))
        .map(|c| c.key.clone())
        .collect();
    // Lines: (margin key, table) -> indexes of the listed cells in that line.
    let mut lines: BTreeMap<(CellKey, Vec<shopfloor_protocol::registry::Dim>), Vec<usize>> =
        BTreeMap::new();
    for (i, c) in cells.iter().enumerate() {
        let table: Vec<_> = c.key.dims.keys().copied().collect();
        for free in &table {
            let mut margin = c.key.clone();
            margin.dims.remove(free);
            lines.entry((margin, table.clone())).or_default().push(i);
        }
    }
    // Each pass withholds at least one more cell or stops, so this ends.
    for _ in 0..=cells.len() {
        let mut changed = false;
        for ((margin, _), members) in &lines {
            if withheld.contains(margin) {
                continue;
            }
            let hidden = members
                .iter()
                .filter_map(|i| cells.get(*i))
                .filter(|c| nonzero(c) && withheld.contains(&c.key))
                .count();
            if hidden != 1 {
                continue;
            }
            let next = members
                .iter()
                .filter_map(|i| cells.get(*i))
                .filter(|c| nonzero(c) && !withheld.contains(&c.key))
                .min_by(|a, b| a.sum.cmp(&b.sum).then_with(|| a.key.cmp(&b.key)));
            if let Some(c) = next {
                withheld.insert(c.key.clone());
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for c in &mut cells {
        if withheld.contains(&c.key) {
            c.contributors = 0;
        }
    }
    cells
}

/// What `admin` (or a viewer) is shown of a cell. Enforced here, on the server: a withheld
/// cell's value never reaches a viewer's page.
pub fn disclose(cell: &SummedCell, admin: bool) -> Shown {
    if !admin && !viewer_may_see(cell) {
        return Shown::Withheld;
    }
    if cell.suppressed > 0 {
        if cell.sum == 0 && cell.contributors == 0 {
            Shown::Suppressed
        } else {
            Shown::AtLeast(cell.sum)
        }
    } else {
        Shown::Exact(cell.sum)
    }
}

/// A cell by key.
pub fn find<'a>(cells: &'a [SummedCell], key: &CellKey) -> Option<&'a SummedCell> {
    cells.iter().find(|c| &c.key == key)
}

/// The cells of a metric's one-dimensional table.
pub fn table<'a>(
    cells: &'a [SummedCell],
    metric: &str,
    dim: shopfloor_protocol::registry::Dim,
) -> Vec<&'a SummedCell> {
    cells
        .iter()
        .filter(|c| {
            c.key.metric == metric && c.key.dims.len() == 1 && c.key.dims.contains_key(&dim)
        })
        .collect()
}

/// A closed vocabulary's whole table: every term's cell, a zero cell where none was published
/// (cells not listed are zero), and `unknown` if published. Zero cells have no contributors, so
/// viewers see them as withheld like any other cell under the rule.
pub fn whole_table(
    cells: &[SummedCell],
    metric: &str,
    dim: shopfloor_protocol::registry::Dim,
) -> Vec<SummedCell> {
    let published = table(cells, metric, dim);
    let mut out: Vec<SummedCell> = dim
        .terms()
        .unwrap_or_default()
        .iter()
        .map(|t| {
            let key = CellKey::new(metric, &[(dim, t.code)]);
            published.iter().find(|c| c.key == key).map_or_else(
                || SummedCell {
                    key: key.clone(),
                    sum: 0,
                    suppressed: 0,
                    contributors: 0,
                    largest: 0,
                    tally: None,
                },
                |c| (*c).clone(),
            )
        })
        .collect();
    out.extend(
        published
            .iter()
            .filter(|c| {
                c.key
                    .dims
                    .get(&dim)
                    .is_some_and(|v| v == shopfloor_protocol::registry::UNKNOWN)
            })
            .map(|c| (*c).clone()),
    );
    out
}

/// A child's reporting status in one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reporting {
    /// Reported by the deadline.
    OnTime,
    /// Reported after the deadline.
    Late,
    /// Expected and not reported.
    Missing,
    /// Not expected (not enrolled or revoked then).
    NotExpected,
}

/// Children, each period's completeness, and each child's status per period.
pub type Grid = (
    Vec<enroll::ChildSummary>,
    Vec<rollups::Completeness>,
    Vec<Vec<Reporting>>,
);

/// The completeness grid: for each child, its status in each period (oldest first).
pub fn completeness_grid(hub: &Hub, periods: &[Period]) -> Result<Grid> {
    let children = hub.store().read(enroll::summaries)?;
    let per_period = rollups::completeness_of(hub, periods)?;
    let grid = children
        .iter()
        .map(|child| {
            per_period
                .iter()
                .map(|c| {
                    if c.on_time.contains(&child.id) {
                        Reporting::OnTime
                    } else if c.late.contains(&child.id) {
                        Reporting::Late
                    } else if c.missing.contains(&child.id) {
                        Reporting::Missing
                    } else {
                        Reporting::NotExpected
                    }
                })
                .collect()
        })
        .collect();
    Ok((children, per_period, grid))
}

/// The log's current signed checkpoint, opened.
pub fn checkpoint(hub: &Hub) -> Result<Checkpoint> {
    Ok(crate::translog::current(hub)?.1)
}

/// A stored document and its status, as recorded when it was stored: nothing is opened or
/// verified again on a page view (`shopfloor-hub verify` checks a rollup offline, and
/// `shopfloor-hub doctor` re-derives the aggregates from every stored document).
#[derive(Debug)]
pub struct Checked {
    /// The signer (a child) or this hub.
    pub who: String,
    /// `report` or `rollup`.
    pub kind: &'static str,
    /// Period.
    pub period: String,
    /// Revision.
    pub revision: i64,
    /// Envelope digest.
    pub digest: String,
    /// When received or built (seconds).
    pub at: i64,
    /// Index in this hub's log (received documents).
    pub log_index: Option<i64>,
    /// Whether a higher revision replaced it.
    pub superseded: bool,
    /// When forwarded to the parent (this hub's rollups).
    pub forwarded_at: Option<i64>,
    /// `Ok` with the message id of the recorded status, or the reasons it is not sound.
    pub outcome: std::result::Result<&'static str, Vec<String>>,
}

type ReportRow = (String, String, String, i64, String, i64, i64, bool);

/// The most recent documents received from children, each under its child's name (never a raw
/// id). Only documents that verified are ever stored (crate::ingest), so each is listed as
/// verified on receipt.
pub fn received(hub: &Hub, limit: i64) -> Result<Vec<Checked>> {
    let rows: Vec<ReportRow> = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT c.name, r.kind, r.period, r.revision, r.digest, r.received_at, r.log_index, \
             r.superseded FROM reports r JOIN children c ON c.id = r.child \
             ORDER BY r.received_at DESC, r.id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(name, kind, period, revision, digest, at, log_index, superseded)| Checked {
                who: name,
                kind: if kind == "rollup" { "rollup" } else { "report" },
                period,
                revision,
                digest,
                at,
                log_index: Some(log_index),
                superseded,
                forwarded_at: None,
                outcome: Ok("hub-verified-on-receipt"),
            },
        )
        .collect())
}

type RollupRow = (String, i64, String, i64, Option<i64>);

/// The rollups this hub built, newest first: built and signed here from documents verified on
/// receipt. A regional hub not yet approved by its parent cannot be verified from the root.
pub fn built(hub: &Hub, limit: i64) -> Result<Vec<Checked>> {
    let rows: Vec<RollupRow> = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT period, revision, digest, built_at, forwarded_at FROM rollups \
             ORDER BY period DESC, revision DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    })?;
    let enrolled = hub.root_card().is_ok();
    Ok(rows
        .into_iter()
        .map(|(period, revision, digest, at, forwarded_at)| Checked {
            who: hub.config().name.clone(),
            kind: "rollup",
            period,
            revision,
            digest,
            at,
            log_index: None,
            superseded: false,
            forwarded_at,
            outcome: if enrolled {
                Ok("hub-built-here")
            } else {
                Err(vec!["this hub is not enrolled at its parent yet".into()])
            },
        })
        .collect())
}

/// This hub's newest guidance and the parent's it relays, opened.
pub fn guidance(hub: &Hub) -> Result<Vec<Guidance>> {
    let Some(env) = crate::guidance::current(hub)? else {
        return Ok(Vec::new());
    };
    let own: Guidance = env
        .open_document(&hub.card().signing_key)
        .map_err(Error::Protocol)?;
    let mut out = Vec::new();
    if let Some(inherited) = &own.inherited
        && let Ok(root) = hub.root_card()
        && let Ok(parent) = inherited.open_document::<Guidance>(&root.signing_key)
    {
        out.push(parent);
    }
    out.insert(0, own);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(sum: u64, contributors: u32, largest: u64, suppressed: u32) -> SummedCell {
        SummedCell {
            key: CellKey::total("members"),
            sum,
            suppressed,
            contributors,
            largest,
            tally: None,
        }
    }

    #[test]
    fn the_viewers_rule_needs_three_chapters_and_no_dominant_one() {
        assert!(viewer_may_see(&cell(30, 3, 10, 0)));
        assert!(!viewer_may_see(&cell(30, 2, 15, 0)), "two chapters");
        assert!(
            !viewer_may_see(&cell(100, 3, 80, 0)),
            "exactly 80% is withheld"
        );
        assert!(viewer_may_see(&cell(100, 3, 79, 0)));
        // A table with one withheld cell: its smallest visible neighbour is withheld too, so
        // the withheld one cannot be found by subtracting from the total.
        let keyed =
            |dims: &[(shopfloor_protocol::registry::Dim, &str)], c: SummedCell| SummedCell {
                key: CellKey::new("members", dims),
                ..c
            };
        use shopfloor_protocol::registry::Dim as D;
        let cells = vec![
            keyed(&[], cell(100, 5, 30, 0)),
            keyed(&[(D::Sector, "62")], cell(50, 4, 20, 0)),
            keyed(&[(D::Sector, "61")], cell(30, 3, 12, 0)),
            keyed(&[(D::Sector, "72")], cell(20, 1, 20, 0)),
        ];
        let viewed = for_viewer(cells.clone(), false);
        let shown: Vec<Shown> = viewed.iter().map(|c| disclose(c, false)).collect();
        assert_eq!(shown[3], Shown::Withheld, "primary");
        assert_eq!(
            shown[2],
            Shown::Withheld,
            "complementary: smallest visible neighbour"
        );
        assert_eq!(shown[1], Shown::Exact(50));
        assert_eq!(shown[0], Shown::Exact(100));
        assert_eq!(
            for_viewer(cells.clone(), true),
            cells,
            "admins see everything"
        );
        assert!(!viewer_may_see(&cell(0, 0, 0, 0)), "nobody contributes");
        assert_eq!(disclose(&cell(100, 3, 80, 0), false), Shown::Withheld);
        assert_eq!(disclose(&cell(100, 3, 80, 0), true), Shown::Exact(100));
        assert_eq!(disclose(&cell(30, 3, 10, 2), false), Shown::AtLeast(30));
        assert_eq!(disclose(&cell(0, 0, 0, 1), true), Shown::Suppressed);
        assert_eq!(
            disclose(&cell(u64::MAX, 3, u64::MAX / 2, 0), false),
            Shown::Exact(u64::MAX)
        );
    }

    #[test]
    fn whole_tables_fill_in_zero_stages() {
        let published = vec![SummedCell {
            key: CellKey::new(
                "workplaces",
                &[(shopfloor_protocol::registry::Dim::Stage, "3")],
            ),
            sum: 9,
            suppressed: 0,
            contributors: 3,
            largest: 3,
            tally: None,
        }];
        let t = whole_table(
            &published,
            "workplaces",
            shopfloor_protocol::registry::Dim::Stage,
        );
        assert_eq!(t.len(), 6);
        assert_eq!(
            t.iter().map(|c| c.sum).collect::<Vec<_>>(),
            [0, 0, 0, 9, 0, 0]
        );
    }
}
