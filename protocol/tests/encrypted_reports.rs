//! Encrypted withheld cells inside chapter reports and rollups (issue 14): the report field and
//! its checks, the public bound, tallies in rollups at two levels recomputed by verification, and
//! every refusal with its reason: a tampered ciphertext, a proof for another bound (a range proof
//! for an out-of-range value cannot be made), a bound that says more than the published cells,
//! an unknown key, and a tally that leaves out a child.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jiff::Timestamp;
use shopfloor_protocol::cert::RevocationSet;
use shopfloor_protocol::disclosure;
use shopfloor_protocol::envelope::Document as _;
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::report::encrypted::public_bounds;
use shopfloor_protocol::report::{ChapterFacts, REPORT_SCHEMA};
use shopfloor_protocol::rollup::{self, Bundle, Documents, Rollup, verify_bytes, verify_rollup};
use shopfloor_protocol::testkit::Party;
use shopfloor_protocol::threshold::{
    Ceremony, Contribution, DecodeTable, EncryptedCell, JointKey, ReleasePolicy, Tally, Trustee,
    combine, run_ceremony,
};
use shopfloor_protocol::{
    Cell, CellKey, CellValue, DisclosurePolicy, Envelope, Kind, PartyId, Period, Reason, Report,
};

fn id(s: &str) -> PartyId {
    PartyId::new(s).unwrap()
}

fn trustees() -> &'static [Trustee] {
    static T: OnceLock<Vec<Trustee>> = OnceLock::new();
    T.get_or_init(|| {
        let c = Ceremony::new(
            "federation-2027",
            vec![id("national"), id("south"), id("officer-a")],
            2,
        )
        .unwrap();
        run_ceremony(&c).unwrap()
    })
}

fn key() -> &'static JointKey {
    trustees()[0].joint_key()
}

fn period() -> Period {
    "2026-10".parse().unwrap()
}

/// A chapter's report with small cells withheld: union staff `staff` and officers `officers`
/// among `members` members, and workplaces at stages 1 to 3, suppressed as a node does, the
/// exact withheld values encrypted to `key` when given.
fn report(
    chapter: &PartyId,
    hub: &PartyId,
    staff: u64,
    officers: u64,
    key: Option<&JointKey>,
) -> (Report, BTreeMap<CellKey, u64>) {
    let members = 40;
    let m = |dims: &[(Dim, &str)], v: u64| Cell::count(CellKey::new("members", dims), v);
    let w =
        |stage: &str, v: u64| Cell::count(CellKey::new("workplaces", &[(Dim::Stage, stage)]), v);
    let exact = vec![
        Cell::count(CellKey::total("members"), members),
        m(&[(Dim::UnionStatus, "member")], members - staff - officers),
        m(&[(Dim::UnionStatus, "staff")], staff),
        m(&[(Dim::UnionStatus, "officer")], officers),
        Cell::count(CellKey::total("workplaces"), 12),
        w("1", 8),
        w("2", 3),
        w("3", 1),
    ];
    let policy = DisclosurePolicy::default();
    let mut cells = exact.clone();
    disclosure::suppress_report(&mut cells, &policy, &[]);
    disclosure::check_report(&cells, policy.k, &[]).unwrap();
    let withheld: BTreeMap<CellKey, u64> = cells
        .iter()
        .zip(&exact)
        .filter(|(c, _)| c.value == CellValue::Suppressed)
        .map(|(c, e)| (c.key.clone(), e.value.count().unwrap()))
        .collect();
    let mut r = Report {
        schema: REPORT_SCHEMA.to_owned(),
        chapter: chapter.clone(),
        recipient: hub.clone(),
        period: period(),
        revision: 1,
        previous: None,
        generated_at: Timestamp::now(),
        policy,
        cells,
        facts: ChapterFacts::default(),
        campaigns: Vec::new(),
        as_of: None,
        correction: false,
        encrypted: Vec::new(),
        joint_key: None,
    };
    if let Some(k) = key {
        r.encrypt_withheld(k, &withheld).unwrap();
    }
    r.validate().unwrap();
    (r, withheld)
}

