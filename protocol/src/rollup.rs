//! Rollups: a hub's signed sum of its children's reports, and offline verification of the tree.
//!
//! docs/protocol.md §Rollups. A rollup embeds each child's certificate and signed report (or, for
//! a regional child, its signed rollup) **verbatim**, the summed cells, and completeness. Anyone
//! holding the national root card can re-verify a rollup offline: every certificate, signature,
//! revocation, recipient, period and sum, exactly, down to the chapter reports.
//!
//! A summed cell carries, besides the sum of published counts, how many chapters suppressed it
//! (so the sum is a known lower bound), how many contributed a non-zero count, and the largest
//! single chapter's count (for the hubs' dominance rule).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cert::{RevocationSet, verify_certificate, verify_chain};
use crate::envelope::{Document, Envelope, open};
use crate::error::{Error, Reason, Result};
use crate::identity::{Card, Kind, PartyId, SecretKeys};
use crate::report::{CellKey, CellValue, Period, Report, check_schema};

/// Schema id of rollup payload v1.
pub const ROLLUP_SCHEMA: &str = "shopfloor.rollup.v1";
/// Schema id of a bundle (a signed document with the chain that authenticates its signer).
pub const BUNDLE_SCHEMA: &str = "shopfloor.bundle.v1";

/// One child of a rollup, embedded verbatim.
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
}

/// Reporting completeness of one period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Completeness {
    /// Children expected to report.
    pub expected: Vec<PartyId>,
    /// Children whose documents are embedded.
    pub reported: Vec<PartyId>,
    /// Expected children that did not report.
    pub missing: Vec<PartyId>,
}

/// Rollup payload v1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rollup {
    /// Always [`ROLLUP_SCHEMA`].
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
    /// The children, in id order.
    pub children: Vec<Child>,
    /// The summed cells, in key order.
    pub cells: Vec<SummedCell>,
    /// Who reported.
    pub completeness: Completeness,
}

impl Document for Rollup {
    const PAYLOAD_TYPE: &'static str = "application/vnd.shopfloor.rollup.v1+json";

    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.rollup.", ROLLUP_SCHEMA)?;
        let rollup: Rollup =
            serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("rollup: {e}")))?;
        let mut seen = BTreeSet::new();
        for c in &rollup.cells {
            c.key.validate()?;
            if !seen.insert(&c.key) {
                return Err(Error::new(
                    Reason::InvalidCell,
                    format!("rollup cell {} appears twice", c.key),
                ));
            }
        }
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
pub fn sum(contributions: &[Contribution<'_>]) -> Vec<SummedCell> {
    let mut acc: BTreeMap<CellKey, SummedCell> = BTreeMap::new();
    fn slot<'m>(acc: &'m mut BTreeMap<CellKey, SummedCell>, key: &CellKey) -> &'m mut SummedCell {
        acc.entry(key.clone()).or_insert_with(|| SummedCell {
            key: key.clone(),
            sum: 0,
            suppressed: 0,
            contributors: 0,
            largest: 0,
        })
    }
    for c in contributions {
        match c {
            Contribution::Report(r) => {
                for cell in &r.cells {
                    let s = slot(&mut acc, &cell.key);
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
            }
            Contribution::Rollup(r) => {
                for cell in &r.cells {
                    let s = slot(&mut acc, &cell.key);
                    s.sum = s.sum.saturating_add(cell.sum);
                    s.suppressed = s.suppressed.saturating_add(cell.suppressed);
                    s.contributors = s.contributors.saturating_add(cell.contributors);
                    s.largest = s.largest.max(cell.largest);
                }
            }
        }
    }
    acc.into_values().collect()
}

/// Verifies a chapter's report for this hub: the chapter's signature, that it is addressed to
/// `hub`, and that the chapter was not revoked by `hub` when it generated the report.
pub fn verify_child_report(
    envelope: &Envelope,
    chapter: &Card,
    hub: &PartyId,
    revocations: &RevocationSet,
) -> Result<Report> {
    let report: Report = envelope.open_document(&chapter.signing_key)?;
    if report.chapter != chapter.id {
        return Err(Error::new(
            Reason::BadSignature,
            format!(
                "report names chapter {} but was signed by {}",
                report.chapter, chapter.id
            ),
        ));
    }
    if &report.recipient != hub {
        return Err(Error::new(
            Reason::WrongRecipient,
            format!("report is addressed to {}, not {hub}", report.recipient),
        ));
    }
    if let Some(r) = revocations.revoked(hub, &chapter.key_id(), report.generated_at) {
        return Err(Error::new(
            Reason::Revoked,
            format!(
                "{} was revoked at {} ({})",
                chapter.id, r.revoked_at, r.reason
            ),
        ));
    }
    Ok(report)
}

