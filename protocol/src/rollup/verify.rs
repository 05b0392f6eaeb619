//! Offline verification of a rollup tree, v2 and legacy v1 alike.
//!
//! The walk starts at a rollup whose signer the caller has authenticated and descends through
//! the children it binds: each certificate and document is looked up by digest among the
//! bundle's documents (hashed once, when the bundle was read) or, for a legacy v1 rollup, taken
//! from its payload; each is opened (signature checked, payload parsed) exactly once; every
//! document must be bound exactly once, and a bundle carrying a document nothing binds is
//! refused. Every failing child is reported, not only the first.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::legacy::RollupV1;
use super::{Bundle, Child, ChildRef, Contribution, Documents, Rollup, Summary, SummedCell, sum};
use crate::cert::{Certificate, RevocationSet, check_certificate, open_certificate, verify_chain};
use crate::envelope::{
    Digest, Document as _, Envelope, MAX_BUNDLE_BYTES, MAX_STORED_BYTES, open_bytes,
};
use crate::error::{Error, Reason, Result};
use crate::identity::{Card, Kind, PartyId, SecretKeys};
use crate::report::{CellKey, Period, Report};

/// A verified document's contents.
#[derive(Clone, Debug)]
pub enum Content {
    /// A chapter's report.
    Report(Box<Report>),
    /// A hub's rollup (in the v2 shape, whichever version it was signed in).
    Rollup(Box<Rollup>),
}

/// One verified document below the top of a tree.
#[derive(Clone, Debug)]
pub struct TreeNode {
    /// Who signed it.
    pub id: PartyId,
    /// The hub whose rollup binds it.
    pub parent: PartyId,
    /// The signer's card, from the certificate the parent issued.
    pub card: Card,
    /// Digest of that certificate.
    pub certificate: Digest,
    /// Digest of the document.
    pub digest: Digest,
    /// Whether it came embedded in a legacy v1 rollup rather than from the bundle's documents.
    pub embedded: bool,
    /// What it says.
    pub content: Content,
}

/// A verified rollup and everything below it.
#[derive(Clone, Debug)]
pub struct Tree {
    /// The top rollup.
    pub top: Rollup,
    /// What was verified.
    pub summary: Summary,
    /// Every document below the top, each hub's children before the hub itself.
    pub nodes: Vec<TreeNode>,
}

impl Tree {
    /// Digests of every certificate and document the tree binds that travel in a bundle's
    /// `documents` (not those embedded in a legacy rollup).
    pub fn digests(&self) -> Vec<Digest> {
        self.nodes
            .iter()
            .filter(|n| !n.embedded)
            .flat_map(|n| [n.certificate, n.digest])
            .collect()
    }

    /// Refuses documents in `pool` that the tree does not bind: a bundle carries exactly its
    /// tree, each document once.
    pub fn binds_all(&self, pool: &Documents) -> Result<()> {
        let bound = self.nodes.iter().filter(|n| !n.embedded).count() * 2;
        if bound != pool.len() {
            return Err(Error::malformed(format!(
                "the bundle carries {} documents that no rollup in it binds",
                pool.len().saturating_sub(bound)
            )));
        }
        Ok(())
    }

    /// Every chapter report in the tree with the node that carries it.
    pub fn reports(&self) -> impl Iterator<Item = (&TreeNode, &Report)> {
        self.nodes.iter().filter_map(|n| match &n.content {
            Content::Report(r) => Some((n, r.as_ref())),
            Content::Rollup(_) => None,
        })
    }
}

/// A rollup opened with its signer's key: the v2 payload as is, or a v1 payload converted, with
/// the children it embeds.
fn open_rollup(doc: &Envelope, signer: &Card) -> Result<(Rollup, Option<Vec<Child>>)> {
    match doc.payload_type() {
        Rollup::PAYLOAD_TYPE => Ok((doc.open_document(&signer.signing_key)?, None)),
        RollupV1::PAYLOAD_TYPE => {
            let v1: RollupV1 = doc.open_document(&signer.signing_key)?;
            let (rollup, embedded) = v1.into_v2()?;
            Ok((rollup, Some(embedded)))
        }
        other => Err(Error::new(
            Reason::WrongPayloadType,
            format!("expected a rollup, found {other:?}"),
        )),
    }
}

