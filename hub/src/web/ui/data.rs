//! What the pages show, read from the store: each child's latest document for a period (opened
//! and its signature checked), the summed cells at any level of the tree for admins, the
//! period's newest publication for viewers ([`published_level`]: viewers never see live sums),
//! the viewers' rule, completeness, verification and guidance.
//!
//! Cells are always summed the way rollups sum them ([`rollup::sum`]), so a page shows what a
//! rollup built now would hold. Drilling down: a regional child's cells are its embedded rollup's
//! cells, its children are that rollup's embedded documents; a chapter's cells are its report's.

use std::collections::BTreeMap;

use shopfloor_protocol::cert::{Certificate, RevocationSet};
use shopfloor_protocol::log::Checkpoint;
use shopfloor_protocol::rollup::{self, Contribution, Rollup, SummedCell};
use shopfloor_protocol::{Card, CellKey, Document as _, Envelope, Kind, Period, Report};

use crate::enroll;
use crate::error::{Error, Result};
use crate::guidance::Guidance;
use crate::hub::Hub;
use crate::rollups;

/// A child's document, opened.
#[derive(Debug, Clone)]
pub enum Doc {
    /// A chapter's report.
    Report(Box<Report>),
    /// A regional hub's rollup.
    Rollup(Box<Rollup>),
}

/// A child at some level of the tree and its latest document for the period.
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
    /// Its card (to open what its rollup embeds).
    pub card: Option<Card>,
    /// The document, if its signature verified.
    pub doc: Option<Doc>,
}

impl Node {
    /// Whether the node is a regional hub (its drill-down shows aggregates of several chapters).
    pub fn is_region(&self) -> bool {
        matches!(self.doc, Some(Doc::Rollup(_))) || self.kind == Kind::Regional
    }

    /// How many chapters its document covers.
    pub fn chapters(&self) -> usize {
        match &self.doc {
            Some(Doc::Report(_)) => 1,
            Some(Doc::Rollup(r)) => r.completeness.reported.len(),
            None => 0,
        }
    }
}

fn open_doc(envelope: &Envelope, card: &Card) -> Option<Doc> {
    if envelope.payload_type() == Report::PAYLOAD_TYPE {
        envelope
            .open_document::<Report>(&card.signing_key)
            .ok()
            .map(|r| Doc::Report(Box::new(r)))
    } else if envelope.payload_type() == Rollup::PAYLOAD_TYPE {
        envelope
            .open_document::<Rollup>(&card.signing_key)
            .ok()
            .map(|r| Doc::Rollup(Box::new(r)))
    } else {
        None
    }
}

/// The latest accepted document of each child for a period, with the child's card.
fn latest(hub: &Hub, period: Period) -> Result<Vec<(String, Vec<u8>)>> {
    hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT r.child, r.envelope FROM reports r \
             WHERE r.period = ?1 AND r.revision = (SELECT MAX(revision) FROM reports WHERE child = r.child AND period = r.period) \
             ORDER BY r.child",
        )?;
        let rows = stmt.query_map([period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    })
}

/// This hub's children that reported for `period`, their documents opened.
pub fn top(hub: &Hub, period: Period) -> Result<Vec<Node>> {
    let children: BTreeMap<String, enroll::ChildRecord> = enroll::children(hub.store())?
        .into_iter()
        .map(|c| (c.id.as_str().to_owned(), c))
        .collect();
    let mut out = Vec::new();
    for (child_id, bytes) in latest(hub, period)? {
        let Some(child) = children.get(&child_id) else {
            continue;
        };
        let doc = Envelope::from_json(&bytes)
            .ok()
            .and_then(|e| open_doc(&e, &child.card));
        out.push(Node {
            id: child_id,
            name: child.name.clone(),
            kind: child.kind,
            state: child.state.clone(),
            card: Some(child.card.clone()),
            doc,
        });
    }
    Ok(out)
}

