//! Hub publications: signed and immutable, made by the command, and late reports or revisions
//! that would single out a chapter held back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use shopfloor_hub::publish::{self, Outcome, Trigger, Value};
use shopfloor_hub::{Hub, ingest};
use shopfloor_protocol::{CellKey, Digest, Envelope, Period};
use util::{Chapter, HubDir, hub_json, last_month};

/// Chapter `ch` reports `members` for `period` (revision `revision`, after `previous`).
fn send(
    hub: &Hub,
    ch: &Chapter,
    period: Period,
    revision: u32,
    previous: Option<Digest>,
    members: u64,
) -> Envelope {
    let env = ch.report(&hub.card().id, period, revision, previous, members);
    ingest::ingest(hub, &ch.seal_to(&env, hub.card())).unwrap();
    env
}

fn chapters(n: usize) -> Vec<Chapter> {
    (0..n)
        .map(|i| {
            Chapter::new(
                &format!("chapter-{i}"),
                &format!("Chapter {i}"),
                "NC",
                &format!("CANARY-PUB-{i}"),
            )
        })
        .collect()
}

fn total(stored: &publish::Stored) -> Value {
    stored
        .publication
        .view(&[])
        .and_then(|v| {
            v.cells
                .iter()
                .find(|c| c.key == CellKey::total("members"))
                .map(|c| c.value)
        })
        .unwrap()
}

#[test]
fn publication_is_signed_and_immutable() {
    let tmp = tempfile::tempdir().unwrap();
    let h = HubDir::init(tmp.path(), "national", "national");
    let period = last_month();
    {
        let hub = Hub::open(&h.dir).unwrap();
        for (i, ch) in chapters(3).iter().enumerate() {
            ch.enroll_directly(&hub);
            send(&hub, ch, period, 1, None, 100 + 10 * i as u64);
        }
    }
    // The command publishes (the hub is not serving).
    let out = hub_json(&h.dir, &["publish", &period.to_string(), "--json"]);
    assert_eq!(out["outcome"], "published", "{out}");
    assert_eq!(out["sequence"], 1);
    let hub = Hub::open(&h.dir).unwrap();
    let stored = publish::latest(&hub, period).unwrap().unwrap();
    assert_eq!(out["digest"], stored.digest.to_hex());
    // Signed by the hub's key: verifies under its card, and not once a byte changes.
    let p = publish::verify(&stored.envelope, &h.card).unwrap();
    assert_eq!(p.sequence, 1);
    assert_eq!(p.hub, h.card.id);
    assert_eq!(p.covers.len(), 3, "it names the three reports it sums");
    assert_eq!(total(&stored), Value::Exact(330));
    let mut json: serde_json::Value = serde_json::from_slice(&stored.envelope.to_json()).unwrap();
    let payload = json["payload"].as_str().unwrap().to_owned();
    let mut bytes =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &payload).unwrap();
    let at = bytes
        .windows(3)
        .position(|w| w == b"330")
        .expect("the total in the payload");
    bytes[at] = b'9';
    json["payload"] =
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes).into();
    let forged = Envelope::from_json(json.to_string().as_bytes()).unwrap();
    assert!(
        publish::verify(&forged, &h.card).is_err(),
        "a changed value no longer verifies"
    );
    // Immutable: the store refuses to change or remove it.
    for sql in [
        "UPDATE publications SET envelope = x'00'",
        "UPDATE publications SET sequence = 7",
        "DELETE FROM publications",
    ] {
        let r = hub.store().write(|tx, _| {
            tx.execute(sql, [])?;
            Ok(())
        });
        assert!(r.is_err(), "{sql} was allowed");
    }
    let again = publish::latest(&hub, period).unwrap().unwrap();
    assert_eq!(again.envelope.to_json(), stored.envelope.to_json());
    // Publishing again with nothing new changes nothing.
    match publish::publish(&hub, period, Trigger::Command).unwrap() {
        Outcome::Unchanged(s) => assert_eq!(s.digest, stored.digest),
        other => panic!("expected unchanged, got {other:?}"),
    }
    assert_eq!(publish::all(&hub, period).unwrap().len(), 1);
}

#[test]
fn late_revision_waits_when_it_would_isolate_a_chapter() {
    let tmp = tempfile::tempdir().unwrap();
    let h = HubDir::init(tmp.path(), "national", "national");
    let hub = Hub::open(&h.dir).unwrap();
    let period = last_month();
    let chs = chapters(6);
    for ch in &chs {
        ch.enroll_directly(&hub);
    }
    let mut first = Vec::new();
    for ch in &chs[..3] {
        first.push(send(&hub, ch, period, 1, None, 100));
    }
    let Outcome::Published(one) = publish::publish(&hub, period, Trigger::Command).unwrap() else {
        panic!("the first publication");
    };
    assert_eq!(total(&one), Value::Exact(300));
    // One late report: the difference would be that chapter's cells. Held back.
    send(&hub, &chs[3], period, 1, None, 130);
    match publish::publish(&hub, period, Trigger::Update).unwrap() {
        Outcome::HeldBack { previous, reasons } => {
            assert_eq!(previous, 1);
            assert!(reasons.iter().any(|r| r.contains("members")), "{reasons:?}");
        }
        other => panic!("a lone late report must wait, got {other:?}"),
    }
    // The background pass holds it back too, and viewers keep publication 1.
    let ticked = publish::tick(&hub, jiff::Timestamp::now()).unwrap();
    assert!(
        ticked
            .iter()
            .all(|(_, o)| matches!(o, Outcome::HeldBack { .. })),
        "{ticked:?}"
    );
    let latest = publish::latest(&hub, period).unwrap().unwrap();
    assert_eq!(latest.publication.sequence, 1);
    assert_eq!(total(&latest), Value::Exact(300));
    // Two more late reports: the three changed chapters pass the rule as a group.
    send(&hub, &chs[4], period, 1, None, 120);
    send(&hub, &chs[5], period, 1, None, 110);
    let Outcome::Published(two) = publish::publish(&hub, period, Trigger::Update).unwrap() else {
        panic!("three late chapters together may be published");
    };
    assert_eq!(two.publication.sequence, 2);
    assert_eq!(two.publication.trigger, Trigger::Update);
    assert_eq!(total(&two), Value::Exact(660));
    // A revision by one chapter would single it out: it waits.
    send(&hub, &chs[0], period, 2, Some(first[0].digest()), 150);
    assert!(matches!(
        publish::publish(&hub, period, Trigger::Command).unwrap(),
        Outcome::HeldBack { previous: 2, .. }
    ));
    assert_eq!(
        publish::latest(&hub, period)
            .unwrap()
            .unwrap()
            .publication
            .sequence,
        2
    );
    let out = hub_json(&h.dir, &["publish", &period.to_string(), "--json"]);
    assert_eq!(out["outcome"], "held-back", "{out}");
}