/// Which chapter reports a verifier already verified, by the digest of their signed bytes.
pub type Known<'k> = &'k (dyn Fn(&Digest) -> bool + Sync);

/// [`verify_child_report`] for a report whose exact signed bytes were verified before: parsed
/// without checking the signature, then held to the same chapter, recipient and revocation.
fn known_child_report(
    envelope: &Envelope,
    chapter: &Card,
    hub: &PartyId,
    revocations: &RevocationSet,
) -> Result<Report> {
    let report: Report = crate::envelope::Verified::known(envelope).document()?;
    check_child_report(report, chapter, hub, revocations)
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
    check_child_report(report, chapter, hub, revocations)
}

/// What [`verify_child_report`] checks once the report is open.
fn check_child_report(
    report: Report,
    chapter: &Card,
    hub: &PartyId,
    revocations: &RevocationSet,
) -> Result<Report> {
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

type Errors = Vec<Error>;

/// The walk down a tree: where documents come from, what has been used, what was verified.
pub(super) struct Walk<'a> {
    pool: &'a Documents,
    known: Option<Known<'a>>,
    used: HashSet<Digest>,
    nodes: Vec<TreeNode>,
    stats: Summary,
}

/// Where a child's certificate and document come from.
struct Sources<'e> {
    certificate: &'e Envelope,
    document: &'e Envelope,
    embedded: bool,
}

impl<'a> Walk<'a> {
    pub(super) fn new(pool: &'a Documents) -> Self {
        Walk {
            pool,
            known: None,
            used: HashSet::new(),
            nodes: Vec::new(),
            stats: Summary::default(),
        }
    }

    /// The tree, once the top rollup's contents are verified.
    pub(super) fn finish(self, top: Rollup, summary: Summary) -> Tree {
        let stats = self.stats;
        Tree {
            top,
            summary: Summary {
                chapters: stats.chapters,
                hubs: stats.hubs,
                ..summary
            },
            nodes: self.nodes,
        }
    }