fn reason<T: std::fmt::Debug>(r: shopfloor_protocol::Result<T>) -> Reason {
    r.unwrap_err().reason()
}

#[test]
fn withheld_cells_travel_encrypted_under_their_public_bound() {
    let (r, withheld) = report(&id("triangle"), &id("south"), 2, 1, Some(key()));
    assert!(withheld.len() >= 3, "{withheld:?}");
    assert_eq!(r.encrypted.len(), withheld.len());
    assert_eq!(r.joint_key, Some(key().id()));
    // Every bound is one more than the largest value the published cells allow: never k, and
    // the same as an attacker's own interval computation.
    let intervals = disclosure::intervals_report(&r.cells, &r.campaigns);
    for e in &r.encrypted {
        let (_, hi) = intervals[&e.key];
        assert_eq!(e.cell.bound, hi + 1, "{}", e.key);
        assert!(hi >= r.policy.k, "{}: hi {hi}", e.key);
    }
    r.check_encrypted(key()).unwrap();
    // Round trip through the signed bytes.
    let back = Report::from_payload(&r.to_payload()).unwrap();
    assert_eq!(back, r);
    back.check_encrypted(key()).unwrap();
    // Published cells are untouched and stay in the clear.
    let text = String::from_utf8(r.to_payload()).unwrap();
    assert!(text.contains("\"encrypted\":[") && text.contains("\"joint_key\":\""));
}

#[test]
fn a_report_without_encrypted_cells_keeps_its_bytes() {
    let (r, _) = report(&id("triangle"), &id("south"), 2, 1, None);
    let text = String::from_utf8(r.to_payload()).unwrap();
    assert!(
        !text.contains("encrypted") && !text.contains("joint_key"),
        "{text}"
    );
    r.check_encrypted(key()).unwrap();
}

#[test]
fn encrypted_entries_must_belong_to_withheld_cells_once_in_order() {
    let (r, _) = report(&id("triangle"), &id("south"), 2, 1, Some(key()));
    // An entry for a published cell.
    let mut bad = r.clone();
    bad.encrypted[0].key = CellKey::total("members");
    assert_eq!(reason(bad.validate()), Reason::InvalidCell);
    // An entry for a cell the report does not list.
    let mut bad = r.clone();
    bad.encrypted[0].key = CellKey::new("members", &[(Dim::Sector, "62")]);
    assert_eq!(reason(bad.validate()), Reason::InvalidCell);
    // The same cell twice, and out of the cells' order.
    let mut bad = r.clone();
    let first = bad.encrypted[0].clone();
    bad.encrypted.push(first);
    assert_eq!(reason(bad.validate()), Reason::InvalidCell);
    let mut bad = r.clone();
    bad.encrypted.reverse();
    assert_eq!(reason(bad.validate()), Reason::InvalidCell);
    // A key without cells, and cells without a key.
    let mut bad = r.clone();
    bad.encrypted.clear();
    assert_eq!(reason(bad.validate()), Reason::Malformed);
    let mut bad = r.clone();
    bad.joint_key = None;
    assert_eq!(reason(bad.validate()), Reason::Malformed);
    // Entries are optional per cell: one withheld cell without its entry is still a report.
    let mut fewer = r.clone();
    fewer.encrypted.pop();
    fewer.validate().unwrap();
    fewer.check_encrypted(key()).unwrap();
}

