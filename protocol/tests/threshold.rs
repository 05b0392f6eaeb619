//! Encrypted small cells end to end: a 2-of-3 key ceremony, five chapters' cells, a tally,
//! decryption by two trustees, and every refusal with its reason code (issue 14).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use proptest::prelude::*;
use shopfloor_protocol::threshold::{
    Ceremony, CollectingCommitments, Contribution, DecodeTable, DecryptionShare, EncryptedCell,
    JointKey, ReleasePolicy, Tally, Trustee, combine, run_ceremony,
};
use shopfloor_protocol::{PartyId, Reason};

fn id(s: &str) -> PartyId {
    PartyId::new(s).unwrap()
}

fn ceremony() -> Ceremony {
    Ceremony::new(
        "federation-2027",
        vec![id("national"), id("south"), id("officer-a")],
        2,
    )
    .unwrap()
}

/// One ceremony for the whole file (a ceremony is cheap, but the trustees must agree across tests).
fn trustees() -> &'static [Trustee] {
    static T: OnceLock<Vec<Trustee>> = OnceLock::new();
    T.get_or_init(|| run_ceremony(&ceremony()).unwrap())
}

fn key() -> &'static JointKey {
    trustees()[0].joint_key()
}

fn table() -> &'static DecodeTable {
    static T: OnceLock<DecodeTable> = OnceLock::new();
    T.get_or_init(|| DecodeTable::new(1_000).unwrap())
}

fn policy() -> ReleasePolicy {
    ReleasePolicy::new(5).unwrap()
}

fn cells(values: &[u64], bound: u64, prefix: &str) -> Vec<Contribution> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            Contribution::new(
                id(&format!("{prefix}-{i}")),
                EncryptedCell::encrypt(key(), v, bound).unwrap(),
            )
        })
        .collect()
}

fn json<T: serde::Serialize + serde::de::DeserializeOwned>(v: &T) -> T {
    let text = serde_json::to_string(v).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        text,
        "serde round trip"
    );
    back
}

fn reason<T: std::fmt::Debug>(r: shopfloor_protocol::Result<T>) -> Reason {
    r.unwrap_err().reason()
}

#[test]
fn two_of_three_ceremony_agrees_on_one_key() {
    let t = trustees();
    assert_eq!(t.len(), 3);
    for (i, trustee) in t.iter().enumerate() {
        assert_eq!(usize::from(trustee.index()), i);
        assert_eq!(trustee.joint_key(), key());
        assert_eq!(trustee.joint_key().fingerprint(), key().fingerprint());
    }
    assert_eq!(t[1].id().as_str(), "south");
    // The fingerprint reads aloud as six groups of five digits.
    let fp = key().fingerprint().to_string();
    assert_eq!(fp.len(), 35, "{fp}");
    // Another ceremony makes another key.
    let other = run_ceremony(&ceremony()).unwrap();
    assert_ne!(other[0].joint_key(), key());
    assert_ne!(other[0].joint_key().fingerprint(), key().fingerprint());
}

#[test]
fn five_chapters_decrypt_exactly_with_any_two_trustees() {
    let values = [4u64, 3, 0, 2, 4];
    let cells = cells(&values, 5, "chapter");
    let tally = Tally::of_cells(key(), &cells).unwrap();
    tally.check_cells(key(), &cells).unwrap();
    assert_eq!(tally.chapters.len(), 5);
    assert_eq!(tally.max_value(), 20);
    let t = trustees();
    let shares: Vec<DecryptionShare> = t
        .iter()
        .map(|x| x.share(&tally, &policy()).unwrap())
        .collect();
    for (a, b) in [(0, 1), (0, 2), (1, 2), (2, 0)] {
        let pair = [shares[a].clone(), shares[b].clone()];
        assert_eq!(combine(key(), &tally, &pair, table()).unwrap(), 13);
    }
    // All three also work (the first t are used).
    assert_eq!(combine(key(), &tally, &shares, table()).unwrap(), 13);
    policy().may_publish(&tally.bounds(), 13).unwrap();
}

