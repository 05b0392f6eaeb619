//! Rollups: a hub's signed sum of its children's reports, and offline verification of the tree.
//!
//! docs/protocol.md §Rollups. A rollup (v2) binds each child's certificate and signed document
//! (a chapter's report, or a regional hub's rollup) **by digest**, states how many children it
//! has, and carries the summed cells and completeness. The documents themselves travel beside it,
//! flat, in a [`Bundle`]: each signed document once, its bytes base64-encoded once, however deep
//! the tree. Anyone holding the national root card can re-verify a bundle offline: every
//! certificate, signature, revocation, recipient, period and sum, exactly, down to the chapter
//! reports. Verification hashes each signed document once (its digest) and opens it once.
//!
//! Rollup v1 embedded every child envelope inside the payload (base64 inside base64 at every
//! level); [`legacy`] still reads it, so hubs can verify what they stored before upgrading.
//!
//! A summed cell carries, besides the sum of published counts, how many chapters suppressed it
//! (so the sum is a known lower bound), how many contributed a non-zero count, and the largest
//! single chapter's count (for the hubs' dominance rule).

mod bundle;
pub mod legacy;
mod verify;
pub mod witnessed;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

pub use bundle::{Bundle, Documents};
pub use verify::verify_bytes_witnessed;
pub use verify::{
    Content, Tree, TreeNode, verify_bundle, verify_bundle_tree, verify_bytes, verify_child_report,
    verify_rollup,
};
pub use verify::{Known, verify_bundle_tree_known};
pub use witnessed::{LogEntry, WitnessPolicy, WitnessedLog};

use crate::cert::RevocationSet;
use crate::envelope::{Digest, Document, Envelope};
use crate::error::{Error, Reason, Result};
use crate::identity::{Card, PartyId, SecretKeys};
use crate::report::{CellKey, CellValue, Period, Report, check_schema};
use crate::threshold::{ChapterBound, Ciphertext, Tally};

/// Schema id of rollup payload v2 (children bound by digest).
pub const ROLLUP_SCHEMA: &str = "shopfloor.rollup.v2";
/// Schema id of a bundle v2: a signed document, its chain, and the documents it binds, flat.
pub const BUNDLE_SCHEMA: &str = "shopfloor.bundle.v2";
/// Schema id of bundle v1 (no `documents`: v1 rollups embed their children). Still read.
pub const BUNDLE_SCHEMA_V1: &str = "shopfloor.bundle.v1";

/// The most children one rollup may bind: a region of 500 chapters or a nation of 1,000 fit with
/// room to spare.
pub const MAX_CHILDREN: usize = 4096;

/// A child as a hub hands it to [`build`]: the certificate the hub issued for it and its signed
/// document (a chapter's report, or a regional hub's rollup).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Child {
    /// The child's id.
    pub id: PartyId,
    /// The certificate this hub issued for the child.
    pub certificate: Envelope,
    /// The child's signed report (chapter) or signed rollup (regional hub).
    pub document: Envelope,
}

/// A child of a rollup, bound by the digests of its certificate and document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildRef {
    /// The child's id.
    pub id: PartyId,
    /// Digest of the certificate this hub issued for the child ([`Envelope::digest`]).
    pub certificate: Digest,
    /// Digest of the child's signed report or rollup ([`Envelope::digest`]).
    pub document: Digest,
}

/// A cell of a rollup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummedCell {
    /// Metric and dimensions.
    pub key: CellKey,
    /// Sum of the published counts.
    pub sum: u64,
    /// How many chapters suppressed this cell (each contributes an unknown count ≥ 1).
    pub suppressed: u32,
    /// How many chapters published a non-zero count.
    pub contributors: u32,
    /// The largest single chapter's published count.
    pub largest: u64,
    /// The encrypted sum of the chapters' encrypted values of this cell (their ciphertexts'
    /// product) with every contributing chapter and its bound (docs/protocol.md §17.4): from
    /// chapter reports' encrypted entries, and from child rollups' tallies. Absent when no child
    /// encrypted the cell, and in rollups that predate it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tally: Option<Tally>,
}