    fn take(
        &mut self,
        hub: &PartyId,
        child: &PartyId,
        what: &str,
        digest: &Digest,
    ) -> Result<&'a Envelope> {
        let Some(env) = self.pool.get(digest) else {
            return Err(Error::malformed(format!(
                "{hub} binds {what} {digest} for child {child}, which the bundle does not carry"
            )));
        };
        if !self.used.insert(*digest) {
            return Err(Error::malformed(format!(
                "{what} {digest} for child {child} is bound twice in the tree"
            )));
        }
        Ok(env)
    }

    /// Verifies every child `hub` binds for `period` and sums their cells.
    pub(super) fn children(
        &mut self,
        hub: &Card,
        period: Period,
        refs: &[ChildRef],
        revocations: &RevocationSet,
        embedded: Option<&[Child]>,
    ) -> std::result::Result<Vec<SummedCell>, Errors> {
        let mut errors = Vec::new();
        let mut seen = BTreeSet::new();
        let mut direct = Vec::with_capacity(refs.len());
        let mut pending: Vec<(&ChildRef, Sources<'_>)> = Vec::with_capacity(refs.len());
        for (i, r) in refs.iter().enumerate() {
            if !seen.insert(&r.id) {
                errors.push(Error::new(
                    Reason::InvalidCell,
                    format!("child {} appears twice", r.id),
                ));
                continue;
            }
            let sources = match embedded {
                Some(children) => match children.get(i) {
                    Some(c) => Sources {
                        certificate: &c.certificate,
                        document: &c.document,
                        embedded: true,
                    },
                    None => {
                        errors.push(Error::malformed("embedded children out of step"));
                        continue;
                    }
                },
                None => {
                    let found = self
                        .take(&hub.id, &r.id, "certificate", &r.certificate)
                        .and_then(|c| Ok((c, self.take(&hub.id, &r.id, "document", &r.document)?)));
                    match found {
                        Ok((certificate, document)) => Sources {
                            certificate,
                            document,
                            embedded: false,
                        },
                        Err(e) => {
                            errors.push(e);
                            continue;
                        }
                    }
                }
            };
            pending.push((r, sources));
        }
        // Chapters are independent of one another: verify them on every core. A regional
        // child's tree is walked afterwards, in order (its own chapters go wide in turn).
        let results = verify_chapters(hub, period, &pending, revocations, self.pool, self.known);
        for ((r, sources), result) in pending.iter().zip(results) {
            let outcome = match result {
                Some(done) => done,
                None => self.child(hub, period, r, sources, revocations),
            };
            match outcome {
                Ok(node) => {
                    if let Content::Report(_) = node.content {
                        self.stats.chapters += 1;
                    }
                    direct.push(self.nodes.len());
                    self.nodes.push(node);
                }
                Err(es) => errors.extend(es),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let contributions: Vec<Contribution<'_>> = direct
            .iter()
            .filter_map(|&i| self.nodes.get(i))
            .map(|n| match &n.content {
                Content::Report(r) => Contribution::Report(r),
                Content::Rollup(r) => Contribution::Rollup(r),
            })
            .collect();
        Ok(sum(&contributions))
    }

    /// Checks one child of `hub`'s rollup for `period`.
    fn child(
        &mut self,
        hub: &Card,
        period: Period,
        r: &ChildRef,
        sources: &Sources<'_>,
        revocations: &RevocationSet,
    ) -> std::result::Result<TreeNode, Errors> {
        let one = |e: Error| vec![e.context(format!("child {}", r.id))];
        // The certificate must be valid when the child signed its document; that time comes
        // from the document, so the certificate's signature is checked first, then its window.
        let cert: Certificate = open_certificate(hub, sources.certificate).map_err(one)?;
        let card = cert.subject.clone();
        if card.id != r.id {
            return Err(one(Error::new(
                Reason::BadCertificate,
                format!("certificate is for {}, not {}", card.id, r.id),
            )));
        }
        let content = match card.kind {
            Kind::Chapter => chapter_report(
                hub,
                period,
                &cert,
                sources,
                revocations,
                self.pool,
                self.known,
            )
            .map_err(one)?,
            Kind::Regional | Kind::National => {
                let (rollup, embedded) = open_rollup(sources.document, &card).map_err(one)?;
                check_certificate(hub, &cert, rollup.generated_at, revocations).map_err(one)?;
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
                self.contents(&rollup, embedded.as_deref(), &card, &mut revs)
                    .map_err(|es| {
                        es.into_iter()
                            .map(|e| e.context(format!("child {}", r.id)))
                            .collect::<Vec<_>>()
                    })?;
                self.stats.hubs += 1;
                Content::Rollup(Box::new(rollup))
            }
        };
        Ok(TreeNode {
            id: r.id.clone(),
            parent: hub.id.clone(),
            card,
            certificate: r.certificate,
            digest: r.document,
            embedded: sources.embedded,
            content,
        })
    }

    /// Verifies a rollup's contents, signed by `hub` (whose card the caller has authenticated):
    /// its revocation lists, every child, the sums and completeness.
    fn contents(
        &mut self,
        rollup: &Rollup,
        embedded: Option<&[Child]>,
        hub: &Card,
        revocations: &mut RevocationSet,
    ) -> std::result::Result<(), Errors> {
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
        let expected =
            self.children(hub, rollup.period, &rollup.children, revocations, embedded)?;
        compare_sums(&rollup.hub, &expected, &rollup.cells, &mut errors);
        check_completeness(rollup, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A chapter's report under `hub`'s certificate `cert`, checked as [`Walk::child`] would: with
/// its encrypted cells checked under the joint key `keys` holds for them (range proofs and public
/// bounds, [`Report::check_encrypted`]; `unknown-joint-key` for a key not given).
fn chapter_report(
    hub: &Card,
    period: Period,
    cert: &Certificate,
    sources: &Sources<'_>,
    revocations: &RevocationSet,
    keys: &Documents,
    known: Option<Known<'_>>,
) -> Result<Content> {
    // A report whose exact signed bytes the caller verified before (signature, range proofs)
    // is parsed, not verified again; everything that binds it into this tree still is.
    let seen = known.is_some_and(|k| k(&sources.document.digest()));
    let report = if seen {
        known_child_report(sources.document, &cert.subject, &hub.id, revocations)?
    } else {
        verify_child_report(sources.document, &cert.subject, &hub.id, revocations)?
    };
    check_certificate(hub, cert, report.generated_at, revocations)?;
    if report.period != period {
        return Err(Error::new(
            Reason::WrongPeriod,
            format!("report is for {}, rollup for {period}", report.period),
        ));
    }
    if let Some(id) = report.joint_key {
        let key = keys.joint_key(&id).ok_or_else(|| {
            Error::new(
                Reason::UnknownJointKey,
                format!("the report's cells are encrypted to joint key {id}, which the verifier was not given"),
            )
        })?;
        if !seen {
            report.check_encrypted(key)?;
        }
    }
    Ok(Content::Report(Box::new(report)))
}

/// Verifies, in parallel, every child whose certificate names a chapter: `Some` with the
/// outcome, or `None` for a child that is not a chapter (a regional hub: the caller walks it).
fn verify_chapters(
    hub: &Card,
    period: Period,
    pending: &[(&ChildRef, Sources<'_>)],
    revocations: &RevocationSet,
    keys: &Documents,
    known: Option<Known<'_>>,
) -> Vec<Option<std::result::Result<TreeNode, Errors>>> {
    let one = |r: &ChildRef, s: &Sources<'_>| -> Option<std::result::Result<TreeNode, Errors>> {
        let cert = match open_certificate(hub, s.certificate) {
            Ok(c) => c,
            // Reported by the sequential pass, which names the child the same way.
            Err(_) => return None,
        };
        if cert.subject.kind != Kind::Chapter || cert.subject.id != r.id {
            return None;
        }
        let content = chapter_report(hub, period, &cert, s, revocations, keys, known)
            .map_err(|e| vec![e.context(format!("child {}", r.id))]);
        Some(content.map(|content| TreeNode {
            id: r.id.clone(),
            parent: hub.id.clone(),
            card: cert.subject,
            certificate: r.certificate,
            digest: r.document,
            embedded: s.embedded,
            content,
        }))
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads < 2 || pending.len() < 8 {
        return pending.iter().map(|(r, s)| one(r, s)).collect();
    }
    let chunk = pending.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = pending
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(|(r, s)| one(r, s)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                // A panicking worker (a bug, never input) leaves its chapters to the
                // sequential pass, which reports them properly.
                Err(_) => vec![None; chunk],
            })
            .take(pending.len())
            .collect()
    })
}

fn compare_sums(hub: &PartyId, expected: &[SummedCell], found: &[SummedCell], errors: &mut Errors) {
    let want: BTreeMap<&CellKey, &SummedCell> = expected.iter().map(|c| (&c.key, c)).collect();
    let got: BTreeMap<&CellKey, &SummedCell> = found.iter().map(|c| (&c.key, c)).collect();
    for (key, w) in &want {
        match got.get(key) {
            None => errors.push(Error::new(
                Reason::SumMismatch,
                format!("rollup of {hub}: cell {key} is missing (children sum to {})", w.sum),
            )),
            Some(g) if g.tally != w.tally && strip(g) == strip(w) => {
                errors.push(tally_mismatch(hub, key, g.tally.as_ref(), w.tally.as_ref()));
            }
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

/// The cell without its tally.
fn strip(c: &SummedCell) -> (u64, u32, u32, u64) {
    (c.sum, c.suppressed, c.contributors, c.largest)
}

/// A cell whose sums match but whose tally does not: names what differs.
fn tally_mismatch(
    hub: &PartyId,
    key: &CellKey,
    claimed: Option<&crate::threshold::Tally>,
    recomputed: Option<&crate::threshold::Tally>,
) -> Error {
    let chapters = |t: Option<&crate::threshold::Tally>| -> BTreeSet<PartyId> {
        t.map(|t| t.chapters.iter().map(|c| c.chapter.clone()).collect())
            .unwrap_or_default()
    };
    let (have, want) = (chapters(claimed), chapters(recomputed));
    let left_out: Vec<&str> = want.difference(&have).map(PartyId::as_str).collect();
    let extra: Vec<&str> = have.difference(&want).map(PartyId::as_str).collect();
    let what = if !left_out.is_empty() || !extra.is_empty() {
        format!("leaves out {left_out:?} and counts {extra:?}, against its children")
    } else {
        "is not the product of its children's ciphertexts and bounds".to_owned()
    };
    Error::new(
        Reason::TallyMismatch,
        format!("rollup of {hub}: the tally of cell {key} {what}"),
    )
}

fn check_completeness(rollup: &Rollup, errors: &mut Errors) {
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
                "rollup of {}: completeness does not match its children (expected {}, reported {}, missing {}, bound {})",
                rollup.hub,
                expected.len(),
                reported.len(),
                missing.len(),
                children.len()
            ),
        ));
    }
}

/// Verifies an opened rollup signed by `signer` (authenticated by the caller) and the whole tree
/// below it, with `pool` supplying the documents it binds; no document may be bound twice.
fn verify_opened(
    rollup: Rollup,
    embedded: Option<Vec<Child>>,
    signer: &Card,
    revocations: &RevocationSet,
    pool: &Documents,
    known: Option<Known<'_>>,
) -> std::result::Result<Tree, Errors> {
    let summary = Summary {
        document: "rollup".into(),
        signer: Some(signer.id.clone()),
        period: Some(rollup.period),
        cells: rollup.cells.len(),
        missing: rollup.completeness.missing.len(),
        ..Summary::default()
    };
    let mut walk = Walk::new(pool);
    walk.known = known;
    let mut revs = revocations.clone();
    walk.contents(&rollup, embedded.as_deref(), signer, &mut revs)?;
    walk.stats.hubs += 1;
    Ok(walk.finish(rollup, summary))
}

/// Verifies a rollup envelope (v2, or legacy v1) signed by `signer` (already authenticated by
/// the caller) and the whole tree below it. `pool` holds the documents a v2 rollup binds (a
/// bundle's `documents`, or what a hub holds); none may be bound twice. For a bundle, check
/// [`Tree::binds_all`] too.
pub fn verify_rollup(
    envelope: &Envelope,
    signer: &Card,
    revocations: &RevocationSet,
    pool: &Documents,
) -> std::result::Result<Tree, Errors> {
    let (rollup, embedded) = open_rollup(envelope, signer).map_err(|e| vec![e])?;
    verify_opened(rollup, embedded, signer, revocations, pool, None)
}

/// A document opened once with its signer's key.
enum Opened {
    Rollup(Box<Rollup>, Option<Vec<Child>>),
    Report(Box<Report>),
    Certificate(Box<Certificate>),
}

impl Opened {
    fn open(doc: &Envelope, signer: &Card) -> Result<Opened> {
        match doc.payload_type() {
            Rollup::PAYLOAD_TYPE | RollupV1::PAYLOAD_TYPE => {
                let (r, e) = open_rollup(doc, signer)?;
                Ok(Opened::Rollup(Box::new(r), e))
            }
            Report::PAYLOAD_TYPE => Ok(Opened::Report(Box::new(
                doc.open_document(&signer.signing_key)?,
            ))),
            Certificate::PAYLOAD_TYPE => Ok(Opened::Certificate(Box::new(
                doc.open_document(&signer.signing_key)?,
            ))),
            other => Err(Error::new(
                Reason::WrongPayloadType,
                format!("cannot verify documents of type {other:?}"),
            )),
        }
    }

    /// The time the document claims it was made: the chain's windows and revocations are
    /// checked at that time, so verification never depends on the verifier's clock.
    fn time(&self) -> jiff::Timestamp {
        match self {
            Opened::Rollup(r, _) => r.generated_at,
            Opened::Report(r) => r.generated_at,
            Opened::Certificate(c) => c.not_before,
        }
    }
}

/// Verifies a bundle against the pinned root card: the chain to the signer, then the document
/// and, for a rollup, the tree below it from the bundle's documents.
pub fn verify_bundle(bundle: &Bundle, root: &Card) -> std::result::Result<Summary, Errors> {
    verify_parts(
        bundle,
        Documents::from_envelopes(bundle.documents.clone()),
        root,
    )
}

/// [`verify_bundle`] with the bundle's documents already taken out of it and hashed: `pool`
/// (or why it could not be made) is consulted at the same point as before, so the outcome is the
/// same, without copying every document first.
fn verify_parts(
    bundle: &Bundle,
    pool: Result<Documents>,
    root: &Card,
) -> std::result::Result<Summary, Errors> {
    verify_parts_with(bundle, pool, root, |opened, signer, revs, pool| {
        verify_signed(opened, signer, revs, pool)
    })
}

/// The chain, revocations and signature of a bundle's document, then `then` on the opened
/// document with its verified signer.
fn verify_parts_with(
    bundle: &Bundle,
    pool: Result<Documents>,
    root: &Card,
    then: impl FnOnce(Opened, &Card, &RevocationSet, &Documents) -> std::result::Result<Summary, Errors>,
) -> std::result::Result<Summary, Errors> {
    let mut revs = RevocationSet::new();
    let mut errors = Vec::new();
    // Revocation lists may be signed by the root or by any hub in the chain; learn the chain's
    // cards first (the time is not known yet, so only signatures are checked here).
    let mut issuers = vec![root.clone()];
    for env in &bundle.chain {
        if let Some(last) = issuers.last()
            && let Ok(cert) = env.open_document::<Certificate>(&last.signing_key)
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
    if issuers.len() != bundle.chain.len() + 1 {
        // Some certificate is not signed by the one before it: verify_chain names which.
        let at = jiff::Timestamp::UNIX_EPOCH;
        errors.push(match verify_chain(root, &bundle.chain, at, &revs) {
            Err(e) => e,
            Ok(_) => Error::new(Reason::UntrustedChain, "the chain does not verify"),
        });
        return Err(errors);
    }
    let Some(claimed) = issuers.last() else {
        return Err(vec![Error::new(Reason::UntrustedChain, "no signer")]);
    };
    let mut pool = pool.map_err(|e| vec![e])?;
    for key in &bundle.joint_keys {
        pool.add_joint_key(key.clone());
    }
    // The document is opened once, with the key the chain names. Signed under another key, it
    // does not come from the chain at all; signed under that key but altered, it is forged.
    if !bundle
        .document
        .signer_ids()
        .any(|id| *id == claimed.key_id())
    {
        errors.push(Error::new(
            Reason::UntrustedChain,
            format!(
                "the document is not signed by {}, whom the chain from the pinned root vouches for",
                claimed.id
            ),
        ));
        return Err(errors);
    }
    let opened = Opened::open(&bundle.document, claimed).map_err(|e| {
        errors.push(e);
        std::mem::take(&mut errors)
    })?;
    let signer = match verify_chain(root, &bundle.chain, opened.time(), &revs) {
        Ok(card) => card,
        Err(e) => {
            errors.push(e);
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    then(opened, &signer, &revs, &pool)
}

/// [`verify_bundle`] for a rollup's bundle, keeping what was verified: the signer's card (from
/// the chain) and the whole tree below the rollup, every signature, tally and range proof
/// checked. Anything but a rollup is refused (`wrong-payload-type`). A trustee asked to decrypt
/// a hub's aggregates, and `verify` of a publication, start here.
pub fn verify_bundle_tree(
    bundle: &Bundle,
    root: &Card,
) -> std::result::Result<(Card, Tree), Errors> {
    verify_bundle_tree_known(bundle, root, None)
}

/// [`verify_bundle_tree`] for a verifier that already verified some chapter reports (a trustee
/// hub ingested them, or verified them in an earlier share call): a chapter report whose
/// [`Envelope::digest`] `known` accepts is parsed without checking its signature and range
/// proofs again. Everything that binds the tree is still checked: certificates and their
/// windows, recipients, periods, revocations, each rollup's signature, every tally against the
/// product of its children's ciphertexts, completeness, and that the bundle carries exactly its
/// tree (docs/protocol.md §17.13). A copy of a known report altered in any way has another
/// digest and is verified in full.
pub fn verify_bundle_tree_known(
    bundle: &Bundle,
    root: &Card,
    known: Option<Known<'_>>,
) -> std::result::Result<(Card, Tree), Errors> {
    if bundle.document.payload_type() != Rollup::PAYLOAD_TYPE {
        return Err(vec![Error::new(
            Reason::WrongPayloadType,
            format!(
                "expected a rollup's bundle, not a {:?}",
                bundle.document.payload_type()
            ),
        )]);
    }
    let pool = Documents::from_envelopes(bundle.documents.clone());
    let mut tree = None;
    let mut card = None;
    verify_parts_with(bundle, pool, root, |opened, signer, revs, pool| {
        let Opened::Rollup(rollup, embedded) = opened else {
            return Err(vec![Error::new(Reason::WrongPayloadType, "not a rollup")]);
        };
        let t = verify_opened(*rollup, embedded, signer, revs, pool, known)?;
        t.binds_all(pool).map_err(|e| vec![e])?;
        let summary = t.summary.clone();
        tree = Some(t);
        card = Some(signer.clone());
        Ok(summary)
    })?;
    match (card, tree) {
        (Some(c), Some(t)) => Ok((c, t)),
        _ => Err(vec![Error::new(Reason::WrongPayloadType, "not a rollup")]),
    }
}

fn verify_signed(
    opened: Opened,
    signer: &Card,
    revs: &RevocationSet,
    pool: &Documents,
) -> std::result::Result<Summary, Errors> {
    if !matches!(opened, Opened::Rollup(..)) && !pool.is_empty() {
        return Err(vec![Error::malformed(
            "only a rollup's bundle carries documents",
        )]);
    }
    match opened {
        Opened::Rollup(rollup, embedded) => {
            let tree = verify_opened(*rollup, embedded, signer, revs, pool, None)?;
            tree.binds_all(pool).map_err(|e| vec![e])?;
            let Tree { summary, nodes, .. } = tree;
            drop_wide(nodes);
            Ok(summary)
        }
        Opened::Report(report) => {
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
        Opened::Certificate(cert) => {
            check_certificate(signer, &cert, cert.not_before, revs).map_err(|e| vec![e])?;
            Ok(Summary {
                document: "certificate".into(),
                signer: Some(signer.id.clone()),
                ..Summary::default()
            })
        }
    }
}

/// Frees a verified tree's documents on every core: a national tree holds a quarter of a million
/// cells, each a few small allocations, and freeing them one by one is a fair part of the time.
fn drop_wide(mut nodes: Vec<TreeNode>) {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads < 2 || nodes.len() < 64 {
        return;
    }
    let mut parts = Vec::with_capacity(threads);
    let chunk = nodes.len().div_ceil(threads);
    while nodes.len() > chunk {
        parts.push(nodes.split_off(nodes.len() - chunk));
    }
    std::thread::scope(|scope| {
        for part in parts {
            scope.spawn(move || drop(part));
        }
        drop(nodes);
    });
}

/// Verifies a file: a sealed file (opened with `identity`), a [`Bundle`], or a bare envelope,
/// which must then be signed by the root itself. An unsealed file is read under
/// [`MAX_STORED_BYTES`] (the operator named it); a sealed one under [`MAX_BUNDLE_BYTES`].
pub fn verify_bytes(
    bytes: &[u8],
    root: &Card,
    identity: Option<&SecretKeys>,
) -> std::result::Result<Summary, Errors> {
    let sealed = bytes.starts_with(b"age-encryption.org/")
        || bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----");
    if sealed {
        let Some(keys) = identity else {
            return Err(vec![Error::new(
                Reason::SealBroken,
                "the file is sealed: pass --identity with the receiving hub's key file",
            )]);
        };
        let plain = open_bytes(bytes, keys, MAX_BUNDLE_BYTES).map_err(|e| vec![e])?;
        return verify_plain(&plain, root, MAX_BUNDLE_BYTES);
    }
    verify_plain(bytes, root, MAX_STORED_BYTES)
}

fn verify_plain(bytes: &[u8], root: &Card, limit: usize) -> std::result::Result<Summary, Errors> {
    if let Ok(mut bundle) = Bundle::from_json_limited(bytes, limit) {
        let pool = Documents::from_envelopes(std::mem::take(&mut bundle.documents));
        return verify_parts(&bundle, pool, root);
    }
    match Envelope::from_json_limited(bytes, limit) {
        Ok(envelope) => verify_envelope(&envelope, root),
        Err(e) => Err(vec![e.context("not a sealed file, bundle or envelope")]),
    }
}

fn verify_envelope(envelope: &Envelope, root: &Card) -> std::result::Result<Summary, Errors> {
    if envelope.signer_ids().any(|id| *id == root.key_id()) {
        let opened = Opened::open(envelope, root).map_err(|e| vec![e])?;
        verify_signed(opened, root, &RevocationSet::new(), &Documents::new())
    } else {
        Err(vec![Error::new(
            Reason::UntrustedChain,
            "the envelope is not signed by the root and carries no chain: verify the bundle (`rollup --out`) instead",
        )])
    }
}

/// [`verify_bytes`], then the witnessed logs (docs/protocol.md §18.6): for a rollup's bundle, the
/// log of the hub that signed it and of each regional hub below must each carry a checkpoint
/// with at least `policy.quorum` valid cosignatures from `policy.witnesses`, and every document
/// a rollup binds an inclusion proof in its hub's witnessed checkpoint. A report, a certificate
/// or a bare envelope is in no log the file relies on, and is verified as [`verify_bytes`] does.
pub fn verify_bytes_witnessed(
    bytes: &[u8],
    root: &Card,
    identity: Option<&SecretKeys>,
    policy: &super::WitnessPolicy,
) -> std::result::Result<Summary, Errors> {
    let sealed = bytes.starts_with(b"age-encryption.org/")
        || bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----");
    let (plain, limit) = if sealed {
        let Some(keys) = identity else {
            return verify_bytes(bytes, root, identity);
        };
        (
            std::borrow::Cow::Owned(
                open_bytes(bytes, keys, MAX_BUNDLE_BYTES).map_err(|e| vec![e])?,
            ),
            MAX_BUNDLE_BYTES,
        )
    } else {
        (std::borrow::Cow::Borrowed(bytes), MAX_STORED_BYTES)
    };
    let Ok(mut bundle) = Bundle::from_json_limited(&plain, limit) else {
        return verify_plain(&plain, root, limit);
    };
    let logs = std::mem::take(&mut bundle.witnessed);
    let side = super::witnessed::Side::collect(&bundle);
    let pool = Documents::from_envelopes(std::mem::take(&mut bundle.documents));
    let summary = verify_parts(&bundle, pool, root)?;
    let errors = super::witnessed::check_bundle(&bundle, &logs, &side, root, policy);
    if errors.is_empty() {
        Ok(summary)
    } else {
        Err(errors)
    }
}
