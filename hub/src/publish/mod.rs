//! Hub publications: what viewers see. A hub publishes a period's aggregates once — when every
//! expected child has reported, at the deadline, or by `shopfloor-hub publish PERIOD` — as a
//! signed, immutable document holding exactly the cells each viewer view shows ([`rule`]
//! decides which). Viewers' pages and the viewers' JSON read only publications, never live sums.
//!
//! A report that arrives (or is revised) after a publication goes into a new, numbered
//! publication of the same period only if, for every cell both publications show with different
//! values, the chapters that changed pass the viewers' rule as a group; otherwise it is held back
//! (the background task tries again each pass, so held-back changes go out together once they
//! no longer single anyone out; failing that, the chapters' data reaches viewers only in later
//! periods' publications).

pub mod rule;
mod totals;

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use rusqlite::{OptionalExtension as _, params};
use serde::{Deserialize, Serialize};
use shopfloor_protocol::rollup::{Content, SummedCell, TreeNode};
use shopfloor_protocol::{
    Card, CellKey, Digest, Document, Envelope, PartyId, Period, Reason, Report,
};

use shopfloor_protocol::threshold::Released;

use crate::enroll;
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::rollups;
use crate::store::now_secs;
use rule::{Decided, Leaf, Tree};

/// The DSSE payload type of a publication.
pub const PAYLOAD_TYPE: &str = "application/vnd.shopfloor.publication.v1+json";
/// Its schema id.
pub const SCHEMA: &str = "shopfloor.publication.v1";

/// Why a publication was made.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Trigger {
    /// Every expected child had reported.
    Complete,
    /// The period's deadline passed.
    Deadline,
    /// An admin ran `shopfloor-hub publish`.
    Command,
    /// Reports that arrived or were revised after the previous publication.
    Update,
}

/// A child document a publication covers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Covered {
    /// The child.
    pub child: PartyId,
    /// The digest of its document's envelope.
    pub digest: String,
}

/// What viewers see of one cell.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Value {
    /// The exact sum.
    Exact(u64),
    /// A lower bound (some chapters suppressed the cell).
    AtLeast(u64),
    /// Withheld: no value is published.
    Withheld,
}

/// One cell of a view.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PublishedCell {
    /// Metric and dimensions.
    pub key: CellKey,
    /// What viewers see.
    pub value: Value,
}

/// A view viewers can reach: the hub itself (empty path) or a drill-down into a regional hub.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// Hub ids from the publishing hub's child down to the view.
    pub path: Vec<String>,
    /// The view's display name.
    pub name: String,
    /// How many chapters it covers.
    pub chapters: u32,
    /// Its cells.
    pub cells: Vec<PublishedCell>,
}

impl View {
    /// The cells as a page draws them: a published value becomes a cell that passes the
    /// viewers' rule (its `contributors` and `largest` are placeholders, never data), a
    /// withheld one a cell with no contributors, which pages show as withheld.
    pub fn summed(&self) -> Vec<SummedCell> {
        self.cells
            .iter()
            .map(|c| {
                let (sum, suppressed, contributors) = match c.value {
                    Value::Exact(v) => (v, 0, u32::MAX),
                    Value::AtLeast(v) => (v, 1, u32::MAX),
                    Value::Withheld => (0, 0, 0),
                };
                SummedCell {
                    key: c.key.clone(),
                    sum,
                    suppressed,
                    contributors,
                    largest: 0,
                    tally: None,
                }
            })
            .collect()
    }

    fn value(&self, key: &CellKey) -> Option<Value> {
        self.cells.iter().find(|c| &c.key == key).map(|c| c.value)
    }
}

/// A hub's publication of a period.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// [`SCHEMA`].
    pub schema: String,
    /// The publishing hub.
    pub hub: PartyId,
    /// The period.
    pub period: Period,
    /// 1 for the first publication of the period, then 2, 3…
    pub sequence: u32,
    /// When it was made.
    pub published_at: Timestamp,
    /// Why.
    pub trigger: Trigger,
    /// The child documents it sums.
    pub covers: Vec<Covered>,
    /// Every view viewers can reach; the first is the hub itself.
    pub views: Vec<View>,
    /// The rollup whose tree the released aggregates were decrypted from (absent when none
    /// was: no joint key, or nothing the rule releases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollup: Option<Digest>,
    /// The digest of the JSON list of encrypted aggregates the trustees decrypted for it
    /// (crate::decryption), which the views show. The list itself (each tally names its
    /// chapters and their bounds) is kept beside the publication for admins' exports and
    /// `verify`, never shown to viewers ([`released`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<Digest>,
}