/// A verified child: its card, and its document's contents.
enum Verified {
    Report(Report),
    Rollup(Box<Rollup>),
}

/// Checks one child of `hub`'s rollup for `period`; recursion for sub-hubs goes through
/// `verify_payload`.
fn verify_child(
    hub: &Card,
    period: Period,
    child: &Child,
    root: &Card,
    revocations: &RevocationSet,
    stats: &mut Summary,
) -> std::result::Result<Verified, Vec<Error>> {
    let one = |e: Error| vec![e.context(format!("child {}", child.id))];
    // The certificate must be valid when the child signed its document; we learn that time
    // from the document, so first check the signature with the certified key, then the window.
    let cert_env = &child.certificate;
    let cert: crate::cert::Certificate = cert_env.open_document(&hub.signing_key).map_err(one)?;
    let card = cert.subject.clone();
    if card.id != child.id {
        return Err(one(Error::new(
            Reason::BadCertificate,
            format!("certificate is for {}, not {}", card.id, child.id),
        )));
    }
    match card.kind {
        Kind::Chapter => {
            let report =
                verify_child_report(&child.document, &card, &hub.id, revocations).map_err(one)?;
            verify_certificate(hub, cert_env, report.generated_at, revocations).map_err(one)?;
            if report.period != period {
                return Err(one(Error::new(
                    Reason::WrongPeriod,
                    format!("report is for {}, rollup for {period}", report.period),
                )));
            }
            stats.chapters += 1;
            Ok(Verified::Report(report))
        }
        Kind::Regional | Kind::National => {
            let rollup: Rollup = child
                .document
                .open_document(&card.signing_key)
                .map_err(one)?;
            verify_certificate(hub, cert_env, rollup.generated_at, revocations).map_err(one)?;
            if rollup.recipient.as_ref() != Some(&hub.id) {
                return Err(one(Error::new(
                    Reason::WrongRecipient,
                    format!(
                        "rollup is addressed to {:?}, not {}",
                        rollup.recipient, hub.id
                    ),
                )));
            }
            if rollup.period != period {
                return Err(one(Error::new(
                    Reason::WrongPeriod,
                    format!("rollup is for {}, parent for {period}", rollup.period),
                )));
            }
            let mut revs = revocations.clone();
            verify_payload(&rollup, &card, root, &mut revs, stats).map_err(|es| {
                es.into_iter()
                    .map(|e| e.context(format!("child {}", child.id)))
                    .collect::<Vec<_>>()
            })?;
            stats.hubs += 1;
            Ok(Verified::Rollup(Box::new(rollup)))
        }
    }
}

