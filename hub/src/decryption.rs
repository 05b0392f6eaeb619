//! Exact rare counts: encrypted aggregates decrypted at publication (issue 14,
//! docs/protocol.md §17.5, the rule in docs/threat-model.md §10).
//!
//! When a hub publishes a period and holds a joint key, it builds its rollup for the period
//! (every chapter's encrypted cells tallied per view), computes from the verified tree which
//! aggregates the release rule lets trustees decrypt
//! ([`shopfloor_protocol::threshold::publication`]), and asks for decryption shares: from the
//! trustee file it holds itself (`DATA/trustee/*.trustee.json`), and from the hubs listed in
//! `[[decryption.trustees]]` over `POST /api/v1/trustee/shares`. Each trustee verifies the
//! bundle and recomputes the rule on its own before it answers ([`answer_call`]). Trustees
//! answer only the national hub: a regional hub asks national for the shares its publication
//! released at the region's views instead ([`crate::relay`]). With `t`
//! valid shares an aggregate is decrypted, the rule is applied again with the values, and what
//! it releases goes into the publication with its shares and proofs, so that `verify` can check
//! every one offline ([`verify_publication_bundle`]).
//!
//! No step here can decrypt one chapter's cell: a trustee answers only for a view's tally that
//! the rule releases (three chapters or more, and more, see the rule), and the hub never holds
//! `t` secret shares itself unless the ceremony gave it that many (it gives one).

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use shopfloor_protocol::rollup::{Bundle, Content, Tree, verify_bundle_tree};
use shopfloor_protocol::threshold::publication::{
    self, ShareAnswer, ShareCall, ShareRequest, Wanted,
};
use shopfloor_protocol::threshold::{JointKey, Released, Trustee};
use shopfloor_protocol::{Card, CellKey, Digest, Envelope, PartyId, Period, Reason};

use crate::config::Level;
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::publish::Publication;

/// The path of the share request endpoint under a hub's URL.
pub const SHARES_PATH: &str = "/api/v1/trustee/shares";

/// How long a hub waits for one trustee's answer: the trustee verifies the whole tree first.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(600);

/// Every trustee file this hub holds (`DATA/trustee/*.trustee.json`), each checked on load.
pub fn own_trustees(dir: &Path) -> Vec<Trustee> {
    let folder = dir.join(crate::trustee::TRUSTEE_DIR);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".trustee.json").map(str::to_owned))
        .collect();
    names.sort();
    names
        .iter()
        .filter_map(|n| match crate::trustee::load_trustee(dir, n) {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::warn!("trustee file {n}: {e}");
                None
            }
        })
        .collect()
}