#[test]
fn a_bound_that_says_more_than_the_published_cells_is_refused() {
    let (r, withheld) = report(&id("triangle"), &id("south"), 2, 1, Some(key()));
    // A primary cell proven below k would tell every reader "this cell is small".
    let staff = CellKey::new("members", &[(Dim::UnionStatus, "staff")]);
    let mut bad = r.clone();
    let e = bad.encrypted.iter_mut().find(|e| e.key == staff).unwrap();
    e.cell = EncryptedCell::encrypt(key(), withheld[&staff], r.policy.k).unwrap();
    // The proof itself is sound; only the bound is wrong.
    e.cell.verify(key()).unwrap();
    assert_eq!(reason(bad.check_encrypted(key())), Reason::BadBound);
    // A larger bound than the public one is refused too: the bound is fixed, not a ceiling.
    let mut bad = r.clone();
    let e = bad.encrypted.iter_mut().find(|e| e.key == staff).unwrap();
    let public = public_bounds(&r.cells, &r.campaigns)[&staff];
    e.cell = EncryptedCell::encrypt(key(), withheld[&staff], public + 1).unwrap();
    assert_eq!(reason(bad.check_encrypted(key())), Reason::BadBound);
}

#[test]
fn out_of_range_values_and_tampered_ciphertexts_are_refused() {
    let (r, withheld) = report(&id("triangle"), &id("south"), 2, 1, Some(key()));
    let staff = CellKey::new("members", &[(Dim::UnionStatus, "staff")]);
    let public = public_bounds(&r.cells, &r.campaigns)[&staff];
    // No proof can be made for a value at or above its bound...
    assert_eq!(
        reason(EncryptedCell::encrypt(key(), public, public)),
        Reason::ApiMisuse
    );
    // ...so a chapter claiming a bound its proof was not made for is refused: a proof that the
    // value is below 2, relabelled with the public bound.
    let mut bad = r.clone();
    let e = bad.encrypted.iter_mut().find(|e| e.key == staff).unwrap();
    e.cell = EncryptedCell::encrypt(key(), 1, 2).unwrap();
    e.cell.bound = public;
    assert_eq!(reason(bad.check_encrypted(key())), Reason::BadRangeProof);
    // A ciphertext swapped for another cell's (a different value under a valid-looking proof).
    let mut bad = r.clone();
    let other = bad
        .encrypted
        .iter()
        .find(|e| e.key != staff)
        .unwrap()
        .clone();
    let e = bad.encrypted.iter_mut().find(|e| e.key == staff).unwrap();
    e.cell.ciphertext = other.cell.ciphertext;
    assert_eq!(reason(bad.check_encrypted(key())), Reason::BadRangeProof);
    // A ciphertext of another value with the right bound, under the original proof.
    let mut bad = r.clone();
    let forged = EncryptedCell::encrypt(key(), withheld[&staff] + 1, public).unwrap();
    let e = bad.encrypted.iter_mut().find(|e| e.key == staff).unwrap();
    e.cell.ciphertext = forged.ciphertext;
    assert_eq!(reason(bad.check_encrypted(key())), Reason::BadRangeProof);
    // Under another joint key.
    let other_key = {
        let c = Ceremony::new("federation-2028", vec![id("national"), id("south")], 2).unwrap();
        run_ceremony(&c).unwrap()[0].joint_key().clone()
    };
    assert_eq!(
        reason(r.check_encrypted(&other_key)),
        Reason::UnknownJointKey
    );
}

struct Federation {
    national: Party,
    south: Party,
    chapters: Vec<Party>,
    maine: Party,
}

fn federation() -> Federation {
    Federation {
        national: Party::new("national", Kind::National, "National", None).unwrap(),
        south: Party::new("south", Kind::Regional, "Southern Region", None).unwrap(),
        chapters: ["triangle", "memphis", "nola", "atlanta"]
            .iter()
            .map(|c| Party::new(c, Kind::Chapter, c, Some("NC")).unwrap())
            .collect(),
        maine: Party::new("maine", Kind::Chapter, "Maine", Some("ME")).unwrap(),
    }
}