/// Verifies every child of `hub`'s rollup for `period` and sums their cells. Every failing child
/// is reported, not only the first.
fn verify_and_sum(
    hub: &Card,
    period: Period,
    children: &[Child],
    root: &Card,
    revocations: &RevocationSet,
    stats: &mut Summary,
) -> std::result::Result<Vec<SummedCell>, Vec<Error>> {
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    let mut verified = Vec::with_capacity(children.len());
    for child in children {
        if !seen.insert(&child.id) {
            errors.push(Error::new(
                Reason::InvalidCell,
                format!("child {} appears twice", child.id),
            ));
            continue;
        }
        match verify_child(hub, period, child, root, revocations, stats) {
            Ok(v) => verified.push(v),
            Err(es) => errors.extend(es),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let contributions: Vec<Contribution<'_>> = verified
        .iter()
        .map(|v| match v {
            Verified::Report(r) => Contribution::Report(r),
            Verified::Rollup(r) => Contribution::Rollup(r),
        })
        .collect();
    Ok(sum(&contributions))
}

/// Verifies a rollup's contents, signed by `hub` (whose card the caller has authenticated).
fn verify_payload(
    rollup: &Rollup,
    hub: &Card,
    root: &Card,
    revocations: &mut RevocationSet,
    stats: &mut Summary,
) -> std::result::Result<(), Vec<Error>> {
    let mut errors = Vec::new();
    if rollup.hub != hub.id {
        errors.push(Error::new(
            Reason::BadSignature,
            format!(
                "rollup names hub {} but was signed by {}",
                rollup.hub, hub.id
            ),
        ));
    }
    for env in &rollup.revocations {
        if let Err(e) = revocations.add(env, hub) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let expected = verify_and_sum(
        hub,
        rollup.period,
        &rollup.children,
        root,
        revocations,
        stats,
    )?;
    compare_sums(&rollup.hub, &expected, &rollup.cells, &mut errors);
    check_completeness(rollup, &mut errors);
    stats.cells = stats.cells.max(rollup.cells.len());
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn compare_sums(
    hub: &PartyId,
    expected: &[SummedCell],
    found: &[SummedCell],
    errors: &mut Vec<Error>,
) {
    let want: BTreeMap<&CellKey, &SummedCell> = expected.iter().map(|c| (&c.key, c)).collect();
    let got: BTreeMap<&CellKey, &SummedCell> = found.iter().map(|c| (&c.key, c)).collect();
    for (key, w) in &want {
        match got.get(key) {
            None => errors.push(Error::new(
                Reason::SumMismatch,
                format!("rollup of {hub}: cell {key} is missing (children sum to {})", w.sum),
            )),
            Some(g) if g != w => errors.push(Error::new(
                Reason::SumMismatch,
                format!(
                    "rollup of {hub}: cell {key} claims sum {} (suppressed by {}, {} contributors, largest {}) \
                     but the children give {} (suppressed by {}, {} contributors, largest {})",
                    g.sum, g.suppressed, g.contributors, g.largest, w.sum, w.suppressed, w.contributors, w.largest
                ),
            )),
            Some(_) => {}
        }
    }
    for key in got.keys().filter(|k| !want.contains_key(*k)) {
        errors.push(Error::new(
            Reason::SumMismatch,
            format!("rollup of {hub}: cell {key} is not in any child's report"),
        ));
    }
}

fn check_completeness(rollup: &Rollup, errors: &mut Vec<Error>) {
    let c = &rollup.completeness;
    let children: BTreeSet<&PartyId> = rollup.children.iter().map(|ch| &ch.id).collect();
    let reported: BTreeSet<&PartyId> = c.reported.iter().collect();
    let expected: BTreeSet<&PartyId> = c.expected.iter().collect();
    let missing: BTreeSet<&PartyId> = c.missing.iter().collect();
    let want_missing: BTreeSet<&PartyId> = expected.difference(&children).copied().collect();
    if reported != children || missing != want_missing || !children.is_subset(&expected) {
        errors.push(Error::new(
            Reason::SumMismatch,
            format!(
                "rollup of {}: completeness does not match the embedded children (expected {}, reported {}, missing {}, embedded {})",
                rollup.hub,
                expected.len(),
                reported.len(),
                missing.len(),
                children.len()
            ),
        ));
    }
}

/// Builds and signs a rollup. Every child is verified against `hub` first, exactly as a
/// verifier will, so a hub cannot sign a rollup that will not verify.
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
    revocations: Vec<Envelope>,
    root: &Card,
) -> std::result::Result<Envelope, Vec<Error>> {
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
    let mut stats = Summary::default();
    let cells = verify_and_sum(hub, period, &children, root, &revs, &mut stats)?;
    let mut expected: Vec<PartyId> = expected;
    expected.sort();
    expected.dedup();
    let reported: Vec<PartyId> = children.iter().map(|c| c.id.clone()).collect();
    for id in &reported {
        if !expected.contains(id) {
            expected.push(id.clone());
        }
    }
    expected.sort();
    let missing = expected
        .iter()
        .filter(|e| !reported.contains(e))
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
        children,
        cells,
        completeness: Completeness {
            expected,
            reported,
            missing,
        },
    };
    Ok(Envelope::sign(&rollup, keys))
}

/// A signed document together with the certificate chain that authenticates its signer, and any
/// revocation lists the verifier should apply. This is the file `shopfloor-hub rollup --out`
/// writes and `shopfloor-hub verify` reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`BUNDLE_SCHEMA`].
    pub schema: String,
    /// The signed document (a rollup, a report or a certificate).
    pub document: Envelope,
    /// Certificates from the root down to the signer; empty when the root signed.
    pub chain: Vec<Envelope>,
    /// Revocation lists (each signed by the root or a hub in the chain).
    #[serde(default)]
    pub revocations: Vec<Envelope>,
}

impl Bundle {
    /// A bundle.
    pub fn new(document: Envelope, chain: Vec<Envelope>, revocations: Vec<Envelope>) -> Self {
        Bundle {
            schema: BUNDLE_SCHEMA.to_owned(),
            document,
            chain,
            revocations,
        }
    }

    /// Parses a bundle from JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.bundle.", BUNDLE_SCHEMA)?;
        serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("bundle: {e}")))
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
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