/// Answers a share request as a trustee (`POST /api/v1/trustee/shares`), under the hub's
/// `[decryption]` policy: `answer = false` refuses every request (`not-a-trustee`), and
/// `answer_hubs`, when set, names the hubs it answers.
pub fn answer_call(hub: &Hub, call: &ShareCall) -> Result<ShareAnswer> {
    let config = &hub.config().decryption;
    if !config.answer {
        return Err(Error::refused(
            403,
            "not-a-trustee",
            "this hub does not answer share requests ([decryption] answer = false)",
        ));
    }
    let trustees = own_trustees(hub.dir());
    if trustees.is_empty() {
        return Err(Error::refused(
            404,
            "not-a-trustee",
            "this hub holds no trustee file",
        ));
    }
    let root = hub.root_card()?;
    let allowed = |h: &PartyId| config.answer_hubs.is_empty() || config.answer_hubs.contains(h);
    let verified = verified_reports(hub)?;
    let seen = hub.seen_reports().snapshot();
    let known = |d: &Digest| verified.contains(&d.to_hex()) || seen.contains(d);
    let mut last = None;
    for t in &trustees {
        match publication::answer_known(t, &root, call, allowed, Some(&known)) {
            Ok((a, reports)) => {
                hub.seen_reports().remember(&reports);
                let shares = a.answers.iter().filter(|x| x.share.is_some()).count();
                let _ = hub.store().write(|tx, _| {
                    crate::store::audit(
                        tx,
                        "trustee",
                        "decryption-shares",
                        Some(&format!(
                            "{} shares of {} asked, for {}",
                            shares,
                            a.answers.len(),
                            a.rollup
                        )),
                    )
                });
                return Ok(a);
            }
            Err(e) if e.reason() == Reason::UnknownJointKey => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(last
        .map(Error::from)
        .unwrap_or_else(|| Error::refused(404, "not-a-trustee", "no trustee file answers")))
}

/// Chapter reports a trustee hub verified in full (signature and range proofs) while answering
/// share calls, by the digest of their signed bytes: the next call's bundle, which holds most of
/// them again (the same period at another view, or the next publication), does not verify them
/// again (docs/protocol.md §17.13). Reports the hub ingested itself are known from its store.
/// In memory only and bounded: beyond [`SeenReports::MAX`] the oldest are forgotten, so a
/// restart or a flood of calls costs time, never a check (a forgotten report is verified again).
#[derive(Debug, Default)]
pub struct SeenReports {
    inner: std::sync::Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    order: std::collections::VecDeque<Digest>,
    set: std::collections::HashSet<Digest>,
}

impl SeenReports {
    /// The most digests kept: a national federation's reports for several periods (250 chapters
    /// × 12 months is 3,000), at 32 bytes each.
    pub const MAX: usize = 8_192;

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        // A panic elsewhere while holding the lock leaves a set that is still only digests of
        // verified reports; keep using it.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The digests remembered now.
    pub fn snapshot(&self) -> std::collections::HashSet<Digest> {
        self.lock().set.clone()
    }

    /// Remembers digests of reports just verified in full, forgetting the oldest beyond
    /// [`SeenReports::MAX`].
    pub fn remember(&self, digests: &[Digest]) {
        let mut seen = self.lock();
        for d in digests {
            if seen.set.insert(*d) {
                seen.order.push_back(*d);
            }
        }
        while seen.order.len() > Self::MAX {
            if let Some(old) = seen.order.pop_front() {
                seen.set.remove(&old);
            }
        }
    }

    /// How many digests are remembered.
    pub fn len(&self) -> usize {
        self.lock().set.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What decryption gave a publication.
#[derive(Clone, Debug, Default)]
pub struct Decrypted {
    /// The rollup whose tree the tallies come from.
    pub rollup: Option<Digest>,
    /// The released aggregates, each with its view's clear part.
    pub released: Vec<(Released, ClearPart)>,
    /// Aggregates asked for and not released, and why.
    pub withheld: Vec<(Wanted, String)>,
    /// The disclosure threshold the release rule applied (the largest any chapter of the tree
    /// applied).
    pub k: u64,
}

/// The joint key the tree's chapters encrypted to (the newest this hub holds, if several).
fn tree_key(hub: &Hub, tree: &Tree) -> Result<Option<JointKey>> {
    let keys = crate::encrypted::keys(hub)?;
    Ok(keys.into_iter().rev().find(|k| {
        let id = k.id();
        tree.reports().any(|(_, r)| r.joint_key == Some(id))
    }))
}

/// Decrypts what the rule releases of the period's aggregates, asking the configured trustees;
/// `covers` are the child documents the publication sums, which the rollup must bind exactly
/// (otherwise a report arrived in between and nothing is decrypted this time).
pub fn decrypt(hub: &Hub, period: Period, covers: &[(PartyId, String)]) -> Result<Decrypted> {
    // Trustees answer only the national hub (one decision for the federation, docs/protocol.md
    // §17.14): a regional hub asks national for what its publication released instead.
    let parent = crate::relay::parent_of(hub)?;
    let (own, peers) = match hub.level() {
        Level::National => (
            own_trustees(hub.dir()),
            hub.config().decryption.trustees.clone(),
        ),
        Level::Regional => (Vec::new(), Vec::new()),
    };
    if crate::encrypted::keys(hub)?.is_empty()
        || (own.is_empty() && peers.is_empty() && parent.is_none())
    {
        // No joint key, or nobody to ask: nothing can be decrypted here.
        return Ok(Decrypted::default());
    }
    let built = crate::rollups::build(hub, period)?;
    // The tree `bundle_with_tree` verified on the way, signed by this hub: trustees verify the
    // bundle themselves, and this hub's own trustee file answers from this tree.
    let (bundle, tree) = crate::rollups::bundle_with_tree(hub, built.envelope.clone())?;
    let signer = hub.card().clone();
    let mut bound: Vec<(PartyId, String)> = tree
        .top
        .children
        .iter()
        .map(|c| (c.id.clone(), c.document.to_hex()))
        .collect();
    bound.sort();
    let mut wanted_covers = covers.to_vec();
    wanted_covers.sort();
    if bound != wanted_covers {
        tracing::info!(%period, "a report arrived while publishing: no decryption this time");
        return Ok(Decrypted::default());
    }
    let Some(key) = tree_key(hub, &tree)? else {
        return Ok(Decrypted::default());
    };
    let policy = publication::policy_of(&tree)?;
    let aggregates = publication::candidates(&tree, &key);
    let lines = publication::lines(&aggregates);
    let wanted = publication::wanted(&policy, &aggregates, &lines);
    let rollup = built.envelope.digest();
    if wanted.is_empty() {
        return Ok(Decrypted {
            rollup: Some(rollup),
            ..Decrypted::default()
        });
    }
    let request = ShareRequest {
        schema: publication::SHARE_REQUEST_SCHEMA.into(),
        hub: hub.card().id.clone(),
        period,
        rollup,
        joint_key: key.id(),
        wanted: wanted.clone(),
    };
    let call = ShareCall {
        request: Envelope::sign(&request, hub.keys()),
        bundle,
    };
    let mut answers = Vec::new();
    for t in own.iter().filter(|t| t.joint_key().id() == key.id()) {
        match publication::answer_tree(t, &signer, &tree, &request, |_| true) {
            Ok(a) => answers.push(a),
            Err(e) => tracing::warn!(%period, "this hub's own trustee file: {e}"),
        }
    }
    if !peers.is_empty() {
        answers.extend(ask_peers(&peers, &call));
    }
    // A regional hub also takes what national's publication released at its views: the same
    // decision national's drill-down shows (crate::relay).
    if let Some(p) = &parent {
        match crate::relay::ask(p, &call.request) {
            Ok(r) if r.covered => answers.extend(r.answers),
            Ok(_) => tracing::info!(%period, "national's publication does not sum this rollup yet"),
            Err(e) => tracing::warn!(%period, "national's relay: {e}"),
        }
    }
    let combined = publication::combine_answers(
        &key,
        &policy,
        &aggregates,
        &lines,
        &publication::reports(&tree, &key, &policy),
        &rollup,
        &wanted,
        &answers,
    )?;
    let released = combined
        .released
        .into_iter()
        .map(|r| {
            let part = clear_part(&tree, &r.view, &r.key);
            (r, part)
        })
        .collect();
    Ok(Decrypted {
        rollup: Some(rollup),
        released,
        withheld: combined.withheld,
        k: policy.k(),
    })
}

/// The clear part of a cell at a view of the tree.
fn clear_part(tree: &Tree, view: &[String], key: &CellKey) -> ClearPart {
    let rollup = match view.last() {
        None => Some(&tree.top),
        Some(id) => tree.nodes.iter().find_map(|n| match &n.content {
            Content::Rollup(r) if n.id.as_str() == id => Some(r.as_ref()),
            _ => None,
        }),
    };
    rollup
        .and_then(|r| r.cell(key))
        .map_or(ClearPart::default(), |c| ClearPart {
            sum: c.sum,
            suppressed: c.suppressed,
        })
}

/// Asks every configured trustee, each on its own connection, from a thread with its own
/// runtime (publication runs in blocking code, from the background task or the command line).
fn ask_peers(peers: &[crate::config::TrusteePeer], call: &ShareCall) -> Vec<ShareAnswer> {
    let Ok(body) = serde_json::to_vec(call) else {
        return Vec::new();
    };
    let run = || -> Vec<ShareAnswer> {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return Vec::new();
        };
        rt.block_on(async {
            let Ok(client) = crate::forward::client() else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for p in peers {
                let url = format!("{}{SHARES_PATH}", p.url.trim_end_matches('/'));
                let sent = client
                    .post(&url)
                    .timeout(ANSWER_TIMEOUT)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                match sent {
                    Ok(resp) if resp.status().is_success() => {
                        match resp.json::<ShareAnswer>().await {
                            Ok(a) => out.push(a),
                            Err(e) => tracing::warn!(trustee = %p.id, "unreadable answer: {e}"),
                        }
                    }
                    Ok(resp) => {
                        let status = resp.status();
                        let text = resp.text().await.unwrap_or_default();
                        tracing::warn!(trustee = %p.id, %status, "share request refused: {text}");
                    }
                    Err(e) => tracing::warn!(trustee = %p.id, "share request failed: {e}"),
                }
            }
            out
        })
    };
    std::thread::scope(|s| s.spawn(run).join().unwrap_or_default())
}

/// A cell's clear part at a view: its rollup cell's published sum and how many chapters
/// suppressed it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClearPart {
    /// The sum of the chapters' published values.
    pub sum: u64,
    /// How many chapters withheld it.
    pub suppressed: u32,
}

/// Schema id of a [`PublicationBundle`].
pub const PUBLICATION_BUNDLE_SCHEMA: &str = "shopfloor.publication-bundle.v1";

/// A publication with the rollup bundle its released aggregates were decrypted from: what
/// `shopfloor-hub export-publication` writes and `shopfloor-hub verify` checks offline.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationBundle {
    /// [`PUBLICATION_BUNDLE_SCHEMA`].
    pub schema: String,
    /// The signed publication.
    pub publication: Envelope,
    /// The released aggregates its `released` digest names (the JSON those bytes are).
    #[serde(default)]
    pub released: String,
    /// The hub's rollup bundle (chain, revocations, every document, joint keys).
    pub rollup: Bundle,
}

/// What verifying a publication bundle found.
#[derive(Clone, Debug, Serialize)]
pub struct PublicationSummary {
    /// The publishing hub.
    pub hub: PartyId,
    /// The period.
    pub period: Period,
    /// The publication's sequence number.
    pub sequence: u32,
    /// Chapter reports verified.
    pub chapters: usize,
    /// Released aggregates checked.
    pub released: usize,
}

/// Verifies a publication bundle offline against the root card: the rollup bundle (every
/// signature, tally and range proof to the root), the publication's signature by the same hub
/// and its rollup's digest, every released aggregate (its tally, every decryption share's proof,
/// the value, the family rule: `tally-mismatch`, `bad-decryption-share`, `insufficient-shares`,
/// `release-refused`), and that every figure viewers see is the one the hub's rule derives from
/// the verified reports with those values ([`crate::publish::views_with`]: the clear rule, then
/// each released value as [`shown`] allows; `sum-mismatch` naming the first cell that differs).
pub fn verify_publication_bundle(
    bundle: &PublicationBundle,
    root: &Card,
) -> std::result::Result<PublicationSummary, Vec<shopfloor_protocol::Error>> {
    use shopfloor_protocol::Error as E;
    let one = |e: E| vec![e];
    if bundle.schema != PUBLICATION_BUNDLE_SCHEMA {
        return Err(one(E::new(
            Reason::UnsupportedSchema,
            format!("publication bundle schema {}", bundle.schema),
        )));
    }
    let (signer, tree) = verify_bundle_tree(&bundle.rollup, root)?;
    let p: Publication = bundle
        .publication
        .open_document(&signer.signing_key)
        .map_err(one)?;
    if p.hub != signer.id || p.period != tree.top.period {
        return Err(one(E::new(
            Reason::BadSignature,
            "the publication is not the rollup signer's for that period",
        )));
    }
    let released: Vec<Released> = match p.released {
        None => Vec::new(),
        Some(digest) => {
            if Digest::of(bundle.released.as_bytes()) != digest {
                return Err(one(E::new(
                    Reason::TallyMismatch,
                    "the released aggregates are not those the publication names",
                )));
            }
            if p.rollup != Some(bundle.rollup.document.digest()) {
                return Err(one(E::new(
                    Reason::TallyMismatch,
                    "the publication names another rollup than the bundle's",
                )));
            }
            serde_json::from_str(&bundle.released).map_err(|e| {
                one(E::new(
                    Reason::Malformed,
                    format!("the released aggregates: {e}"),
                ))
            })?
        }
    };
    if !released.is_empty() {
        let key = released
            .first()
            .and_then(|r| {
                bundle
                    .rollup
                    .joint_keys
                    .iter()
                    .find(|k| k.id() == r.tally.key)
            })
            .ok_or_else(|| {
                one(E::new(
                    Reason::UnknownJointKey,
                    "the bundle does not carry the joint key of the released aggregates",
                ))
            })?;
        publication::check_released(&tree, key, &released).map_err(one)?;
        // Every figure viewers see, derived again from the verified reports: the clear rule's
        // decision with these released values, and each value as `shown` allows.
        let pairs: Vec<(Released, ClearPart)> = released
            .iter()
            .map(|r| (r.clone(), clear_part(&tree, &r.view, &r.key)))
            .collect();
        let rule_tree = crate::publish::tree_of_rollup(&tree, &signer);
        let k = publication::policy_of(&tree).map_err(one)?.k();
        let expected = crate::publish::views_with(&rule_tree, &pairs, k)
            .map_err(|e| one(E::new(Reason::SumMismatch, e.to_string())))?;
        if let Some(why) = views_differ(&p.views, &expected) {
            return Err(one(E::new(Reason::SumMismatch, why)));
        }
    }
    Ok(PublicationSummary {
        hub: p.hub.clone(),
        period: p.period,
        sequence: p.sequence,
        chapters: tree.reports().count(),
        released: released.len(),
    })
}

/// The first difference between the views a publication shows and those the rule derives.
fn views_differ(
    shown: &[crate::publish::View],
    derived: &[crate::publish::View],
) -> Option<String> {
    if shown.len() != derived.len() {
        return Some(format!(
            "the publication shows {} views, the rule over the verified reports {}",
            shown.len(),
            derived.len()
        ));
    }
    for v in shown {
        let Some(d) = derived.iter().find(|d| d.path == v.path) else {
            return Some(format!("view {:?} is not one the rule derives", v.path));
        };
        if v.chapters != d.chapters || v.cells.len() != d.cells.len() {
            return Some(format!(
                "view {:?}: its chapters or cells are not the rule's",
                v.path
            ));
        }
        for c in &v.cells {
            let want = d.cells.iter().find(|x| x.key == c.key).map(|x| x.value);
            if want != Some(c.value) {
                return Some(format!(
                    "{} at {:?}: viewers see {:?}, the rule over the verified reports gives {want:?}",
                    c.key, v.path, c.value
                ));
            }
        }
    }
    None
}

/// The period's newest publication with the bundle of the rollup it names (or, when it names
/// none, of the newest rollup), for offline verification.
pub fn export(hub: &Hub, period: Period) -> Result<(PublicationBundle, Vec<Released>)> {
    let stored = crate::publish::latest(hub, period)?.ok_or_else(|| {
        Error::refused(
            404,
            "no-publication",
            format!("no publication of {period} yet"),
        )
    })?;
    let envelope = match stored.publication.rollup {
        Some(digest) => crate::rollups::by_digest(hub, &digest)?,
        None => crate::rollups::latest(hub, period)?.map(|b| b.envelope),
    }
    .ok_or_else(|| {
        Error::refused(
            404,
            "no-rollup",
            format!("the rollup of publication {period} is not held"),
        )
    })?;
    let released = crate::publish::released(hub, &stored)?;
    let released_json = if stored.publication.released.is_some() {
        serde_json::to_string(&released).map_err(|e| Error::Internal(e.to_string()))?
    } else {
        String::new()
    };
    Ok((
        PublicationBundle {
            schema: PUBLICATION_BUNDLE_SCHEMA.into(),
            publication: stored.envelope,
            released: released_json,
            rollup: crate::rollups::bundle(hub, envelope)?,
        },
        released,
    ))
}

/// Digests of the chapter reports this hub ingested, each verified then (signature, range
/// proofs): a trustee does not verify them again in a share call (docs/protocol.md §17.13).
fn verified_reports(hub: &Hub) -> Result<std::collections::HashSet<String>> {
    hub.store().read(|db| {
        let mut stmt = db.prepare("SELECT digest FROM reports WHERE kind = 'report'")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = std::collections::HashSet::new();
        for row in rows {
            out.insert(row?);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_reports_forget_the_oldest_beyond_their_bound() {
        let seen = SeenReports::default();
        assert!(seen.is_empty());
        let digest = |i: usize| {
            let mut b = [0u8; 32];
            b[..8].copy_from_slice(&(i as u64).to_le_bytes());
            Digest(b)
        };
        let first: Vec<Digest> = (0..10).map(digest).collect();
        seen.remember(&first);
        seen.remember(&first);
        assert_eq!(seen.len(), 10, "a digest remembered twice counts once");
        let rest: Vec<Digest> = (10..SeenReports::MAX + 5).map(digest).collect();
        seen.remember(&rest);
        assert_eq!(seen.len(), SeenReports::MAX);
        let now = seen.snapshot();
        assert!(!now.contains(&digest(0)) && !now.contains(&digest(4)));
        assert!(now.contains(&digest(5)) && now.contains(&digest(SeenReports::MAX + 4)));
    }
}