/// Reporting completeness of one period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Completeness {
    /// Children expected to report.
    pub expected: Vec<PartyId>,
    /// Children whose documents are bound.
    pub reported: Vec<PartyId>,
    /// Expected children that did not report.
    pub missing: Vec<PartyId>,
}

/// Rollup payload v2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rollup {
    /// [`ROLLUP_SCHEMA`] (or `shopfloor.rollup.v1` for a rollup read by [`legacy`]).
    pub schema: String,
    /// The hub that built and signed it.
    pub hub: PartyId,
    /// The parent hub it is addressed to; `None` for the national hub's own rollup.
    pub recipient: Option<PartyId>,
    /// The period.
    pub period: Period,
    /// 1, then higher for each rebuild.
    pub revision: u32,
    /// When it was built.
    pub generated_at: jiff::Timestamp,
    /// The hub's own signed revocation lists, so verifiers see whom it revoked.
    #[serde(default)]
    pub revocations: Vec<Envelope>,
    /// How many children it binds (`children.len()`, stated so a truncated list is refused).
    pub child_count: u32,
    /// The children, in id order, bound by digest.
    pub children: Vec<ChildRef>,
    /// The summed cells, in key order.
    pub cells: Vec<SummedCell>,
    /// Who reported.
    pub completeness: Completeness,
}

impl Document for Rollup {
    const PAYLOAD_TYPE: &'static str = "application/vnd.shopfloor.rollup.v2+json";

    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.rollup.", ROLLUP_SCHEMA)?;
        let rollup: Rollup =
            serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("rollup: {e}")))?;
        if usize::try_from(rollup.child_count).ok() != Some(rollup.children.len()) {
            return Err(Error::malformed(format!(
                "rollup states {} children but binds {}",
                rollup.child_count,
                rollup.children.len()
            )));
        }
        rollup.check_shape()?;
        Ok(rollup)
    }

    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl Rollup {
    /// Looks a summed cell up.
    pub fn cell(&self, key: &CellKey) -> Option<&SummedCell> {
        self.cells.iter().find(|c| &c.key == key)
    }

    /// Whether this rollup was read from the legacy v1 format.
    pub fn is_legacy(&self) -> bool {
        self.schema != ROLLUP_SCHEMA
    }

    /// Checks what every version must satisfy: valid, distinct cell keys and a bounded number
    /// of children.
    fn check_shape(&self) -> Result<()> {
        if self.children.len() > MAX_CHILDREN {
            return Err(Error::malformed(format!(
                "rollup binds {} children, more than {MAX_CHILDREN}",
                self.children.len()
            )));
        }
        let mut seen = BTreeSet::new();
        for c in &self.cells {
            c.key.validate()?;
            if !seen.insert(&c.key) {
                return Err(Error::new(
                    Reason::InvalidCell,
                    format!("rollup cell {} appears twice", c.key),
                ));
            }
        }
        Ok(())
    }
}