/// Verifies a rollup envelope signed by `signer` (already authenticated by the caller) and the
/// whole tree below it.
pub fn verify_rollup(
    envelope: &Envelope,
    signer: &Card,
    root: &Card,
    revocations: &RevocationSet,
) -> std::result::Result<(Rollup, Summary), Vec<Error>> {
    let rollup: Rollup = envelope
        .open_document(&signer.signing_key)
        .map_err(|e| vec![e])?;
    let mut stats = Summary {
        document: "rollup".into(),
        signer: Some(signer.id.clone()),
        period: Some(rollup.period),
        ..Summary::default()
    };
    let mut revs = revocations.clone();
    verify_payload(&rollup, signer, root, &mut revs, &mut stats)?;
    stats.hubs += 1;
    stats.cells = rollup.cells.len();
    stats.missing = rollup.completeness.missing.len();
    Ok((rollup, stats))
}

/// Verifies a bundle against the pinned root card: the chain to the signer, then the document.
pub fn verify_bundle(bundle: &Bundle, root: &Card) -> std::result::Result<Summary, Vec<Error>> {
    let mut revs = RevocationSet::new();
    let mut errors = Vec::new();
    // Revocation lists may be signed by the root or by any hub in the chain; learn the chain's
    // cards first (at the document's time is unknown yet, so check signatures only here).
    let mut issuers = vec![root.clone()];
    for env in &bundle.chain {
        if let Some(last) = issuers.last()
            && let Ok(cert) = env.open_document::<crate::cert::Certificate>(&last.signing_key)
        {
            issuers.push(cert.subject);
        }
    }
    for env in &bundle.revocations {
        let ok = issuers.iter().any(|card| revs.add(env, card).is_ok());
        if !ok {
            errors.push(Error::new(
                Reason::UntrustedChain,
                "a revocation list is not signed by the chain",
            ));
        }
    }
    let doc = &bundle.document;
    let time = document_time(doc, &issuers);
    let signer = match verify_chain(root, &bundle.chain, time, &revs) {
        Ok(card) => card,
        Err(e) => {
            errors.push(e);
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    verify_signed(doc, &signer, root, &revs)
}

/// The time a document claims it was made, read after checking it is signed by one of `cards`
/// (the chain's window and revocation are then checked at that time). Verification never
/// depends on the verifier's clock, so a vector verifies the same way in ten years.
fn document_time(doc: &Envelope, cards: &[Card]) -> jiff::Timestamp {
    for card in cards.iter().rev() {
        if let Ok(r) = doc.open_document::<Rollup>(&card.signing_key) {
            return r.generated_at;
        }
        if let Ok(r) = doc.open_document::<Report>(&card.signing_key) {
            return r.generated_at;
        }
        if let Ok(c) = doc.open_document::<crate::cert::Certificate>(&card.signing_key) {
            return c.not_before;
        }
    }
    // Unsigned by anyone in the chain: verification fails on the signature, whatever the time.
    jiff::Timestamp::UNIX_EPOCH
}

fn verify_signed(
    doc: &Envelope,
    signer: &Card,
    root: &Card,
    revs: &RevocationSet,
) -> std::result::Result<Summary, Vec<Error>> {
    match doc.payload_type() {
        Rollup::PAYLOAD_TYPE => verify_rollup(doc, signer, root, revs).map(|(_, s)| s),
        Report::PAYLOAD_TYPE => {
            let report: Report = doc
                .open_document(&signer.signing_key)
                .map_err(|e| vec![e])?;
            if report.chapter != signer.id {
                return Err(vec![Error::new(
                    Reason::BadSignature,
                    "report chapter is not its signer",
                )]);
            }
            Ok(Summary {
                document: "report".into(),
                signer: Some(signer.id.clone()),
                period: Some(report.period),
                chapters: 1,
                cells: report.cells.len(),
                ..Summary::default()
            })
        }
        crate::cert::Certificate::PAYLOAD_TYPE => {
            let cert: crate::cert::Certificate = doc
                .open_document(&signer.signing_key)
                .map_err(|e| vec![e])?;
            verify_certificate(signer, doc, cert.not_before, revs).map_err(|e| vec![e])?;
            Ok(Summary {
                document: "certificate".into(),
                signer: Some(signer.id.clone()),
                ..Summary::default()
            })
        }
        other => Err(vec![Error::new(
            Reason::WrongPayloadType,
            format!("cannot verify documents of type {other:?}"),
        )]),
    }
}

/// Verifies a file: a sealed file (opened with `identity`), a [`Bundle`], or a bare envelope,
/// which must then be signed by the root itself.
pub fn verify_bytes(
    bytes: &[u8],
    root: &Card,
    identity: Option<&SecretKeys>,
) -> std::result::Result<Summary, Vec<Error>> {
    let sealed = bytes.starts_with(b"age-encryption.org/")
        || bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----");
    if sealed {
        let Some(keys) = identity else {
            return Err(vec![Error::new(
                Reason::SealBroken,
                "the file is sealed: pass --identity with the receiving hub's key file",
            )]);
        };
        let envelope = open(bytes, keys).map_err(|e| vec![e])?;
        return verify_envelope(&envelope, root);
    }
    if let Ok(bundle) = Bundle::from_json(bytes) {
        return verify_bundle(&bundle, root);
    }
    match Envelope::from_json(bytes) {
        Ok(envelope) => verify_envelope(&envelope, root),
        Err(e) => Err(vec![e.context("not a sealed file, bundle or envelope")]),
    }
}

fn verify_envelope(envelope: &Envelope, root: &Card) -> std::result::Result<Summary, Vec<Error>> {
    if envelope.signer_ids().any(|id| *id == root.key_id()) {
        verify_signed(envelope, root, root, &RevocationSet::new())
    } else {
        Err(vec![Error::new(
            Reason::UntrustedChain,
            "the envelope is not signed by the root and carries no chain: verify the bundle (`rollup --out`) instead",
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{Party, sample_report};
    use jiff::Timestamp;

    struct Tree {
        national: Party,
        south: Party,
        nc: Party,
        tn: Party,
        me: Party,
        period: Period,
    }

    fn tree() -> Tree {
        Tree {
            national: Party::new("national", Kind::National, "National", None).unwrap(),
            south: Party::new("south", Kind::Regional, "Southern Region", None).unwrap(),
            nc: Party::new("triangle", Kind::Chapter, "Triangle", Some("NC")).unwrap(),
            tn: Party::new("memphis", Kind::Chapter, "Memphis", Some("TN")).unwrap(),
            me: Party::new("maine", Kind::Chapter, "Maine", Some("ME")).unwrap(),
            period: "2026-10".parse().unwrap(),
        }
    }

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

    /// Builds national's rollup over the south's rollup (two chapters) and Maine directly.
    fn two_level(t: &Tree) -> Envelope {
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
        let south_rollup = build(
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
            Vec::new(),
            &t.national.card,
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
        build(
            &t.national.card,
            &t.national.keys,
            None,
            t.period,
            1,
            now,
            vec![t.south.card.id.clone(), t.me.card.id.clone()],
            children,
            Vec::new(),
            &t.national.card,
        )
        .unwrap()
    }

    #[test]
    fn two_level_rollup_verifies_and_sums() {
        let t = tree();
        let env = two_level(&t);
        let (rollup, summary) = verify_rollup(
            &env,
            &t.national.card,
            &t.national.card,
            &RevocationSet::new(),
        )
        .unwrap();
        assert_eq!(summary.chapters, 3);
        assert_eq!(summary.hubs, 2);
        // members total: scale 1 → 5+7+6 = 18; scale 3 → 15+21+8 = 44; scale 2 → 10+14+7 = 31.
        let total = rollup.cell(&CellKey::total("members")).unwrap();
        assert_eq!(
            (total.sum, total.contributors, total.largest),
            (18 + 44 + 31, 3, 44)
        );
        assert!(
            summary
                .to_string()
                .starts_with("OK: rollup by national for 2026-10")
        );
        let south: Rollup = rollup.children[1]
            .document
            .verify(&t.south.card.signing_key)
            .unwrap()
            .document()
            .unwrap();
        assert_eq!(
            south.completeness.missing,
            vec![PartyId::new("nola").unwrap()]
        );
        // Through the bare-envelope path too: signed by the root.
        verify_bytes(&env.to_json(), &t.national.card, None).unwrap();
    }

    #[test]
    fn changed_sum_is_named() {
        let t = tree();
        let env = two_level(&t);
        let mut rollup: Rollup = env
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
        let forged = Envelope::sign(&rollup, &t.national.keys);
        let errs = verify_rollup(
            &forged,
            &t.national.card,
            &t.national.card,
            &RevocationSet::new(),
        )
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].reason(), Reason::SumMismatch);
        assert!(
            errs[0].detail().contains("cell members claims sum 94"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn wrong_root_and_replayed_report_refused() {
        let t = tree();
        let env = two_level(&t);
        let impostor = Party::new("national", Kind::National, "National", None).unwrap();
        let errs = verify_bytes(&env.to_json(), &impostor.card, None).unwrap_err();
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
            vec![],
            &t.national.card,
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