/// The children a rollup embeds, opened with the certificates its signer issued.
fn embedded(rollup: &Rollup, signer: &Card) -> Vec<Node> {
    rollup
        .children
        .iter()
        .map(|c| {
            let card = c
                .certificate
                .open_document::<Certificate>(&signer.signing_key)
                .ok()
                .map(|cert| cert.subject);
            let doc = card.as_ref().and_then(|card| open_doc(&c.document, card));
            Node {
                id: c.id.as_str().to_owned(),
                name: card
                    .as_ref()
                    .map_or_else(|| c.id.as_str().to_owned(), |k| k.name.clone()),
                kind: card.as_ref().map_or(Kind::Chapter, |k| k.kind),
                state: card.as_ref().and_then(|k| k.state.clone()),
                card,
                doc,
            }
        })
        .collect()
}

/// The summed cells of some nodes.
pub fn sum(nodes: &[Node]) -> Vec<SummedCell> {
    let contributions: Vec<Contribution<'_>> = nodes
        .iter()
        .filter_map(|n| match &n.doc {
            Some(Doc::Report(r)) => Some(Contribution::Report(r)),
            Some(Doc::Rollup(r)) => Some(Contribution::Rollup(r)),
            None => None,
        })
        .collect();
    rollup::sum(&contributions)
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
    /// Its cells (for viewers: as published).
    pub cells: Vec<SummedCell>,
    /// Whether the page can drill into it.
    pub linkable: bool,
}

/// One level of the tree, as a page shows it.
#[derive(Debug)]
pub struct Level {
    /// Its cells.
    pub cells: Vec<SummedCell>,
    /// Its children's documents (admins' live view only; empty for viewers and chapters).
    pub nodes: Vec<Node>,
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
        matches!(
            self.node.as_ref().and_then(|n| n.doc.as_ref()),
            Some(Doc::Report(_))
        )
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

/// Resolves a drill-down path (child ids from this hub down) for a period. `chapters_allowed`
/// is false for viewers: a path that reaches a single chapter is then refused.
pub fn level(
    hub: &Hub,
    period: Period,
    path: &[String],
    chapters_allowed: bool,
) -> Result<std::result::Result<Level, PathError>> {
    let mut nodes = top(hub, period)?;
    let mut trail = Vec::new();
    let mut current: Option<Node> = None;
    for step in path {
        let Some(node) = nodes.iter().find(|n| &n.id == step).cloned() else {
            return Ok(Err(PathError::Unknown));
        };
        trail.push((node.id.clone(), node.name.clone()));
        nodes = match (&node.doc, &node.card) {
            (Some(Doc::Rollup(r)), Some(card)) => embedded(r, card),
            (Some(Doc::Report(_)), _) => {
                if !chapters_allowed {
                    return Ok(Err(PathError::Chapter));
                }
                Vec::new()
            }
            _ => return Ok(Err(PathError::Unknown)),
        };
        current = Some(node);
    }
    let cells = match current.as_ref().and_then(|n| n.doc.as_ref()) {
        Some(Doc::Report(r)) => rollup::sum(&[Contribution::Report(r)]),
        Some(Doc::Rollup(r)) => r.cells.clone(),
        None => sum(&nodes),
    };
    let cells = for_viewer(cells, chapters_allowed);
    let children = nodes
        .iter()
        .map(|n| Child {
            id: n.id.clone(),
            name: n.name.clone(),
            kind: n.kind,
            region: n.is_region(),
            chapters: n.chapters(),
            cells: for_viewer(sum(std::slice::from_ref(n)), chapters_allowed),
            linkable: n.doc.is_some(),
        })
        .collect();
    Ok(Ok(Level {
        cells,
        nodes,
        children,
        node: current,
        trail,
        publication: None,
    }))
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
        card: None,
        doc: None,
    });
    Ok(Ok(Level {
        cells: view.summed(),
        nodes: Vec::new(),
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
    Vec<enroll::ChildRecord>,
    Vec<rollups::Completeness>,
    Vec<Vec<Reporting>>,
);

/// The completeness grid: for each child, its status in each period (oldest first).
pub fn completeness_grid(hub: &Hub, periods: &[Period]) -> Result<Grid> {
    let children = enroll::children(hub.store())?;
    let mut per_period = Vec::new();
    for p in periods {
        per_period.push(rollups::completeness(hub, *p)?);
    }
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
    let env = crate::translog::checkpoint(hub)?;
    Ok(env.open_document::<Checkpoint>(&hub.card().signing_key)?)
}

/// A stored document and the outcome of verifying it again.
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
    /// `Ok` or the verifier's reasons.
    pub outcome: std::result::Result<(), Vec<String>>,
}

fn revocations(hub: &Hub) -> Result<RevocationSet> {
    let mut set = RevocationSet::new();
    if let Some(list) = enroll::revocation_list(hub.store())? {
        set.add(&list, hub.card())?;
    }
    Ok(set)
}

type ReportRow = (String, String, String, i64, String, Vec<u8>, i64, i64, bool);

/// The most recent documents received from children, each verified again.
pub fn received(hub: &Hub, limit: i64) -> Result<Vec<Checked>> {
    let rows: Vec<ReportRow> = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT child, kind, period, revision, digest, envelope, received_at, log_index, superseded \
             FROM reports ORDER BY received_at DESC, id DESC LIMIT ?1",
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
                r.get(8)?,
            ))
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    })?;
    let children: BTreeMap<String, enroll::ChildRecord> = enroll::children(hub.store())?
        .into_iter()
        .map(|c| (c.id.as_str().to_owned(), c))
        .collect();
    let revs = revocations(hub)?;
    let root = hub.root_card().ok();
    let mut out = Vec::new();
    for (child, kind, period, revision, digest, envelope, at, log_index, superseded) in rows {
        let outcome = match (children.get(&child), Envelope::from_json(&envelope)) {
            (Some(record), Ok(env)) => {
                if kind == "rollup" {
                    match &root {
                        Some(root) => rollup::verify_rollup(&env, &record.card, root, &revs)
                            .map(|_| ())
                            .map_err(|es| es.iter().map(ToString::to_string).collect()),
                        None => Err(vec!["this hub is not enrolled at its parent yet".into()]),
                    }
                } else {
                    rollup::verify_child_report(&env, &record.card, &hub.card().id, &revs)
                        .map(|_| ())
                        .map_err(|e| vec![e.to_string()])
                }
            }
            (None, _) => Err(vec![format!("{child} is not a child of this hub")]),
            (_, Err(e)) => Err(vec![e.to_string()]),
        };
        out.push(Checked {
            who: child,
            kind: if kind == "rollup" { "rollup" } else { "report" },
            period,
            revision,
            digest,
            at,
            log_index: Some(log_index),
            superseded,
            forwarded_at: None,
            outcome,
        });
    }
    Ok(out)
}