impl Publication {
    /// The view at a drill-down path.
    pub fn view(&self, path: &[String]) -> Option<&View> {
        self.views.iter().find(|v| v.path == path)
    }
}

impl Document for Publication {
    const PAYLOAD_TYPE: &'static str = PAYLOAD_TYPE;

    fn from_payload(bytes: &[u8]) -> shopfloor_protocol::Result<Self> {
        let p: Publication = serde_json::from_slice(bytes).map_err(|e| {
            shopfloor_protocol::Error::new(Reason::Malformed, format!("publication: {e}"))
        })?;
        if p.schema != SCHEMA {
            return Err(shopfloor_protocol::Error::new(
                Reason::UnsupportedSchema,
                format!("publication schema {}", p.schema),
            ));
        }
        Ok(p)
    }

    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A publication held in the store.
#[derive(Clone, Debug)]
pub struct Stored {
    /// The signed envelope.
    pub envelope: Envelope,
    /// Its digest.
    pub digest: Digest,
    /// The document.
    pub publication: Publication,
    /// Each chapter's report digest it covers (down the whole tree), to tell what changed.
    pub leaves: BTreeMap<String, String>,
}

/// What [`publish`] did.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// A new publication.
    Published(Box<Stored>),
    /// The newest publication already covers exactly these documents.
    Unchanged(Box<Stored>),
    /// Changes since the newest publication would single out chapters: held back.
    HeldBack {
        /// The publication viewers keep seeing.
        previous: u32,
        /// Why, cell by cell.
        reasons: Vec<String>,
    },
    /// No child has reported for the period.
    NothingReported,
}

/// Verifies a publication against the hub's card: signature, signer and schema.
pub fn verify(envelope: &Envelope, hub: &Card) -> Result<Publication> {
    let p: Publication = envelope.open_document(&hub.signing_key)?;
    if p.hub != hub.id {
        return Err(Error::Protocol(shopfloor_protocol::Error::new(
            Reason::BadSignature,
            "publication names another hub than its signer",
        )));
    }
    Ok(p)
}

fn open_leaf(id: &str, envelope: &Envelope, card: &Card) -> Option<Leaf> {
    let report: Report = envelope.open_document(&card.signing_key).ok()?;
    Some(Leaf {
        id: id.to_owned(),
        digest: envelope.digest().to_hex(),
        cells: report.cells.into_iter().map(|c| (c.key, c.value)).collect(),
    })
}

/// A regional hub's subtree from its verified rollup tree: `nodes` below `id`.
fn subtree(id: &str, card: &Card, nodes: &[TreeNode]) -> Tree {
    let mut t = Tree {
        id: id.to_owned(),
        name: card.name.clone(),
        ..Tree::default()
    };
    for n in nodes.iter().filter(|n| n.parent.as_str() == id) {
        match &n.content {
            Content::Report(r) => t.leaves.push(Leaf {
                id: n.id.as_str().to_owned(),
                digest: n.digest.to_hex(),
                cells: r.cells.iter().map(|c| (c.key.clone(), c.value)).collect(),
            }),
            Content::Rollup(_) => t.hubs.push(subtree(n.id.as_str(), &n.card, nodes)),
        }
    }
    t
}

fn add(hub: &Hub, t: &mut Tree, id: &str, envelope: &Envelope, card: &Card) {
    if envelope.payload_type() == Report::PAYLOAD_TYPE {
        t.leaves.extend(open_leaf(id, envelope, card));
    } else if let Some(tree) = crate::rollups::child_tree(hub, envelope, card) {
        t.hubs.push(subtree(id, card, &tree.nodes));
    }
}

/// The period's tree at this hub from each child's latest accepted document, and what it covers.
pub fn tree(hub: &Hub, period: Period) -> Result<(Tree, Vec<Covered>)> {
    let rows: Vec<(String, Vec<u8>)> = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT r.child, r.envelope FROM reports r \
             WHERE r.period = ?1 AND r.revision = (SELECT MAX(revision) FROM reports WHERE child = r.child AND period = r.period) \
             ORDER BY r.child",
        )?;
        let rows = stmt.query_map([period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    })?;
    let children: BTreeMap<String, enroll::ChildRecord> = enroll::children(hub.store())?
        .into_iter()
        .map(|c| (c.id.as_str().to_owned(), c))
        .collect();
    let mut t = Tree {
        id: hub.card().id.as_str().to_owned(),
        name: hub.config().name.clone(),
        ..Tree::default()
    };
    let mut covers = Vec::new();
    for (id, bytes) in rows {
        let (Some(child), Ok(envelope)) =
            (children.get(&id), crate::store::stored_envelope(&bytes))
        else {
            continue;
        };
        covers.push(Covered {
            child: child.id.clone(),
            digest: envelope.digest().to_hex(),
        });
        add(hub, &mut t, &id, &envelope, &child.card);
    }
    Ok((t, covers))
}

