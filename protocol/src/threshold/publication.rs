//! Decryption at publication (docs/protocol.md §17.5): which of a hub's encrypted aggregates its
//! publication may show exactly, how the hub asks trustees for decryption shares, how each
//! trustee decides on its own whether to answer, and how anyone checks the result offline.
//!
//! Everything is computed from one verified rollup tree ([`crate::rollup::verify_bundle_tree`]):
//! the hub's own rollup, every child rollup and every chapter report below it, each signature,
//! tally and range proof checked. The hub, each trustee and every verifier compute the same
//! [`candidates`] from that tree and apply the same family rule ([`super::family`]), so:
//!
//! 1. The hub ([`wanted`]) asks for the aggregates the rule releases before decryption, sending
//!    a [`ShareCall`]: its rollup's bundle and a [`ShareRequest`] signed with the key that signed
//!    the rollup.
//! 2. A trustee ([`answer`]) verifies the bundle against the root card and the request's
//!    signature, recomputes the candidates and the rule itself, and answers with a decryption
//!    share only for the aggregates the rule releases; every other one is refused with the
//!    rule's reason. A trustee never decrypts a single chapter's ciphertext: a candidate is a
//!    view's tally, over at least three chapters (rule 1). Only the national hub (the root
//!    card's) is answered: its decision is the federation's, and a regional hub shows what
//!    national's publication released at its views (docs/protocol.md §17.14).
//! 3. The hub combines `t` shares per aggregate ([`combine_answers`]), applies the rule again
//!    with the values ([`Form::AfterDecryption`]) and publishes what it releases as
//!    [`Released`] aggregates, with the shares and their proofs.
//! 4. A verifier ([`check_released`]) checks each [`Released`] against the tally at its view in
//!    the verified tree, its shares' Chaum–Pedersen proofs, and the family rule over all of them
//!    ([`super::family::audit`]).
//!
//! What is known of each chapter's value before any release ([`super::family::Candidate::known`])
//! is the feasible interval its own published cells give
//! ([`crate::disclosure::intervals_report`]), clipped to `1..=bound − 1`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::decrypt::{DecodeTable, DecryptionShare, MAX_TABLE, combine};
use super::family::{self, Candidate, Decision, Form, Line};
use super::key::{JointKey, Trustee};
use super::narrowing::Reports;
use super::release::ReleasePolicy;
use super::released::Released;
use super::tally::Tally;
use crate::envelope::{Digest, Document, Envelope};
use crate::error::{Error, Reason, Result};
use crate::identity::{Card, Kind, PartyId};
use crate::report::{CellKey, Period, check_schema};
use crate::rollup::{Bundle, Content, Rollup, Tree};

/// Schema id of a [`ShareRequest`].
pub const SHARE_REQUEST_SCHEMA: &str = "shopfloor.share-request.v1";
/// Schema id of a [`ShareAnswer`].
pub const SHARE_ANSWER_SCHEMA: &str = "shopfloor.share-answer.v1";
/// The most aggregates one request may name.
pub const MAX_WANTED: usize = 100_000;

/// An aggregate: a cell key at a view of the hub's tree (hub ids below the hub; empty: the hub).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wanted {
    /// The cell.
    pub key: CellKey,
    /// The view.
    pub view: Vec<String>,
}

/// What a hub asks trustees to decrypt, signed by the hub with the key that signed its rollup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// [`SHARE_REQUEST_SCHEMA`].
    pub schema: String,
    /// The asking hub.
    pub hub: PartyId,
    /// The period.
    pub period: Period,
    /// The digest of the rollup envelope whose tree holds the tallies.
    pub rollup: Digest,
    /// The joint key's id.
    pub joint_key: Digest,
    /// The aggregates asked for.
    pub wanted: Vec<Wanted>,
}

impl Document for ShareRequest {
    const PAYLOAD_TYPE: &'static str = "application/vnd.shopfloor.share-request.v1+json";

    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.share-request.", SHARE_REQUEST_SCHEMA)?;
        let r: ShareRequest = serde_json::from_slice(bytes)
            .map_err(|e| Error::malformed(format!("share request: {e}")))?;
        if r.wanted.len() > MAX_WANTED {
            return Err(Error::malformed(format!(
                "a share request names at most {MAX_WANTED} aggregates"
            )));
        }
        Ok(r)
    }

    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// What travels to a trustee: the signed request and the rollup's bundle (chain from the root,