#[test]
fn one_share_alone_decrypts_nothing() {
    let cells = cells(&[4, 3, 0, 2, 4], 5, "chapter");
    let tally = Tally::of_cells(key(), &cells).unwrap();
    let share = trustees()[1].share(&tally, &policy()).unwrap();
    assert_eq!(
        reason(combine(
            key(),
            &tally,
            std::slice::from_ref(&share),
            table()
        )),
        Reason::InsufficientShares
    );
    // Used as if it were the whole decryption, one share gives no value in the table (or, by a
    // 1-in-a-billion chance of landing in it, not the sum).
    let as_whole = share.share.into_unchecked();
    let got = as_whole.decrypt(
        *tally.ciphertext.inner(),
        &elastic_elgamal::DiscreteLogTable::new(0..=1_000),
    );
    assert_ne!(got, Some(13));
    // One share of one chapter's cell, in full view: still not its value.
    let lone = trustees()[0]
        .share_unchecked(&cells[0].cell.ciphertext)
        .unwrap();
    let got = lone.share.into_unchecked().decrypt(
        *cells[0].cell.ciphertext.inner(),
        &elastic_elgamal::DiscreteLogTable::new(0..=1_000),
    );
    assert_ne!(got, Some(4));
    // And a trustee refuses to share a tally of one chapter's cell.
    let one = Tally::of_cells(key(), &cells[..1]).unwrap();
    assert_eq!(
        reason(trustees()[0].share(&one, &policy())),
        Reason::ReleaseRefused
    );
}

#[test]
fn tampered_ciphertext_and_proofs_are_refused() {
    let good = EncryptedCell::encrypt(key(), 4, 5).unwrap();
    good.verify(key()).unwrap();

    // A ciphertext with 3 added homomorphically (so it holds 7): the proof no longer holds.
    let three = EncryptedCell::encrypt(key(), 3, 5).unwrap();
    let mut seven = good.clone();
    seven.ciphertext = good.ciphertext + three.ciphertext;
    assert_eq!(reason(seven.verify(key())), Reason::BadRangeProof);

    // Another cell's ciphertext under this proof.
    let mut swapped = good.clone();
    swapped.ciphertext = three.ciphertext;
    assert_eq!(reason(swapped.verify(key())), Reason::BadRangeProof);

    // A proof for value 7 below 5 cannot be made at all.
    assert_eq!(
        reason(EncryptedCell::encrypt(key(), 7, 5)),
        Reason::ApiMisuse
    );
    assert_eq!(
        reason(EncryptedCell::encrypt(key(), 5, 5)),
        Reason::ApiMisuse
    );
    assert_eq!(
        reason(EncryptedCell::encrypt(key(), 0, 1)),
        Reason::ApiMisuse
    );

    // A proof verifies only for the bound it was made for.
    for bound in [2, 4, 6, 10, 100] {
        let mut other = good.clone();
        other.bound = bound;
        let r = other.verify(key());
        assert_eq!(reason(r), Reason::BadRangeProof, "bound {bound}");
    }
    let mut huge = good.clone();
    huge.bound = u64::MAX;
    assert_eq!(reason(huge.verify(key())), Reason::InvalidCell);

    // A tampered proof: change one response scalar in the JSON.
    let mut doc: serde_json::Value = serde_json::to_value(&good).unwrap();
    let responses = doc["proof"]["ring_responses"].as_array_mut().unwrap();
    let other: serde_json::Value = serde_json::to_value(&three).unwrap();
    responses[0] = other["proof"]["ring_responses"][1].clone();
    let tampered: EncryptedCell = serde_json::from_value(doc).unwrap();
    assert_eq!(reason(tampered.verify(key())), Reason::BadRangeProof);

    // Under another joint key.
    let stranger = run_ceremony(&ceremony()).unwrap();
    assert_eq!(
        reason(good.verify(stranger[0].joint_key())),
        Reason::BadRangeProof
    );
}