/// National's bundle over the south's rollup of four chapters (staff 1, 2, 3, 4; officers 2)
/// and Maine directly (staff 4, officers 1), every report encrypted.
fn two_level(f: &Federation, keys: &Documents) -> (Bundle, Envelope, Documents) {
    let now = Timestamp::now();
    let south_children = f
        .chapters
        .iter()
        .enumerate()
        .map(|(i, ch)| {
            let (r, _) = report(&ch.card.id, &f.south.card.id, i as u64 + 1, 2, Some(key()));
            ch.child(
                f.south.certify(&ch.card, i as u64 + 1, now).unwrap(),
                Envelope::sign(&r, &ch.keys),
            )
        })
        .collect();
    let mut docs = keys.clone();
    let (south_rollup, _) = rollup::build(
        &f.south.card,
        &f.south.keys,
        Some(f.national.card.id.clone()),
        period(),
        1,
        now,
        vec![],
        south_children,
        &mut docs,
        Vec::new(),
    )
    .unwrap();
    let (maine, _) = report(&f.maine.card.id, &f.national.card.id, 4, 1, Some(key()));
    let children = vec![
        f.south.child(
            f.national.certify(&f.south.card, 1, now).unwrap(),
            south_rollup.clone(),
        ),
        f.maine.child(
            f.national.certify(&f.maine.card, 2, now).unwrap(),
            Envelope::sign(&maine, &f.maine.keys),
        ),
    ];
    let (env, tree) = rollup::build(
        &f.national.card,
        &f.national.keys,
        None,
        period(),
        1,
        now,
        vec![],
        children,
        &mut docs,
        Vec::new(),
    )
    .unwrap();
    let bundle = Bundle::for_tree(env, Vec::new(), Vec::new(), &tree, &docs).unwrap();
    (bundle, south_rollup, docs)
}

fn with_key() -> Documents {
    let mut d = Documents::new();
    d.add_joint_key(key().clone());
    d
}

fn staff() -> CellKey {
    CellKey::new("members", &[(Dim::UnionStatus, "staff")])
}

#[test]
fn rollups_tally_encrypted_cells_and_verification_recomputes_them() {
    let f = federation();
    let (bundle, south_env, _) = two_level(&f, &with_key());
    assert_eq!(bundle.joint_keys.len(), 1);
    // Offline, from the file's bytes: every signature, proof, bound and tally.
    let summary = verify_bytes(&bundle.to_json(), &f.national.card, None).unwrap();
    assert_eq!((summary.chapters, summary.hubs), (5, 2));

    let pool = Documents::from_envelopes(bundle.documents.clone()).unwrap();
    let mut pool_keys = pool.clone();
    pool_keys.add_joint_key(key().clone());
    let tree = verify_rollup(
        &bundle.document,
        &f.national.card,
        &RevocationSet::new(),
        &pool_keys,
    )
    .unwrap();
    // The south's tally is the product of its four chapters' ciphertexts, as anyone computes it
    // from the signed reports; national's is the south's tally times Maine's.
    let south: Rollup = south_env.open_document(&f.south.card.signing_key).unwrap();
    let south_tally = south.cell(&staff()).unwrap().tally.clone().unwrap();
    let contributions: Vec<Contribution> = tree
        .reports()
        .filter(|(n, _)| n.parent == f.south.card.id)
        .map(|(_, r)| {
            let e = r.encrypted.iter().find(|e| e.key == staff()).unwrap();
            Contribution::new(r.chapter.clone(), e.cell.clone())
        })
        .collect();
    assert_eq!(contributions.len(), 4);
    south_tally.check_cells(key(), &contributions).unwrap();
    let national_tally = tree.top.cell(&staff()).unwrap().tally.clone().unwrap();
    assert_eq!(national_tally.chapters.len(), 5);
    let maine = tree
        .reports()
        .find(|(_, r)| r.chapter == f.maine.card.id)
        .map(|(_, r)| r.clone())
        .unwrap();
    let maine_tally = Tally::of_cells(
        key(),
        &[Contribution::new(
            maine.chapter.clone(),
            maine
                .encrypted
                .iter()
                .find(|e| e.key == staff())
                .unwrap()
                .cell
                .clone(),
        )],
    )
    .unwrap();
    national_tally
        .check_tallies(key(), &[south_tally, maine_tally])
        .unwrap();
    // Two trustees decrypt national's aggregate: 1 + 2 + 3 + 4 + 4 union staff, exactly,
    // where the clear sums show only "withheld by 5 chapters".
    let policy = ReleasePolicy::new(5).unwrap();
    let shares = [
        trustees()[0].share(&national_tally, &policy).unwrap(),
        trustees()[1].share(&national_tally, &policy).unwrap(),
    ];
    let total = combine(
        key(),
        &national_tally,
        &shares,
        &DecodeTable::new(1_000).unwrap(),
    )
    .unwrap();
    assert_eq!(total, 14);
    assert_eq!(tree.top.cell(&staff()).unwrap().suppressed, 5);
}

