//! Rollups at federation scale, with chapter reports the size of real ones: a region of 500
//! chapters forwarded to national, and a nation of 1,000 chapters under ten regions, each
//! verified from its bundle bytes against the root card and within the size limits
//! (docs/protocol.md §Limits). Rollup v1 broke here: base64 inside base64 made a 250-chapter
//! national rollup larger than the document limit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::Timestamp;
use shopfloor_protocol::cert::RevocationSet;
use shopfloor_protocol::envelope::{
    MAX_BUNDLE_BYTES, MAX_DOCUMENT_BYTES, MAX_STORED_BYTES, open_bytes, seal_bytes,
};
use shopfloor_protocol::rollup::{self, Bundle, Child, Documents, verify_bytes, verify_rollup};
use shopfloor_protocol::testkit::{Party, bulky_report};
use shopfloor_protocol::{CellKey, Envelope, Kind, PartyId, Period, SealFormat};

fn period() -> Period {
    "2026-10".parse().unwrap()
}

/// `n` chapters certified by `hub`, each with a realistic report addressed to it.
fn chapters(hub: &Party, prefix: &str, n: usize, now: Timestamp) -> Vec<Child> {
    (0..n)
        .map(|i| {
            let ch = Party::new(
                &format!("{prefix}-{i}"),
                Kind::Chapter,
                "Chapter",
                Some("NC"),
            )
            .unwrap();
            let report = bulky_report(&ch.card.id, &hub.card.id, period(), now, i as u64, "37");
            let cert = hub.certify(&ch.card, i as u64 + 1, now).unwrap();
            ch.child(cert, Envelope::sign(&report, &ch.keys))
        })
        .collect()
}

/// A regional hub's rollup of `n` chapters, addressed to `national`.
fn region(
    national: &Party,
    id: &str,
    n: usize,
    docs: &mut Documents,
    now: Timestamp,
) -> (Party, Envelope, rollup::Tree) {
    let hub = Party::new(id, Kind::Regional, id, None).unwrap();
    let kids = chapters(&hub, id, n, now);
    let expected: Vec<PartyId> = kids.iter().map(|c| c.id.clone()).collect();
    let (env, tree) = rollup::build(
        &hub.card,
        &hub.keys,
        Some(national.card.id.clone()),
        period(),
        1,
        now,
        expected,
        kids,
        docs,
        Vec::new(),
    )
    .unwrap();
    (hub, env, tree)
}

#[test]
fn region_of_500_chapters_forwards_within_the_limits_and_verifies() {
    let now = Timestamp::now();
    let national = Party::new("national", Kind::National, "National", None).unwrap();
    let mut docs = Documents::new();
    let (south, env, tree) = region(&national, "south", 500, &mut docs, now);
    // Reports are the size of real ones (the issue measured 8.9–41 KB payloads).
    let sizes: Vec<usize> = tree
        .nodes
        .iter()
        .map(|n| docs.get(&n.digest).unwrap().payload_len())
        .collect();
    let mean = sizes.iter().sum::<usize>() / sizes.len();
    assert!(
        (8_000..=45_000).contains(&mean),
        "mean report payload {mean} bytes"
    );
    // What the region forwards: the bundle, sealed to national, under the untrusted limit.
    let bundle = Bundle::for_tree(env.clone(), Vec::new(), Vec::new(), &tree, &docs).unwrap();
    assert_eq!(bundle.documents.len(), 1000);
    let json = bundle.to_json();
    assert!(json.len() < MAX_BUNDLE_BYTES, "{} bytes", json.len());
    assert!(env.to_json().len() < MAX_DOCUMENT_BYTES);
    let sealed = seal_bytes(&json, &[national.keys.age_recipient()], SealFormat::Binary).unwrap();
    let plain = open_bytes(&sealed, &national.keys, MAX_BUNDLE_BYTES).unwrap();
    // National's side: parse, verify the region's tree with the documents it carries.
    let received = Bundle::from_json(&plain).unwrap();
    let pool = Documents::from_envelopes(received.documents).unwrap();
    let verified = verify_rollup(
        &received.document,
        &south.card,
        &RevocationSet::new(),
        &pool,
    )
    .unwrap();
    verified.binds_all(&pool).unwrap();
    assert_eq!(verified.summary.chapters, 500);
    assert_eq!(verified.reports().count(), 500);
}

#[test]
fn nation_of_1000_chapters_in_ten_regions_verifies_from_its_bundle() {
    let now = Timestamp::now();
    let national = Party::new("national", Kind::National, "National", None).unwrap();
    let mut docs = Documents::new();
    let mut children = Vec::new();
    for r in 0..10 {
        let (hub, env, _) = region(&national, &format!("region-{r}"), 100, &mut docs, now);
        let cert = national.certify(&hub.card, r + 1, now).unwrap();
        children.push(hub.child(cert, env));
    }
    let expected: Vec<PartyId> = children.iter().map(|c| c.id.clone()).collect();
    let (env, tree) = rollup::build(
        &national.card,
        &national.keys,
        None,
        period(),
        1,
        now,
        expected,
        children,
        &mut docs,
        Vec::new(),
    )
    .unwrap();
    // National's own signed rollup stays small: it binds ten regions by digest.
    assert!(env.to_json().len() < 1024 * 1024, "{}", env.to_json().len());
    let bundle = Bundle::for_tree(env, Vec::new(), Vec::new(), &tree, &docs).unwrap();
    // 1,000 reports + 1,000 certificates + 10 rollups + 10 certificates, each once.
    assert_eq!(bundle.documents.len(), 2020);
    let json = bundle.to_json();
    assert!(json.len() < MAX_STORED_BYTES, "{} bytes", json.len());
    let summary = verify_bytes(&json, &national.card, None).unwrap();
    assert_eq!((summary.chapters, summary.hubs), (1000, 11));
    let members = tree.top.cell(&CellKey::total("members")).unwrap();
    assert_eq!(members.contributors, 1000);
}