fn views(d: &Decided) -> Vec<View> {
    d.views()
        .into_iter()
        .map(|v| View {
            path: v.path.clone(),
            name: v.name.clone(),
            chapters: u32::try_from(v.chapters).unwrap_or(u32::MAX),
            cells: v
                .cells
                .iter()
                .map(|c| PublishedCell {
                    key: c.key.clone(),
                    value: if v.withheld.contains(&c.key) {
                        Value::Withheld
                    } else if c.suppressed > 0 {
                        Value::AtLeast(c.sum)
                    } else {
                        Value::Exact(c.sum)
                    },
                })
                .collect(),
        })
        .collect()
}

fn leaves_of(tree: &Tree) -> BTreeMap<String, String> {
    tree.all_leaves()
        .into_iter()
        .map(|l| (l.id.clone(), l.digest.clone()))
        .collect()
}

fn at_path<'a>(tree: &'a Tree, path: &[String]) -> Option<&'a Tree> {
    let mut t = tree;
    for step in path {
        t = t.hubs.iter().find(|h| &h.id == step)?;
    }
    Some(t)
}

/// Why a new publication would let viewers single out chapters by comparing it with the
/// previous one: for every cell both show with different values, the chapters that changed
/// under that view must pass the viewers' rule as a group. Empty when it may go out.
pub fn difference_problems(previous: &Stored, tree: &Tree, new_views: &[View]) -> Vec<String> {
    let now = leaves_of(tree);
    let changed: BTreeSet<&str> = now
        .iter()
        .filter(|(id, digest)| previous.leaves.get(*id) != Some(*digest))
        .map(|(id, _)| id.as_str())
        .collect();
    let removed: Vec<&String> = previous
        .leaves
        .keys()
        .filter(|id| !now.contains_key(*id))
        .collect();
    let mut problems = Vec::new();
    for view in new_views {
        let Some(old) = previous.publication.view(&view.path) else {
            continue;
        };
        let Some(sub) = at_path(tree, &view.path) else {
            continue;
        };
        let group: Vec<&Leaf> = sub
            .all_leaves()
            .into_iter()
            .filter(|l| changed.contains(l.id.as_str()))
            .collect();
        for cell in &view.cells {
            if cell.value == Value::Withheld {
                continue;
            }
            let before = old.value(&cell.key);
            if before.is_none_or(|b| b == Value::Withheld || b == cell.value) {
                continue;
            }
            if !removed.is_empty() {
                problems.push(format!(
                    "view {:?}: {:?} changed after chapters left",
                    view.path, cell.key
                ));
            } else if !rule::group_passes(&group, &cell.key) || group.is_empty() {
                problems.push(format!(
                    "view {:?}: {:?} changed by {} chapter(s), which fail the viewers' rule",
                    view.path,
                    cell.key,
                    group.len()
                ));
            }
        }
    }
    problems
}

type Row = (i64, Vec<u8>, String);

fn stored(row: Row, hub: &Hub) -> Result<Stored> {
    let (_, envelope, leaves) = row;
    let envelope = Envelope::from_json(&envelope)?;
    let publication = verify(&envelope, hub.card())?;
    Ok(Stored {
        digest: envelope.digest(),
        envelope,
        publication,
        leaves: serde_json::from_str(&leaves)
            .map_err(|e| Error::Internal(format!("stored publication leaves: {e}")))?,
    })
}