/// revocations, every document the tree binds, the joint keys).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareCall {
    /// The signed [`ShareRequest`].
    pub request: Envelope,
    /// The rollup's bundle.
    pub bundle: Bundle,
}

/// A trustee's answer for one aggregate: a share, or why not.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answered {
    /// The aggregate.
    pub wanted: Wanted,
    /// The share with its proof, when the trustee's rule releases the aggregate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<DecryptionShare>,
    /// Why not, otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// A trustee's answer to a [`ShareRequest`]. Unsigned: each share carries its own proof against
/// the trustee's public key share.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareAnswer {
    /// [`SHARE_ANSWER_SCHEMA`].
    pub schema: String,
    /// The trustee.
    pub trustee: PartyId,
    /// The digest of the rollup the answer is for.
    pub rollup: Digest,
    /// One entry per aggregate asked for, in the request's order.
    pub answers: Vec<Answered>,
}

/// One aggregate of a tree: its candidate for the rule and its tally.
#[derive(Clone, Debug)]
pub struct Aggregate {
    /// The candidate the family rule judges (chapters, bounds, what is known of each).
    pub candidate: Candidate,
    /// The tally at that view.
    pub tally: Tally,
}

/// The release policy for a tree: the largest disclosure threshold any of its chapters applied.
pub fn policy_of(tree: &Tree) -> Result<ReleasePolicy> {
    let k = tree
        .reports()
        .map(|(_, r)| r.policy.k)
        .max()
        .unwrap_or(crate::report::DisclosurePolicy::default().k);
    ReleasePolicy::new(k)
}

/// Every view of the tree with its rollup: the top (empty path) and each rollup below it.
fn views(tree: &Tree) -> Vec<(Vec<String>, &Rollup)> {
    let top = tree.top.hub.clone();
    let parents: BTreeMap<&PartyId, &PartyId> = tree
        .nodes
        .iter()
        .filter(|n| matches!(n.content, Content::Rollup(_)))
        .map(|n| (&n.id, &n.parent))
        .collect();
    let mut out = vec![(Vec::new(), &tree.top)];
    for n in &tree.nodes {
        let Content::Rollup(r) = &n.content else {
            continue;
        };
        let mut path = vec![n.id.as_str().to_owned()];
        let mut at = &n.parent;
        // A tree is acyclic once verified; the bound only guards against a malformed one.
        for _ in 0..tree.nodes.len() {
            if *at == top {
                break;
            }
            path.push(at.as_str().to_owned());
            match parents.get(at) {
                Some(p) => at = p,
                None => break,
            }
        }
        path.reverse();
        out.push((path, r));
    }
    out
}

/// Every aggregate of the tree under `key`: each view's tallied cells, with each chapter's
/// known interval from its own report. In view then key order.
pub fn candidates(tree: &Tree, key: &JointKey) -> Vec<Aggregate> {
    let id = key.id();
    let mut known: BTreeMap<&PartyId, BTreeMap<CellKey, (u64, u64)>> = BTreeMap::new();
    for (node, report) in tree.reports() {
        if report.joint_key == Some(id) {
            known.insert(
                &node.id,
                crate::disclosure::intervals_report(&report.cells, &report.campaigns),
            );
        }
    }
    let mut out = Vec::new();
    let mut all = views(tree);
    all.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, rollup) in all {
        for cell in &rollup.cells {
            let Some(tally) = &cell.tally else {
                continue;
            };
            if tally.key != id {
                continue;
            }
            let intervals: BTreeMap<PartyId, (u64, u64)> = tally
                .chapters
                .iter()
                .filter_map(|c| {
                    let (lo, hi) = *known.get(&c.chapter)?.get(&cell.key)?;
                    let top = c.bound.saturating_sub(1);
                    Some((c.chapter.clone(), (lo.clamp(1, top.max(1)), hi.min(top))))
                })
                .collect();
            out.push(Aggregate {
                candidate: Candidate::new(cell.key.clone(), path.clone(), tally.chapters.clone())
                    .with_known(intervals),
                tally: tally.clone(),
            });
        }
    }
    out
}

/// The reports of the tree's chapters that encrypted to `key`, for clause 10 of the family rule
/// after decryption ([`super::narrowing`]).
pub fn reports<'a>(tree: &'a Tree, key: &JointKey, policy: &ReleasePolicy) -> Reports<'a> {
    let id = key.id();
    let mut out = Reports::new(policy.k());
    for (node, report) in tree.reports() {
        if report.joint_key == Some(id) {
            out.insert(node.id.clone(), report);
        }
    }
    out
}