/// What a child's document contributes to a sum.
#[derive(Debug)]
pub enum Contribution<'a> {
    /// A chapter's report.
    Report(&'a Report),
    /// A sub-hub's rollup.
    Rollup(&'a Rollup),
}

/// Sums contributions cell by cell. Independent of order; the result is in key order.
pub fn sum<'a>(contributions: &[Contribution<'a>]) -> Vec<SummedCell> {
    #[derive(Default)]
    struct Acc {
        sum: u64,
        suppressed: u32,
        contributors: u32,
        largest: u64,
        /// Per joint key id: the product of ciphertexts and the chapters counted.
        tallies: Option<BTreeMap<Digest, (Ciphertext, Vec<ChapterBound>)>>,
    }
    impl Acc {
        fn tally(&mut self, key: Digest, ciphertext: Ciphertext, chapters: &[ChapterBound]) {
            let t = self
                .tallies
                .get_or_insert_with(BTreeMap::new)
                .entry(key)
                .or_insert_with(|| (Ciphertext::zero(), Vec::new()));
            t.0 = t.0 + ciphertext;
            t.1.extend_from_slice(chapters);
        }
    }
    /// Keyed by reference: a key is cloned once, when the result is written, not per addition.
    /// Children's documents list their cells in the same order (the registry's), so the cell at
    /// position `i` of one is nearly always the key at position `i` of the accumulator: that is
    /// tried first, with one comparison of equal keys; otherwise the key is looked up by hash.
    struct Sums<'a> {
        acc: Vec<(&'a CellKey, Acc)>,
        index: HashMap<&'a CellKey, usize>,
    }
    impl<'a> Sums<'a> {
        fn slot(&mut self, position: usize, key: &'a CellKey) -> Option<&mut Acc> {
            let i = match self.acc.get(position) {
                Some((k, _)) if *k == key => position,
                _ => match self.index.entry(key) {
                    Entry::Occupied(e) => *e.get(),
                    Entry::Vacant(e) => {
                        e.insert(self.acc.len());
                        self.acc.push((key, Acc::default()));
                        self.acc.len() - 1
                    }
                },
            };
            self.acc.get_mut(i).map(|(_, a)| a)
        }
    }
    let mut sums = Sums {
        acc: Vec::new(),
        index: HashMap::new(),
    };
    for c in contributions {
        match *c {
            Contribution::Report(r) => {
                for (i, cell) in r.cells.iter().enumerate() {
                    let Some(s) = sums.slot(i, &cell.key) else {
                        continue;
                    };
                    match cell.value {
                        CellValue::Count(v) => {
                            s.sum = s.sum.saturating_add(v);
                            if v > 0 {
                                s.contributors = s.contributors.saturating_add(1);
                            }
                            s.largest = s.largest.max(v);
                        }
                        CellValue::Suppressed => s.suppressed = s.suppressed.saturating_add(1),
                    }
                }
                if let Some(key) = r.joint_key {
                    for e in &r.encrypted {
                        let Some(s) = sums.slot(usize::MAX, &e.key) else {
                            continue;
                        };
                        let chapter = ChapterBound {
                            chapter: r.chapter.clone(),
                            bound: e.cell.bound,
                        };
                        s.tally(key, e.cell.ciphertext, std::slice::from_ref(&chapter));
                    }
                }
            }
            Contribution::Rollup(r) => {
                for (i, cell) in r.cells.iter().enumerate() {
                    let Some(s) = sums.slot(i, &cell.key) else {
                        continue;
                    };
                    s.sum = s.sum.saturating_add(cell.sum);
                    s.suppressed = s.suppressed.saturating_add(cell.suppressed);
                    s.contributors = s.contributors.saturating_add(cell.contributors);
                    s.largest = s.largest.max(cell.largest);
                    if let Some(t) = &cell.tally {
                        s.tally(t.key, t.ciphertext, &t.chapters);
                    }
                }
            }
        }
    }
    let mut acc = sums.acc;
    acc.sort_unstable_by(|a, b| a.0.cmp(b.0));
    acc.into_iter()
        .map(|(key, a)| SummedCell {
            key: key.clone(),
            sum: a.sum,
            suppressed: a.suppressed,
            contributors: a.contributors,
            largest: a.largest,
            // One key per tally: children under another key (during a rotation) are left out
            // of it; the smallest key id is kept, so the choice does not depend on order.
            tally: a.tallies.and_then(|t| t.into_iter().next()).map(
                |(key, (ciphertext, mut chapters))| {
                    chapters.sort();
                    Tally {
                        key,
                        ciphertext,
                        chapters,
                    }
                },
            ),
        })
        .collect()
}