/// The newest publication of a period, its signature checked again.
pub fn latest(hub: &Hub, period: Period) -> Result<Option<Stored>> {
    let row: Option<Row> = hub.store().read(|db| {
        Ok(db
            .query_row(
                "SELECT sequence, envelope, leaves FROM publications WHERE period = ?1 \
                 ORDER BY sequence DESC LIMIT 1",
                [period.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    })?;
    row.map(|r| stored(r, hub)).transpose()
}

/// Every publication of a period, oldest first.
pub fn all(hub: &Hub, period: Period) -> Result<Vec<Stored>> {
    let rows: Vec<Row> = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT sequence, envelope, leaves FROM publications WHERE period = ?1 ORDER BY sequence",
        )?;
        let rows = stmt.query_map([period.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    })?;
    rows.into_iter().map(|r| stored(r, hub)).collect()
}

/// Publishes the period now if anything changed since its newest publication and the change
/// singles nobody out (see the module's documentation).
pub fn publish(hub: &Hub, period: Period, trigger: Trigger) -> Result<Outcome> {
    let (tree, covers) = tree(hub, period)?;
    if tree.all_leaves().is_empty() {
        return Ok(Outcome::NothingReported);
    }
    let leaves = leaves_of(&tree);
    let previous = latest(hub, period)?;
    if let Some(prev) = &previous
        && prev.leaves == leaves
    {
        return Ok(Outcome::Unchanged(Box::new(prev.clone())));
    }
    let decided = rule::decide(&tree);
    let mut decrypted = crate::decryption::Decrypted::default();
    let problems = rule::audit(&tree, &decided);
    if !problems.is_empty() {
        return Err(Error::Internal(format!(
            "the publication rule's audit failed: {}",
            problems.join("; ")
        )));
    }
    let mut views = views(&decided);
    // The clear figures first, so held-back changes cost no decryption; then again with the
    // decrypted ones.
    for round in 0..2 {
        if let Some(prev) = &previous {
            let reasons = difference_problems(prev, &tree, &views);
            if !reasons.is_empty() {
                return Ok(Outcome::HeldBack {
                    previous: prev.publication.sequence,
                    reasons,
                });
            }
        }
        if round == 0 {
            decrypted = decrypt_into(hub, period, &covers, &mut views, &tree, previous.as_ref())?;
        }
    }
    let sequence = previous.as_ref().map_or(1, |p| p.publication.sequence + 1);
    let publication = Publication {
        schema: SCHEMA.into(),
        hub: hub.card().id.clone(),
        period,
        sequence,
        published_at: Timestamp::now(),
        trigger: if previous.is_some() && trigger != Trigger::Command {
            Trigger::Update
        } else {
            trigger
        },
        covers,
        views,
        rollup: decrypted.rollup.filter(|_| !decrypted.released.is_empty()),
        released: None,
    };
    let released: Vec<Released> = decrypted.released.into_iter().map(|(r, _)| r).collect();
    let released_json = serde_json::to_string(&released)
        .map_err(|e| Error::Internal(format!("released aggregates: {e}")))?;
    let publication = Publication {
        released: (!released.is_empty()).then(|| Digest::of(released_json.as_bytes())),
        ..publication
    };
    let envelope = Envelope::sign(&publication, hub.keys());
    let digest = envelope.digest();
    let leaves_json = serde_json::to_string(&leaves).map_err(|e| Error::Internal(e.to_string()))?;
    hub.store().write(|tx, _| {
        tx.execute(
            "INSERT INTO publications (period, sequence, digest, envelope, leaves, published_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                period.to_string(),
                i64::from(sequence),
                digest.to_hex(),
                envelope.to_json(),
                leaves_json,
                now_secs()
            ],
        )?;
        if !released.is_empty() {
            tx.execute(
                "INSERT INTO publication_released (period, sequence, released) VALUES (?1, ?2, ?3)",
                params![period.to_string(), i64::from(sequence), released_json],
            )?;
        }
        crate::store::audit(tx, "hub", "publish", Some(&format!("{period} #{sequence}")))?;
        Ok(())
    })?;
    Ok(Outcome::Published(Box::new(Stored {
        envelope,
        digest,
        publication,
        leaves,
    })))
}

/// The released aggregates a publication's `released` digest names, checked against it.
pub fn released(hub: &Hub, stored: &Stored) -> Result<Vec<Released>> {
    let Some(digest) = stored.publication.released else {
        return Ok(Vec::new());
    };
    let json: Option<String> = hub.store().read(|db| {
        Ok(db
            .query_row(
                "SELECT released FROM publication_released WHERE period = ?1 AND sequence = ?2",
                params![
                    stored.publication.period.to_string(),
                    i64::from(stored.publication.sequence)
                ],
                |r| r.get(0),
            )
            .optional()?)
    })?;
    let json = json.ok_or_else(|| {
        Error::Internal("a publication's released aggregates are not held".into())
    })?;
    if Digest::of(json.as_bytes()) != digest {
        return Err(Error::Internal(
            "a publication's released aggregates do not match its digest".into(),
        ));
    }
    serde_json::from_str(&json)
        .map_err(|e| Error::Internal(format!("stored released aggregates: {e}")))
}

/// Decrypts what the release rule allows of the period's encrypted aggregates
/// ([`crate::decryption`]) and shows each released one in its view
/// ([`views_with`]). A failure leaves the views as the clear rule decided them:
/// the publication goes out without exact rare counts, and the failure is logged.
///
/// After a first publication, an aggregate whose chapters changed is not decrypted again unless
/// the previous publication released it over the same chapters: a changed value over other
/// chapters would show viewers the difference.
fn decrypt_into(
    hub: &Hub,
    period: Period,
    covers: &[Covered],
    views: &mut Vec<View>,
    tree: &Tree,
    previous: Option<&Stored>,
) -> Result<crate::decryption::Decrypted> {
    let covers: Vec<(PartyId, String)> = covers
        .iter()
        .map(|c| (c.child.clone(), c.digest.clone()))
        .collect();
    let mut decrypted = match crate::decryption::decrypt(hub, period, &covers) {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(%period, "decryption at publication: {e}");
            return Ok(crate::decryption::Decrypted::default());
        }
    };
    for (w, why) in &decrypted.withheld {
        tracing::debug!(%period, key = %w.key, view = ?w.view, "not decrypted: {why}");
    }
    if let Some(prev) = previous {
        let before = released(hub, prev)?;
        decrypted.released.retain(|(r, _)| {
            before.is_empty()
                || before.iter().any(|p| {
                    p.key == r.key && p.view == r.view && p.tally.chapters == r.tally.chapters
                })
        });
    }
    if !decrypted.released.is_empty() {
        *views = views_with(tree, &decrypted.released, decrypted.k)?;
    }
    Ok(decrypted)
}