/// The lines between the candidates' keys ([`family::lines_for`]).
pub fn lines(aggregates: &[Aggregate]) -> Vec<Line> {
    let keys: BTreeSet<CellKey> = aggregates.iter().map(|a| a.candidate.key.clone()).collect();
    let keys: Vec<CellKey> = keys.into_iter().collect();
    family::lines_for(&keys)
}

fn decide(
    policy: &ReleasePolicy,
    aggregates: &[Aggregate],
    lines: &[Line],
    form: Form,
) -> Decision {
    let cands: Vec<Candidate> = aggregates.iter().map(|a| a.candidate.clone()).collect();
    family::decide(policy, &cands, lines, form)
}

/// The aggregates' candidates without values: values are filled in as shares decrypt them.
fn valueless(aggregates: &[Aggregate]) -> Vec<Candidate> {
    aggregates
        .iter()
        .map(|a| Candidate {
            value: None,
            ..a.candidate.clone()
        })
        .collect()
}

/// What a hub asks trustees for: every aggregate the rule releases before decryption.
pub fn wanted(policy: &ReleasePolicy, aggregates: &[Aggregate], lines: &[Line]) -> Vec<Wanted> {
    let d = decide(policy, aggregates, lines, Form::BeforeDecryption);
    aggregates
        .iter()
        .enumerate()
        .filter(|(i, _)| d.releases(*i))
        .map(|(_, a)| Wanted {
            key: a.candidate.key.clone(),
            view: a.candidate.view.clone(),
        })
        .collect()
}

fn find<'a>(aggregates: &'a [Aggregate], w: &Wanted) -> Option<(usize, &'a Aggregate)> {
    aggregates
        .iter()
        .enumerate()
        .find(|(_, a)| a.candidate.key == w.key && a.candidate.view == w.view)
}

/// A trustee's answer to a call: the bundle verified against `root`, the request's signature by
/// the rollup's signer, the rule recomputed from the tree; a share for each aggregate asked for
/// that the rule releases before decryption, a refusal naming why for every other one.
///
/// `allowed` says whether the trustee answers this hub at all (its configured policy). Errors:
/// the bundle's reasons, `release-refused` for a rollup not signed by the national hub (the
/// root card: one decision for the federation, [`super::family`]), `bad-signature` for a
/// request not signed by the rollup's signer,
/// `malformed` for a request about another rollup or period, `unknown-joint-key` when the
/// trustee does not hold the key asked for, `release-refused` when `allowed` says no.
pub fn answer(
    trustee: &Trustee,
    root: &Card,
    call: &ShareCall,
    allowed: impl Fn(&PartyId) -> bool,
) -> Result<ShareAnswer> {
    answer_known(trustee, root, call, allowed, None).map(|(answer, _)| answer)
}

/// [`answer`] by a trustee that already verified some chapter reports: those `known` accepts
/// (by the digest of their signed bytes) are not verified again
/// ([`crate::rollup::verify_bundle_tree_known`]); the tree, the request and the rule are.
/// Returns the answer and the digest of every chapter report the tree binds, each of them now
/// verified, which a trustee may remember for its next call.
pub fn answer_known(
    trustee: &Trustee,
    root: &Card,
    call: &ShareCall,
    allowed: impl Fn(&PartyId) -> bool,
    known: Option<crate::rollup::Known<'_>>,
) -> Result<(ShareAnswer, Vec<Digest>)> {
    let (signer, tree) = crate::rollup::verify_bundle_tree_known(&call.bundle, root, known)
        .map_err(|errors| {
            let detail: Vec<String> = errors.iter().map(ToString::to_string).collect();
            let reason = errors.first().map_or(Reason::Malformed, Error::reason);
            Error::new(
                reason,
                format!("the rollup's bundle: {}", detail.join("; ")),
            )
        })?;
    if signer.id != root.id {
        return Err(Error::new(
            Reason::ReleaseRefused,
            format!(
                "trustees answer only the national hub (the root card's), not {}",
                signer.id
            ),
        ));
    }
    let request: ShareRequest = call.request.open_document(&signer.signing_key)?;
    if request.rollup != call.bundle.document.digest() {
        return Err(Error::malformed(
            "the request names another rollup than the bundle's",
        ));
    }
    let answer = answer_tree(trustee, &signer, &tree, &request, allowed)?;
    let reports = tree.reports().map(|(node, _)| node.digest).collect();
    Ok((answer, reports))
}