#[test]
fn verification_without_the_joint_key_is_refused_by_name() {
    let f = federation();
    let (mut bundle, _, _) = two_level(&f, &with_key());
    bundle.joint_keys.clear();
    let errs = verify_bytes(&bundle.to_json(), &f.national.card, None).unwrap_err();
    assert!(
        errs.iter().all(|e| e.reason() == Reason::UnknownJointKey),
        "{errs:?}"
    );
    // Nor can a hub build a rollup over cells under a key it does not hold.
    let now = Timestamp::now();
    let ch = &f.chapters[0];
    let (r, _) = report(&ch.card.id, &f.south.card.id, 1, 2, Some(key()));
    let errs = rollup::build(
        &f.south.card,
        &f.south.keys,
        Some(f.national.card.id.clone()),
        period(),
        1,
        now,
        vec![],
        vec![ch.child(
            f.south.certify(&ch.card, 1, now).unwrap(),
            Envelope::sign(&r, &ch.keys),
        )],
        &mut Documents::new(),
        Vec::new(),
    )
    .unwrap_err();
    assert_eq!(errs[0].reason(), Reason::UnknownJointKey, "{errs:?}");
}

#[test]
fn a_tally_that_leaves_out_a_child_is_refused() {
    let f = federation();
    let (bundle, south_env, docs) = two_level(&f, &with_key());
    // The south re-signs its rollup with the staff tally of three chapters only: the clear sums
    // still match, the tally does not.
    let mut south: Rollup = south_env.open_document(&f.south.card.signing_key).unwrap();
    let cell = south.cells.iter_mut().find(|c| c.key == staff()).unwrap();
    let tally = cell.tally.as_mut().unwrap();
    let dropped = tally.chapters.remove(0);
    let rest = docs
        .get(
            &south
                .children
                .iter()
                .find(|c| c.id == dropped.chapter)
                .unwrap()
                .document,
        )
        .unwrap()
        .clone();
    let dropped_report: Report = rest
        .open_document(
            &f.chapters
                .iter()
                .find(|c| c.card.id == dropped.chapter)
                .unwrap()
                .card
                .signing_key,
        )
        .unwrap();
    let dropped_cell = dropped_report
        .encrypted
        .iter()
        .find(|e| e.key == staff())
        .unwrap();
    // Take its ciphertext out of the product too, so only the omission is wrong.
    let minus = Tally::of_cells(
        key(),
        &[Contribution::new(
            dropped.chapter.clone(),
            dropped_cell.cell.clone(),
        )],
    )
    .unwrap();
    assert_ne!(tally.ciphertext, minus.ciphertext);
    let tampered_south = Envelope::sign(&south, &f.south.keys);
    let pool = {
        let mut p = Documents::from_envelopes(bundle.documents.clone()).unwrap();
        p.add_joint_key(key().clone());
        p.insert(tampered_south.clone());
        p
    };
    let errs =
        verify_rollup(&tampered_south, &f.south.card, &RevocationSet::new(), &pool).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].reason(), Reason::TallyMismatch);
    assert!(
        errs[0].detail().contains(dropped.chapter.as_str()),
        "{}",
        errs[0]
    );
    // A tally with the right chapters but another product is refused as well.
    let mut south: Rollup = south_env.open_document(&f.south.card.signing_key).unwrap();
    let cell = south.cells.iter_mut().find(|c| c.key == staff()).unwrap();
    let t = cell.tally.as_mut().unwrap();
    t.ciphertext = t.ciphertext + minus.ciphertext;
    let tampered_south = Envelope::sign(&south, &f.south.keys);
    let errs =
        verify_rollup(&tampered_south, &f.south.card, &RevocationSet::new(), &pool).unwrap_err();
    assert_eq!(errs[0].reason(), Reason::TallyMismatch, "{errs:?}");
    assert!(errs[0].detail().contains("product"), "{}", errs[0]);
}