#[test]
fn a_tally_that_leaves_out_a_child_is_refused() {
    let cells = cells(&[1, 2, 3, 4, 0], 5, "chapter");
    let tally = Tally::of_cells(key(), &cells).unwrap();
    // Left out: the claimed tally is over four chapters.
    let short = Tally::of_cells(key(), &cells[..4]).unwrap();
    let e = short.check_cells(key(), &cells).unwrap_err();
    assert_eq!(e.reason(), Reason::TallyMismatch);
    assert!(e.detail().contains("chapter-4"), "{e}");
    // Still listing five chapters but with a product over four.
    let mut forged = tally.clone();
    forged.ciphertext = short.ciphertext;
    assert_eq!(
        reason(forged.check_cells(key(), &cells)),
        Reason::TallyMismatch
    );
    // A child that is not in the tally.
    assert_eq!(
        reason(tally.check_cells(key(), &cells[..4])),
        Reason::TallyMismatch
    );
    // The same chapter twice.
    let twice = [cells[0].clone(), cells[0].clone(), cells[1].clone()];
    assert_eq!(reason(Tally::of_cells(key(), &twice)), Reason::InvalidCell);
    // A tampered child is caught by its proof when the tally is recomputed.
    let mut bad = cells.clone();
    bad[2].cell.ciphertext = bad[2].cell.ciphertext + cells[3].cell.ciphertext;
    assert_eq!(
        reason(tally.check_cells(key(), &bad)),
        Reason::BadRangeProof
    );
}

#[test]
fn national_tallies_regions_and_decrypts_the_sum() {
    let south = cells(&[1, 2, 3], 5, "south");
    let west = cells(&[4, 4], 5, "west");
    let ts = Tally::of_cells(key(), &south).unwrap();
    let tw = Tally::of_cells(key(), &west).unwrap();
    let national = Tally::of_tallies(key(), &[ts.clone(), tw.clone()]).unwrap();
    national
        .check_tallies(key(), &[ts.clone(), tw.clone()])
        .unwrap();
    assert_eq!(
        reason(national.check_tallies(key(), std::slice::from_ref(&ts))),
        Reason::TallyMismatch
    );
    assert_eq!(national.chapters.len(), 5);
    let shares = [
        trustees()[0].share(&national, &policy()).unwrap(),
        trustees()[1].share(&national, &policy()).unwrap(),
    ];
    assert_eq!(combine(key(), &national, &shares, table()).unwrap(), 14);
    // A claimed tally listing a chapter three times to pass the three-chapter rule.
    let mut padded = tw.clone();
    padded.chapters = vec![tw.chapters[0].clone(); 3];
    assert_eq!(
        reason(trustees()[0].share(&padded, &policy())),
        Reason::InvalidCell
    );
    // The west region alone has two chapters: trustees refuse to decrypt it.
    assert_eq!(
        reason(trustees()[0].share(&tw, &policy())),
        Reason::ReleaseRefused
    );
    // A region counted twice.
    assert_eq!(
        reason(Tally::of_tallies(key(), &[ts.clone(), ts])),
        Reason::InvalidCell
    );
}

#[test]
fn wrong_decryption_shares_are_refused() {
    let cells = cells(&[4, 3, 0, 2, 4], 5, "chapter");
    let tally = Tally::of_cells(key(), &cells).unwrap();
    let other_tally = Tally::of_cells(key(), &cells[1..]).unwrap();
    let s0 = trustees()[0].share(&tally, &policy()).unwrap();
    let s1 = trustees()[1].share(&tally, &policy()).unwrap();

    // Trustee 0's share claimed as trustee 2's.
    let mut relabelled = s0.clone();
    relabelled.trustee = 2;
    assert_eq!(
        reason(combine(key(), &tally, &[relabelled, s1.clone()], table())),
        Reason::BadDecryptionShare
    );
    // An unknown trustee index: refused, no panic.
    let mut unknown = s0.clone();
    unknown.trustee = 99;
    assert_eq!(
        reason(combine(key(), &tally, &[unknown, s1.clone()], table())),
        Reason::BadDecryptionShare
    );
    // A share of another tally.
    let elsewhere = trustees()[0].share(&other_tally, &policy()).unwrap();
    assert_eq!(
        reason(combine(key(), &tally, &[elsewhere, s1.clone()], table())),
        Reason::BadDecryptionShare
    );
    // Trustee 1's share element under trustee 0's proof.
    let mut mixed = s0.clone();
    mixed.share = s1.share;
    assert_eq!(
        reason(combine(key(), &tally, &[mixed, s1.clone()], table())),
        Reason::BadDecryptionShare
    );
    // The same trustee twice.
    assert_eq!(
        reason(combine(key(), &tally, &[s0.clone(), s0.clone()], table())),
        Reason::BadDecryptionShare
    );
    // A share made under another joint key.
    let stranger = run_ceremony(&ceremony()).unwrap();
    let foreign_share = stranger[0].share_unchecked(&tally.ciphertext).unwrap();
    assert_eq!(
        reason(combine(
            key(),
            &tally,
            &[foreign_share, s1.clone()],
            table()
        )),
        Reason::BadDecryptionShare
    );
    // The right shares still work.
    assert_eq!(combine(key(), &tally, &[s0, s1], table()).unwrap(), 13);
}