type RollupRow = (String, i64, String, Vec<u8>, i64, Option<i64>);

/// The rollups this hub built, newest first, each verified again from the root down.
pub fn built(hub: &Hub, limit: i64) -> Result<Vec<Checked>> {
    let rows: Vec<RollupRow> = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT period, revision, digest, envelope, built_at, forwarded_at FROM rollups \
             ORDER BY period DESC, revision DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    })?;
    let root = hub.root_card().ok();
    let mut out = Vec::new();
    for (period, revision, digest, envelope, at, forwarded_at) in rows {
        let outcome = match (&root, Envelope::from_json(&envelope)) {
            (Some(root), Ok(env)) => {
                let bundle = rollups::bundle(hub, env)?;
                rollup::verify_bundle(&bundle, root)
                    .map(|_| ())
                    .map_err(|es| es.iter().map(ToString::to_string).collect())
            }
            (None, _) => Err(vec!["this hub is not enrolled at its parent yet".into()]),
            (_, Err(e)) => Err(vec![e.to_string()]),
        };
        out.push(Checked {
            who: hub.card().id.as_str().to_owned(),
            kind: "rollup",
            period,
            revision,
            digest,
            at,
            log_index: None,
            superseded: false,
            forwarded_at,
            outcome,
        });
    }
    Ok(out)
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