#[test]
fn a_tampered_ciphertext_in_a_chapter_report_is_refused_by_verify() {
    let f = federation();
    let (bundle, _, _) = two_level(&f, &with_key());
    // Replace one chapter's report with a copy whose ciphertext was changed: unsigned, the
    // signature fails; re-signed by the chapter itself, the range proof fails.
    let victim = &f.chapters[1];
    let (pos, original) = bundle
        .documents
        .iter()
        .enumerate()
        .find_map(|(i, env)| {
            env.open_document::<Report>(&victim.card.signing_key)
                .ok()
                .map(|r| (i, r))
        })
        .unwrap();
    let mut r = original;
    let other = r.encrypted[1].cell.ciphertext;
    r.encrypted[0].cell.ciphertext = other;
    let resigned = Envelope::sign(&r, &victim.keys);
    // Verification finds the document by digest: put the altered one in its place and point the
    // south's rollup at it by re-signing the path above (the south and national vouch for it).
    let errs = r.check_encrypted(key()).unwrap_err();
    assert_eq!(errs.reason(), Reason::BadRangeProof);
    let mut tampered = bundle.clone();
    tampered.documents[pos] = resigned;
    let errs = verify_bytes(&tampered.to_json(), &f.national.card, None).unwrap_err();
    // The digest no longer matches what the south bound: the file is refused before any proof.
    assert!(!errs.is_empty());
    // Re-sign the whole path (a compromised south and national): the proof is what refuses it.
    let now = Timestamp::now();
    let mut docs = with_key();
    let south_children: Vec<_> = f
        .chapters
        .iter()
        .enumerate()
        .map(|(i, ch)| {
            let doc = if ch.card.id == victim.card.id {
                Envelope::sign(&r, &ch.keys)
            } else {
                let (rep, _) = report(&ch.card.id, &f.south.card.id, 1, 2, Some(key()));
                Envelope::sign(&rep, &ch.keys)
            };
            ch.child(f.south.certify(&ch.card, i as u64 + 1, now).unwrap(), doc)
        })
        .collect();
    let errs = rollup::build(
        &f.south.card,
        &f.south.keys,
        Some(f.national.card.id.clone()),
        period(),
        1,
        now,
        vec![],
        south_children,
        &mut docs,
        Vec::new(),
    )
    .unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].reason(), Reason::BadRangeProof);
    assert!(
        errs[0].detail().contains(victim.card.id.as_str()),
        "{}",
        errs[0]
    );
}