#[test]
fn an_aggregate_beyond_the_table_is_undecodable() {
    let cells = cells(&[90, 80, 70], 100, "big");
    let tally = Tally::of_cells(key(), &cells).unwrap();
    let shares = [
        trustees()[0].share(&tally, &policy()).unwrap(),
        trustees()[2].share(&tally, &policy()).unwrap(),
    ];
    let small = DecodeTable::new(100).unwrap();
    assert_eq!(
        reason(combine(key(), &tally, &shares, &small)),
        Reason::Undecodable
    );
    assert_eq!(combine(key(), &tally, &shares, table()).unwrap(), 240);
    assert_eq!(reason(DecodeTable::new(100_001)), Reason::ApiMisuse);
}

#[test]
fn serde_round_trips() {
    let cells = cells(&[1, 2, 3], 5, "chapter");
    let tally = Tally::of_cells(key(), &cells).unwrap();
    let share = trustees()[0].share(&tally, &policy()).unwrap();
    let back = json(key());
    assert_eq!(&back, key());
    json(&ceremony());
    let c = json(&cells[0]);
    c.cell.verify(key()).unwrap();
    assert_eq!(json(&tally), tally);
    let s = json(&share);
    key().verify_share(&tally.ciphertext, &s).unwrap();
    // A trustee's secret file round-trips and still decrypts.
    let t1 = json(&trustees()[1]);
    let shares = [s, t1.share(&tally, &policy()).unwrap()];
    assert_eq!(combine(key(), &tally, &shares, table()).unwrap(), 6);

    // Parse checks: a joint key whose trustee keys are swapped, a trustee file whose share is
    // another trustee's, unknown fields, a ceremony with one trustee or threshold 1.
    let mut doc = serde_json::to_value(key()).unwrap();
    let keys = doc["trustee_keys"].as_array_mut().unwrap();
    keys.swap(0, 1);
    let e = serde_json::from_value::<JointKey>(doc).unwrap_err();
    assert!(e.to_string().contains("bad-ceremony"), "{e}");
    let mut doc = serde_json::to_value(&trustees()[0]).unwrap();
    doc["trustee"] = "south".into();
    let e = serde_json::from_value::<Trustee>(doc).unwrap_err();
    assert!(e.to_string().contains("bad-ceremony"), "{e}");
    let mut doc = serde_json::to_value(&tally).unwrap();
    doc["extra"] = 1.into();
    assert!(serde_json::from_value::<Tally>(doc).is_err());
    for bad in [
        r#"{"name":"x","trustees":["a"],"threshold":1}"#,
        r#"{"name":"x","trustees":["a","b"],"threshold":1}"#,
        r#"{"name":"x","trustees":["a","b"],"threshold":3}"#,
        r#"{"name":"x","trustees":["a","a"],"threshold":2}"#,
        r#"{"name":"","trustees":["a","b"],"threshold":2}"#,
    ] {
        assert!(serde_json::from_str::<Ceremony>(bad).is_err(), "{bad}");
    }
}