/// The views a publication shows of `tree` with these released aggregates (each with its view's
/// clear part) under disclosure threshold `k`: the clear rule's decision, made again with the
/// cells whose total viewers will know from released values, then each released value as
/// [`totals`] allows (a total, the clear figure, or nothing; never a released value alone over
/// a clear part it would give away). The publisher calls it, and `verify` calls it again on the
/// verified rollup, so every published figure is derived from authentic reports twice.
pub fn views_with(
    tree: &Tree,
    released: &[(Released, crate::decryption::ClearPart)],
    k: u64,
) -> Result<Vec<View>> {
    totals::views_with(tree, released, k)
        .map(|(_, views)| views)
        .map_err(|problems| {
            Error::Internal(format!(
                "the publication rule's audit failed with decrypted cells: {}",
                problems.join("; ")
            ))
        })
}

/// The publishing hub's clear-rule tree from its verified rollup tree (for `verify`): the same
/// leaves and subtrees [`tree`] builds from the stored reports, children in id order.
pub fn tree_of_rollup(tree: &shopfloor_protocol::rollup::Tree, card: &Card) -> Tree {
    let mut t = subtree(card.id.as_str(), card, &tree.nodes);
    t.leaves.sort_by(|a, b| a.id.cmp(&b.id));
    t.hubs.sort_by(|a, b| a.id.cmp(&b.id));
    t
}

/// One pass of the background publisher: each recent period is published when every expected
/// child has reported or its deadline has passed, and changes after a publication are tried
/// again (published or held back by [`publish`]).
pub fn tick(hub: &Hub, now: Timestamp) -> Result<Vec<(Period, Outcome)>> {
    let mut out = Vec::new();
    for period in rollups::periods(hub)?.into_iter().take(6) {
        let has = latest(hub, period)?.is_some();
        let c = rollups::completeness(hub, period)?;
        let trigger = if has {
            Trigger::Update
        } else if c.all_reported() {
            Trigger::Complete
        } else if now >= c.deadline && !c.reported.is_empty() {
            Trigger::Deadline
        } else {
            continue;
        };
        // A regional hub's first publication waits for national's, whose exact figures it shows.
        if !has && crate::relay::waits(hub, period, now, c.deadline)? {
            continue;
        }
        out.push((period, publish(hub, period, trigger)?));
    }
    Ok(out)
}

/// The background publisher: [`tick`] every `rollup.check_interval_secs`.
pub async fn run(hub: Hub, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let every = std::time::Duration::from_secs(hub.config().rollup.check_interval_secs.max(1));
    loop {
        let h = hub.clone();
        match tokio::task::spawn_blocking(move || tick(&h, Timestamp::now())).await {
            Ok(Ok(done)) => {
                for (period, outcome) in done {
                    match outcome {
                        Outcome::Published(s) => tracing::info!(
                            %period,
                            sequence = s.publication.sequence,
                            "published"
                        ),
                        Outcome::HeldBack { previous, reasons } => tracing::debug!(
                            %period,
                            previous,
                            "changes held back: {}",
                            reasons.join("; ")
                        ),
                        Outcome::Unchanged(_) | Outcome::NothingReported => {}
                    }
                }
            }
            Ok(Err(e)) => tracing::warn!("publisher: {e}"),
            Err(e) => tracing::warn!("publisher: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => return,
        }
    }
}