/// [`answer`] for a tree already verified (the hub's own, when it holds a trustee file itself):
/// `signer` signed the tree's top rollup and `request`.
pub fn answer_tree(
    trustee: &Trustee,
    signer: &Card,
    tree: &Tree,
    request: &ShareRequest,
    allowed: impl Fn(&PartyId) -> bool,
) -> Result<ShareAnswer> {
    if request.hub != signer.id || tree.top.hub != signer.id {
        return Err(Error::new(
            Reason::BadSignature,
            "the request is not from the hub that signed the rollup",
        ));
    }
    // One decision for the federation: the national hub's, whose own figures a region may
    // yield to (super::family, "The deciding hub's own figure first"). A region's own request
    // would decrypt what national's decision withheld; it shows national's figures instead.
    if signer.kind != Kind::National {
        return Err(Error::new(
            Reason::ReleaseRefused,
            format!(
                "trustees answer only the national hub; {} is a {} hub and shows what \
                 national's publication released at its views",
                signer.id,
                signer.kind.as_str()
            ),
        ));
    }
    if request.period != tree.top.period {
        return Err(Error::malformed(
            "the request names another period than the rollup's",
        ));
    }
    if !allowed(&request.hub) {
        return Err(Error::new(
            Reason::ReleaseRefused,
            format!("this trustee does not answer hub {}", request.hub),
        ));
    }
    let key = trustee.joint_key();
    if request.joint_key != key.id() {
        return Err(Error::new(
            Reason::UnknownJointKey,
            format!(
                "this trustee holds a share of joint key {}, not {}",
                key.id(),
                request.joint_key
            ),
        ));
    }
    let policy = policy_of(tree)?;
    let aggregates = candidates(tree, key);
    let lines = lines(&aggregates);
    let d = decide(&policy, &aggregates, &lines, Form::BeforeDecryption);
    let answers = request
        .wanted
        .iter()
        .map(|w| {
            let (share, refused) = match find(&aggregates, w) {
                None => (None, Some("no such aggregate in the tree".to_owned())),
                Some((i, _)) if !d.releases(i) => (
                    None,
                    Some(format!(
                        "the release rule withholds it: {:?}",
                        d.withheld.get(&i)
                    )),
                ),
                Some((_, a)) => match trustee.share_known(&a.tally, &policy, &a.candidate.known) {
                    Ok(s) => (Some(s), None),
                    Err(e) => (None, Some(e.to_string())),
                },
            };
            Answered {
                wanted: w.clone(),
                share,
                refused,
            }
        })
        .collect();
    Ok(ShareAnswer {
        schema: SHARE_ANSWER_SCHEMA.into(),
        trustee: trustee.id().clone(),
        rollup: request.rollup,
        answers,
    })
}

/// What the hub made of the trustees' answers.
#[derive(Clone, Debug, Default)]
pub struct Combined {
    /// The aggregates the rule releases with their values, each with `t` shares.
    pub released: Vec<Released>,
    /// Aggregates asked for that are not released, and why.
    pub withheld: Vec<(Wanted, String)>,
}