/// National's bundle with one chapter's report replaced by `tampered` (re-signed by the chapter)
/// and the path above re-signed (a compromised south and national), so only the report's own
/// checks can refuse it.
fn with_tampered_report(
    f: &Federation,
    bundle: &Bundle,
    victim: usize,
    tampered: &Report,
) -> Bundle {
    let victim = &f.chapters[victim];
    let resigned = Envelope::sign(tampered, &victim.keys);
    let old_report = bundle
        .documents
        .iter()
        .find(|env| {
            env.open_document::<Report>(&victim.card.signing_key)
                .is_ok()
        })
        .unwrap()
        .digest();
    let old_south = bundle
        .documents
        .iter()
        .find(|env| {
            env.open_document::<Rollup>(&f.south.card.signing_key)
                .is_ok()
        })
        .unwrap()
        .clone();
    let mut south: Rollup = old_south.open_document(&f.south.card.signing_key).unwrap();
    for c in &mut south.children {
        if c.document == old_report {
            c.document = resigned.digest();
        }
    }
    let new_south = Envelope::sign(&south, &f.south.keys);
    let mut national: Rollup = bundle
        .document
        .open_document(&f.national.card.signing_key)
        .unwrap();
    for c in &mut national.children {
        if c.document == old_south.digest() {
            c.document = new_south.digest();
        }
    }
    let mut out = bundle.clone();
    out.document = Envelope::sign(&national, &f.national.keys);
    for env in &mut out.documents {
        if env.digest() == old_report {
            *env = resigned.clone();
        } else if env.digest() == old_south.digest() {
            *env = new_south.clone();
        }
    }
    out
}

#[test]
fn a_trustee_reuses_reports_it_verified_by_digest_and_still_refuses_tampered_ones() {
    let f = federation();
    let (bundle, _, _) = two_level(&f, &with_key());
    let mut bundle = bundle;
    bundle.joint_keys = vec![key().clone()];
    let digests: Vec<_> = bundle.documents.iter().map(Envelope::digest).collect();
    // Every report known: the same tree as a full verification.
    let all = |d: &shopfloor_protocol::Digest| digests.contains(d);
    let (_, full) = rollup::verify_bundle_tree(&bundle, &f.national.card).unwrap();
    let (_, reused) =
        rollup::verify_bundle_tree_known(&bundle, &f.national.card, Some(&all)).unwrap();
    assert_eq!(full.digests(), reused.digests());
    assert_eq!(full.summary.chapters, reused.summary.chapters);

    let victim = 1;
    let card = &f.chapters[victim].card;
    let original: Report = bundle
        .documents
        .iter()
        .find_map(|env| env.open_document::<Report>(&card.signing_key).ok())
        .unwrap();
    let mut r = original.clone();
    let other = r.encrypted[1].cell.ciphertext;
    r.encrypted[0].cell.ciphertext = other;
    let tampered = with_tampered_report(&f, &bundle, victim, &r);
    let reason = |b: &Bundle, known: Option<rollup::Known<'_>>| {
        let errs = rollup::verify_bundle_tree_known(b, &f.national.card, known).unwrap_err();
        assert!(errs[0].detail().contains(card.id.as_str()), "{}", errs[0]);
        errs[0].reason()
    };
    // With no cache: refused by the range proof, as today.
    assert_eq!(reason(&tampered, None), Reason::BadRangeProof);
    // A trustee that saw every other report, but not this one: the same refusal.
    let original_digest = Envelope::sign(&original, &f.chapters[victim].keys).digest();
    let others = |d: &shopfloor_protocol::Digest| digests.contains(d) && *d != original_digest;
    assert_eq!(reason(&tampered, Some(&others)), Reason::BadRangeProof);
    // A trustee that saw every report, this one included: the altered copy has another digest
    // and is verified in full.
    assert_eq!(reason(&tampered, Some(&all)), Reason::BadRangeProof);
    // The bundle's binding is still checked for known reports: a tally left wrong is refused.
    let mut national: Rollup = bundle
        .document
        .open_document(&f.national.card.signing_key)
        .unwrap();
    let cell = national
        .cells
        .iter_mut()
        .find(|c| c.key == staff())
        .unwrap();
    let t = cell.tally.as_mut().unwrap();
    t.ciphertext = t.ciphertext + t.ciphertext;
    let mut bad_tally = bundle.clone();
    bad_tally.document = Envelope::sign(&national, &f.national.keys);
    let errs =
        rollup::verify_bundle_tree_known(&bad_tally, &f.national.card, Some(&all)).unwrap_err();
    assert_eq!(errs[0].reason(), Reason::TallyMismatch, "{errs:?}");
}