/// Builds and signs a rollup (v2). Every child is verified against `hub` first, exactly as a
/// verifier will, so a hub cannot sign a rollup that will not verify. `documents` must hold what
/// regional children's rollups bind; the children's own certificates and documents are added to
/// it. Returns the signed rollup and the verified tree below it; [`Bundle::for_tree`] with
/// `documents` turns the two into the file a verifier reads.
#[allow(clippy::too_many_arguments)]
pub fn build(
    hub: &Card,
    keys: &SecretKeys,
    recipient: Option<PartyId>,
    period: Period,
    revision: u32,
    generated_at: jiff::Timestamp,
    expected: Vec<PartyId>,
    mut children: Vec<Child>,
    documents: &mut Documents,
    revocations: Vec<Envelope>,
) -> std::result::Result<(Envelope, Tree), Vec<Error>> {
    if keys.public_key() != hub.signing_key {
        return Err(vec![Error::new(
            Reason::ApiMisuse,
            "keys do not match the hub card",
        )]);
    }
    children.sort_by(|a, b| a.id.cmp(&b.id));
    let mut revs = RevocationSet::new();
    for env in &revocations {
        revs.add(env, hub).map_err(|e| vec![e])?;
    }
    let refs: Vec<ChildRef> = children
        .iter()
        .map(|c| ChildRef {
            id: c.id.clone(),
            certificate: c.certificate.digest(),
            document: c.document.digest(),
        })
        .collect();
    for c in children {
        documents.insert(c.certificate);
        documents.insert(c.document);
    }
    let mut tree = verify::Walk::new(documents);
    let cells = tree.children(hub, period, &refs, &revs, None)?;
    let mut expected: Vec<PartyId> = expected;
    let reported: Vec<PartyId> = refs.iter().map(|c| c.id.clone()).collect();
    expected.extend(reported.iter().cloned());
    expected.sort();
    expected.dedup();
    let missing = expected
        .iter()
        .filter(|e| reported.binary_search(e).is_err())
        .cloned()
        .collect();
    let rollup = Rollup {
        schema: ROLLUP_SCHEMA.to_owned(),
        hub: hub.id.clone(),
        recipient,
        period,
        revision,
        generated_at,
        revocations,
        child_count: u32::try_from(refs.len()).unwrap_or(u32::MAX),
        children: refs,
        cells,
        completeness: Completeness {
            expected,
            reported,
            missing,
        },
    };
    let envelope = Envelope::sign(&rollup, keys);
    let tree = tree.finish(rollup, Summary::default());
    Ok((envelope, tree))
}