#[test]
fn ceremony_messages_are_checked_before_the_crate_sees_them() {
    let c = ceremony();
    let mut a = CollectingCommitments::start(&c, &id("national")).unwrap();
    let mut b = CollectingCommitments::start(&c, &id("south")).unwrap();
    let mut d = CollectingCommitments::start(&c, &id("officer-a")).unwrap();
    assert_eq!(
        reason(CollectingCommitments::start(&c, &id("mallory"))),
        Reason::ApiMisuse
    );
    let (ca, cb, cd) = (a.commitment(), b.commitment(), d.commitment());

    // Out-of-range index, own index, another ceremony: refused, no panic.
    let mut stray = cb.clone();
    stray.trustee = 7;
    assert_eq!(reason(a.receive(&stray)), Reason::BadCeremony);
    assert_eq!(reason(a.receive(&ca)), Reason::BadCeremony);
    let mut foreign = cb.clone();
    foreign.ceremony = Ceremony::new("other", c.trustees().to_vec(), 2)
        .unwrap()
        .id();
    assert_eq!(reason(a.receive(&foreign)), Reason::BadCeremony);

    a.receive(&cb).unwrap();
    assert_eq!(reason(a.receive(&cb)), Reason::BadCeremony, "repeated");
    assert_eq!(a.missing(), vec![2]);
    a.receive(&json(&cd)).unwrap();
    b.receive(&ca).unwrap();
    b.receive(&cd).unwrap();
    d.receive(&ca).unwrap();
    // Finishing with a commitment missing is refused, not a panic.
    assert_eq!(reason(d.finish()), Reason::BadCeremony);
    let mut d = CollectingCommitments::start(&c, &id("officer-a")).unwrap();
    let cd = d.commitment();
    d.receive(&ca).unwrap();
    d.receive(&cb).unwrap();
    // a and b hold the old commitment of d: d's new polynomial will not open it.
    let mut a = a.finish().unwrap();
    let mut b = b.finish().unwrap();
    let d = d.finish().unwrap();
    let (pa, pb, pd) = (a.polynomial(), b.polynomial(), d.polynomial());
    assert_eq!(reason(a.receive(&pd)), Reason::BadCeremony);
    let _ = cd;

    // A polynomial with no coefficients (the crate would index it) or one too many.
    let mut empty = json(&pb);
    empty.info.polynomial.clear();
    assert_eq!(reason(a.receive(&empty)), Reason::BadCeremony);
    let mut long = json(&pb);
    let first = long.info.polynomial[0];
    long.info.polynomial.push(first);
    assert_eq!(reason(a.receive(&long)), Reason::BadCeremony);
    // Another trustee's polynomial relabelled.
    let mut relabelled = json(&pa);
    relabelled.trustee = 1;
    assert_eq!(reason(b.receive(&relabelled)), Reason::BadCeremony);
    a.receive(&pb).unwrap();
    b.receive(&pa).unwrap();
    assert_eq!(
        reason(a.finish()),
        Reason::BadCeremony,
        "polynomial of 2 missing"
    );
}