/// Combines the trustees' answers: for each aggregate asked for, the valid shares (each checked
/// against its proof; answers for another rollup are ignored) are combined when there are `t`;
/// then the rule is applied with the values ([`Form::AfterDecryption`], clause 10 on the
/// chapters' `reports`) and what it releases is returned as [`Released`] aggregates.
#[allow(clippy::too_many_arguments)]
pub fn combine_answers(
    key: &JointKey,
    policy: &ReleasePolicy,
    aggregates: &[Aggregate],
    lines: &[Line],
    reports: &Reports<'_>,
    rollup: &Digest,
    asked: &[Wanted],
    answers: &[ShareAnswer],
) -> Result<Combined> {
    let t = usize::from(key.ceremony().threshold());
    let max = asked
        .iter()
        .filter_map(|w| find(aggregates, w))
        .map(|(_, a)| a.tally.max_value())
        .max()
        .unwrap_or(0)
        .min(MAX_TABLE);
    let table = DecodeTable::new(max)?;
    let mut out = Combined::default();
    let mut with_values = valueless(aggregates);
    let mut shares_of: BTreeMap<usize, Vec<DecryptionShare>> = BTreeMap::new();
    for w in asked {
        let Some((i, a)) = find(aggregates, w) else {
            out.withheld.push((w.clone(), "no such aggregate".into()));
            continue;
        };
        let mut shares: Vec<DecryptionShare> = Vec::new();
        let mut refusals = Vec::new();
        for ans in answers.iter().filter(|a| a.rollup == *rollup) {
            for got in ans.answers.iter().filter(|g| g.wanted == *w) {
                match &got.share {
                    Some(s)
                        if key.verify_share(&a.tally.ciphertext, s).is_ok()
                            && !shares.iter().any(|x| x.trustee == s.trustee) =>
                    {
                        shares.push(s.clone());
                    }
                    Some(_) => {
                        refusals.push(format!("{}: a share that does not verify", ans.trustee))
                    }
                    None => refusals.push(format!(
                        "{}: {}",
                        ans.trustee,
                        got.refused.as_deref().unwrap_or("no share")
                    )),
                }
            }
        }
        shares.truncate(t);
        if shares.len() < t {
            out.withheld.push((
                w.clone(),
                format!("{} of {t} shares ({})", shares.len(), refusals.join("; ")),
            ));
            continue;
        }
        match combine(key, &a.tally, &shares, &table) {
            Ok(v) => {
                if let Some(c) = with_values.get_mut(i) {
                    c.value = Some(v);
                }
                shares_of.insert(i, shares);
            }
            Err(e) => out.withheld.push((w.clone(), e.to_string())),
        }
    }
    let d = family::decide_with(policy, &with_values, lines, Form::AfterDecryption, reports);
    for (i, shares) in shares_of {
        let (Some(a), Some(c)) = (aggregates.get(i), with_values.get(i)) else {
            continue;
        };
        if d.releases(i)
            && let Some(value) = c.value
        {
            out.released.push(Released {
                key: c.key.clone(),
                view: c.view.clone(),
                tally: a.tally.clone(),
                shares,
                value,
            });
        } else {
            out.withheld.push((
                Wanted {
                    key: c.key.clone(),
                    view: c.view.clone(),
                },
                format!("withheld after decryption: {:?}", d.withheld.get(&i)),
            ));
        }
    }
    Ok(out)
}

/// Checks a publication's released aggregates against the verified tree they were decrypted
/// from: each one's tally must be the tally at its view (`tally-mismatch`), each must pass
/// [`Released::check`] (shares, proofs, value: `bad-decryption-share`, `insufficient-shares`,
/// `release-refused`), none may be released twice, and the family rule must hold over all of
/// them together with the values (`release-refused`).
pub fn check_released(tree: &Tree, key: &JointKey, released: &[Released]) -> Result<()> {
    let policy = policy_of(tree)?;
    let aggregates = candidates(tree, key);
    let lines = lines(&aggregates);
    let mut with_values = valueless(&aggregates);
    let mut forced = vec![false; aggregates.len()];
    for r in released {
        let w = Wanted {
            key: r.key.clone(),
            view: r.view.clone(),
        };
        let Some((i, a)) = find(&aggregates, &w) else {
            return Err(Error::new(
                Reason::TallyMismatch,
                format!(
                    "released {} at {:?}: no such tally in the tree",
                    r.key, r.view
                ),
            ));
        };
        if a.tally != r.tally {
            return Err(Error::new(
                Reason::TallyMismatch,
                format!(
                    "released {} at {:?}: not the tally the tree holds at that view",
                    r.key, r.view
                ),
            ));
        }
        if forced.get(i).copied().unwrap_or(false) {
            return Err(Error::malformed(format!(
                "{} at {:?} is released twice",
                r.key, r.view
            )));
        }
        r.check_known(key, &policy, &a.candidate.known)
            .map_err(|e| e.context(format!("released {} at {:?}", r.key, r.view)))?;
        if let (Some(c), Some(f)) = (with_values.get_mut(i), forced.get_mut(i)) {
            c.value = Some(r.value);
            *f = true;
        }
    }
    let decision = Decision {
        released: forced,
        withheld: BTreeMap::new(),
    };
    let problems = family::audit_with(
        &policy,
        &with_values,
        &lines,
        &decision,
        Form::AfterDecryption,
        &reports(tree, key, &policy),
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::new(
            Reason::ReleaseRefused,
            format!(
                "the released aggregates together break the release rule: {}",
                problems.join("; ")
            ),
        ))
    }
}