/// What a successful verification covered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// What was verified: `rollup`, `report` or `certificate`.
    pub document: String,
    /// Its signer.
    pub signer: Option<PartyId>,
    /// Its period, for reports and rollups.
    pub period: Option<Period>,
    /// Chapter reports verified.
    pub chapters: usize,
    /// Hub rollups verified (including the top one).
    pub hubs: usize,
    /// Cells in the top rollup or report.
    pub cells: usize,
    /// Expected children that did not report (top level).
    pub missing: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let signer = self
            .signer
            .as_ref()
            .map_or("?".to_owned(), ToString::to_string);
        let period = self.period.map_or(String::new(), |p| format!(" for {p}"));
        match self.document.as_str() {
            "rollup" => write!(
                f,
                "OK: rollup by {signer}{period}: {} chapter reports and {} hub rollups verified, {} cells sum exactly, {} expected children missing",
                self.chapters, self.hubs, self.cells, self.missing
            ),
            "report" => write!(
                f,
                "OK: report by {signer}{period}: signature, chain and {} cells verified",
                self.cells
            ),
            other => write!(f, "OK: {other} by {signer}: signature and chain verified"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{Party, sample_report};
    use jiff::Timestamp;

    struct Tree3 {
        national: Party,
        south: Party,
        nc: Party,
        tn: Party,
        me: Party,
        period: Period,
    }

    fn tree() -> Tree3 {
        Tree3 {
            national: Party::new("national", Kind::National, "National", None).unwrap(),
            south: Party::new("south", Kind::Regional, "Southern Region", None).unwrap(),
            nc: Party::new("triangle", Kind::Chapter, "Triangle", Some("NC")).unwrap(),
            tn: Party::new("memphis", Kind::Chapter, "Memphis", Some("TN")).unwrap(),
            me: Party::new("maine", Kind::Chapter, "Maine", Some("ME")).unwrap(),
            period: "2026-10".parse().unwrap(),
        }
    }

    use crate::identity::Kind;

    fn report_env(chapter: &Party, hub: &Party, period: Period, scale: u64) -> Envelope {
        Envelope::sign(
            &sample_report(
                &chapter.card.id,
                &hub.card.id,
                period,
                Timestamp::now(),
                scale,
            ),
            &chapter.keys,
        )
    }

    /// National's rollup over the south's rollup (two chapters) and Maine directly, as the
    /// bundle national would publish (signed by the root, so no chain).
    fn two_level(t: &Tree3) -> Bundle {
        let now = Timestamp::now();
        let south_children = vec![
            t.nc.child(
                t.south.certify(&t.nc.card, 1, now).unwrap(),
                report_env(&t.nc, &t.south, t.period, 1),
            ),
            t.tn.child(
                t.south.certify(&t.tn.card, 2, now).unwrap(),
                report_env(&t.tn, &t.south, t.period, 3),
            ),
        ];
        let mut docs = Documents::new();
        let (south_rollup, _) = build(
            &t.south.card,
            &t.south.keys,
            Some(t.national.card.id.clone()),
            t.period,
            1,
            now,
            vec![
                t.nc.card.id.clone(),
                t.tn.card.id.clone(),
                PartyId::new("nola").unwrap(),
            ],
            south_children,
            &mut docs,
            Vec::new(),
        )
        .unwrap();
        let children = vec![
            t.south.child(
                t.national.certify(&t.south.card, 1, now).unwrap(),
                south_rollup,
            ),
            t.me.child(
                t.national.certify(&t.me.card, 2, now).unwrap(),
                report_env(&t.me, &t.national, t.period, 2),
            ),
        ];
        let (env, tree) = build(
            &t.national.card,
            &t.national.keys,
            None,
            t.period,
            1,
            now,
            vec![t.south.card.id.clone(), t.me.card.id.clone()],
            children,
            &mut docs,
            Vec::new(),
        )
        .unwrap();
        Bundle::for_tree(env, Vec::new(), Vec::new(), &tree, &docs).unwrap()
    }

    fn verify(bundle: &Bundle, t: &Tree3) -> std::result::Result<Tree, Vec<Error>> {
        let pool = Documents::from_envelopes(bundle.documents.clone()).unwrap();
        verify_rollup(
            &bundle.document,
            &t.national.card,
            &RevocationSet::new(),
            &pool,
        )
    }

    #[test]
    fn two_level_rollup_verifies_and_sums() {
        let t = tree();
        let bundle = two_level(&t);
        // Two certificates and two documents under national, two and two under the south.
        assert_eq!(bundle.documents.len(), 8);
        let tree = verify(&bundle, &t).unwrap();
        assert_eq!(tree.summary.chapters, 3);
        assert_eq!(tree.summary.hubs, 2);
        // members total: scale 1 → 5+7+6 = 18; scale 3 → 15+21+8 = 44; scale 2 → 10+14+7 = 31.
        let total = tree.top.cell(&CellKey::total("members")).unwrap();
        assert_eq!(
            (total.sum, total.contributors, total.largest),
            (18 + 44 + 31, 3, 44)
        );
        assert!(
            tree.summary
                .to_string()
                .starts_with("OK: rollup by national for 2026-10")
        );
        let south = tree
            .nodes
            .iter()
            .find_map(|n| match &n.content {
                Content::Rollup(r) => Some(r),
                Content::Report(_) => None,
            })
            .unwrap();
        assert_eq!(
            south.completeness.missing,
            vec![PartyId::new("nola").unwrap()]
        );
        assert_eq!(tree.reports().count(), 3);
        // Through the file path too: the bundle, with no chain, signed by the root.
        let summary = verify_bytes(&bundle.to_json(), &t.national.card, None).unwrap();
        assert_eq!((summary.chapters, summary.hubs), (3, 2));
    }

    #[test]
    fn changed_sum_is_named() {
        let t = tree();
        let mut bundle = two_level(&t);
        let mut rollup: Rollup = bundle
            .document
            .verify(&t.national.card.signing_key)
            .unwrap()
            .document()
            .unwrap();
        let cell = rollup
            .cells
            .iter_mut()
            .find(|c| c.key == CellKey::total("members"))
            .unwrap();
        cell.sum += 1;
        bundle.document = Envelope::sign(&rollup, &t.national.keys);
        let errs = verify(&bundle, &t).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].reason(), Reason::SumMismatch);
        assert!(
            errs[0].detail().contains("cell members claims sum 94"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn bundle_missing_or_extra_or_duplicate_document_refused() {
        let t = tree();
        let bundle = two_level(&t);
        // A document the rollup binds is left out.
        let mut short = bundle.clone();
        short.documents.pop();
        let errs = verify_bytes(&short.to_json(), &t.national.card, None).unwrap_err();
        assert_eq!(errs[0].reason(), Reason::Malformed, "{errs:?}");
        assert!(errs[0].detail().contains("does not carry"), "{}", errs[0]);
        // A document nothing binds rides along.
        let mut long = bundle.clone();
        long.documents
            .push(report_env(&t.nc, &t.national, t.period, 5));
        let errs = verify_bytes(&long.to_json(), &t.national.card, None).unwrap_err();
        assert!(
            errs[0].detail().contains("no rollup in it binds"),
            "{}",
            errs[0]
        );
        // The same document twice.
        let mut twice = bundle.clone();
        let first = twice.documents[0].clone();
        twice.documents.push(first);
        let errs = verify_bytes(&twice.to_json(), &t.national.card, None).unwrap_err();
        assert!(errs[0].detail().contains("appears twice"), "{}", errs[0]);
    }

    #[test]
    fn stated_child_count_must_match() {
        let t = tree();
        let mut bundle = two_level(&t);
        let mut rollup: Rollup = bundle
            .document
            .verify(&t.national.card.signing_key)
            .unwrap()
            .document()
            .unwrap();
        rollup.child_count += 1;
        bundle.document = Envelope::sign(&rollup, &t.national.keys);
        let errs = verify(&bundle, &t).unwrap_err();
        assert_eq!(errs[0].reason(), Reason::Malformed);
        assert!(
            errs[0].detail().contains("states 3 children"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn no_document_is_base64_inside_base64() {
        let t = tree();
        let bundle = two_level(&t);
        let json = bundle.to_json();
        // The payload of national's rollup holds digests, not envelopes: no nested payload.
        let payload = bundle
            .document
            .verify(&t.national.card.signing_key)
            .unwrap()
            .payload()
            .to_vec();
        let text = String::from_utf8(payload).unwrap();
        assert!(!text.contains("payloadType"), "{text}");
        // Each report's payload appears once in the file.
        for env in &bundle.documents {
            let needle = serde_json::to_value(env).unwrap()["payload"]
                .as_str()
                .unwrap()
                .to_owned();
            let s = String::from_utf8_lossy(&json);
            assert_eq!(s.matches(&needle).count(), 1);
        }
    }

    #[test]
    fn wrong_root_and_replayed_report_refused() {
        let t = tree();
        let bundle = two_level(&t);
        let impostor = Party::new("national", Kind::National, "National", None).unwrap();
        let errs = verify_bytes(&bundle.document.to_json(), &impostor.card, None).unwrap_err();
        assert_eq!(errs[0].reason(), Reason::UntrustedChain);

        // Triangle's report to the south, replayed by national as if sent to it.
        let now = Timestamp::now();
        let replayed = t.nc.child(
            t.national.certify(&t.nc.card, 9, now).unwrap(),
            report_env(&t.nc, &t.south, t.period, 1),
        );
        let errs = build(
            &t.national.card,
            &t.national.keys,
            None,
            t.period,
            1,
            now,
            vec![],
            vec![replayed],
            &mut Documents::new(),
            vec![],
        )
        .unwrap_err();
        assert_eq!(errs[0].reason(), Reason::WrongRecipient);
        assert!(errs[0].detail().contains("child triangle"));
    }

    #[test]
    fn sums_are_order_independent() {
        let t = tree();
        let now = Timestamp::now();
        let a = sample_report(&t.nc.card.id, &t.south.card.id, t.period, now, 1);
        let b = sample_report(&t.tn.card.id, &t.south.card.id, t.period, now, 4);
        assert_eq!(
            sum(&[Contribution::Report(&a), Contribution::Report(&b)]),
            sum(&[Contribution::Report(&b), Contribution::Report(&a)])
        );
    }
}