#[test]
fn a_wrong_secret_share_is_refused() {
    // Two independent runs of the same ceremony: shares from one do not fit the other.
    let c = Ceremony::new("pair", vec![id("north"), id("east")], 2).unwrap();
    let mut p: Vec<_> = c
        .trustees()
        .iter()
        .map(|t| CollectingCommitments::start(&c, t).unwrap())
        .collect();
    let cs: Vec<_> = p.iter().map(|x| x.commitment()).collect();
    p[0].receive(&cs[1]).unwrap();
    p[1].receive(&cs[0]).unwrap();
    let mut p: Vec<_> = p.into_iter().map(|x| x.finish().unwrap()).collect();
    let ps: Vec<_> = p.iter().map(|x| x.polynomial()).collect();
    p[0].receive(&ps[1]).unwrap();
    p[1].receive(&ps[0]).unwrap();
    let mut p: Vec<_> = p.into_iter().map(|x| x.finish().unwrap()).collect();
    let to1 = p[0].share_for(1).unwrap();
    let to0 = p[1].share_for(0).unwrap();
    assert_eq!(reason(p[0].share_for(0)), Reason::ApiMisuse);
    assert_eq!(reason(p[0].share_for(9)), Reason::ApiMisuse);
    // The share meant for trustee 1, delivered to trustee 0.
    assert_eq!(reason(p[0].receive(to1.clone())), Reason::BadCeremony);
    // A share whose scalar is another's.
    let mut forged = to0.clone();
    forged.share = to1.share.clone();
    assert_eq!(reason(p[0].receive(forged)), Reason::BadCeremony);
    p[0].receive(json(&to0)).unwrap();
    p[1].receive(json(&to1)).unwrap();
    let t: Vec<Trustee> = p.into_iter().map(|x| x.finish().unwrap()).collect();
    assert_eq!(t[0].joint_key(), t[1].joint_key());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Any 3 to 8 chapters with values below their bounds decrypt to the exact sum with any two
    /// trustees, and the sum respects max_value.
    #[test]
    fn tallies_decrypt_to_the_exact_sum(
        cells_in in proptest::collection::vec((2u64..40).prop_flat_map(|b| (0..b, Just(b))), 3..8),
        pair in prop_oneof![Just((0usize, 1usize)), Just((1, 2)), Just((2, 0))],
    ) {
        let contributions: Vec<Contribution> = cells_in
            .iter()
            .enumerate()
            .map(|(i, &(v, b))| Contribution::new(
                id(&format!("c{i}")),
                EncryptedCell::encrypt(key(), v, b).unwrap(),
            ))
            .collect();
        let tally = Tally::of_cells(key(), &contributions).unwrap();
        let sum: u64 = cells_in.iter().map(|c| c.0).sum();
        prop_assert!(sum <= tally.max_value());
        let t = trustees();
        let shares: Vec<DecryptionShare> = [pair.0, pair.1]
            .iter()
            // Unchecked: the property is about arithmetic, not the release rule.
            .map(|&i| t[i].share_unchecked(&tally.ciphertext).unwrap())
            .collect();
        prop_assert_eq!(combine(key(), &tally, &shares, table()).unwrap(), sum);
    }
}

#[test]
fn a_decrypted_aggregate_that_pins_its_chapters_is_withheld() {
    // Five chapters each at their bound: trustees may decrypt (some aggregate could pass) but 20
    // shows every chapter holds exactly 4, so it is not published.
    let cells = cells(&[4, 4, 4, 4, 4], 5, "full");
    let tally = Tally::of_cells(key(), &cells).unwrap();
    let shares = [
        trustees()[0].share(&tally, &policy()).unwrap(),
        trustees()[1].share(&tally, &policy()).unwrap(),
    ];
    let value = combine(key(), &tally, &shares, table()).unwrap();
    assert_eq!(value, 20);
    assert_eq!(
        reason(policy().may_publish(&tally.bounds(), value)),
        Reason::ReleaseRefused
    );
    assert!(policy().may_publish(&tally.bounds(), 16).is_ok());
}

/// Proofs of the wrong shape (responses or partial ciphertexts added or removed, a proof for
/// another range) are refused with a reason, never a panic inside the crate.
#[test]
fn misshapen_range_proofs_are_refused_without_panicking() {
    let small = EncryptedCell::encrypt(key(), 3, 5).unwrap();
    let large = EncryptedCell::encrypt(key(), 700, 1_000).unwrap();
    let doc = serde_json::to_value(&large).unwrap();
    let mut cases = Vec::new();
    for field in ["ring_responses", "partial_ciphertexts"] {
        let mut fewer = doc.clone();
        fewer["proof"][field].as_array_mut().unwrap().pop();
        cases.push(fewer);
        let mut more = doc.clone();
        let first = more["proof"][field][0].clone();
        more["proof"][field].as_array_mut().unwrap().push(first);
        cases.push(more);
        let mut none = doc.clone();
        none["proof"][field] = serde_json::json!([]);
        cases.push(none);
    }
    // The large proof under the small cell's ciphertext and bound, and the other way round.
    let mut swapped = serde_json::to_value(&small).unwrap();
    swapped["proof"] = doc["proof"].clone();
    cases.push(swapped);
    let mut swapped = doc.clone();
    swapped["proof"] = serde_json::to_value(&small).unwrap()["proof"].clone();
    cases.push(swapped);
    for (i, case) in cases.into_iter().enumerate() {
        if let Ok(cell) = serde_json::from_value::<EncryptedCell>(case) {
            assert_eq!(
                reason(cell.verify(key())),
                Reason::BadRangeProof,
                "case {i}"
            );
        }
    }
}
