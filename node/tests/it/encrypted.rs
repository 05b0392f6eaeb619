//! Encrypted small cells end to end (issue 14): national publishes the joint key, the Southern
//! region relays it, a chapter node pins it and sends its withheld cells encrypted; the region
//! checks every proof and bound at ingest, tallies them in its rollup and forwards it; national
//! accepts it and its bundle verifies offline, tallies recomputed down to the chapter report.
//! A hub that does not hold the key refuses the report (`unknown-joint-key`). Real hubs on
//! loopback, the node's own outbox.

use std::time::Duration;

use shopfloor_hub::config::Level;
use shopfloor_node::federation::{enroll, joint_key, outbox, reports};
use shopfloor_protocol::rollup::Rollup;
use shopfloor_protocol::threshold::{Ceremony, JointKey, Trustee, run_ceremony};
use shopfloor_protocol::{CellValue, Envelope, Kind, PartyId, Report};

use crate::federation::{TestHub, any_port, last_month, quick};
use crate::report::populate;
use crate::util::node;

fn ceremony() -> Vec<Trustee> {
    let ids = ["national", "south", "officer-a"].map(|s| PartyId::new(s).unwrap());
    let c = Ceremony::new("federation-2027", ids.to_vec(), 2).unwrap();
    run_ceremony(&c).unwrap()
}

fn key_file(dir: &std::path::Path, key: &JointKey) -> std::path::PathBuf {
    let path = dir.join("joint.key.json");
    std::fs::write(&path, serde_json::to_vec(key).unwrap()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_node_sends_encrypted_cells_that_hubs_check_tally_and_national_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let nat_dir = TestHub::init(tmp.path(), "national", Level::National);
    let national = TestHub::start(&nat_dir, any_port()).await;
    let south_dir = TestHub::init(tmp.path(), "south", Level::Regional);
    let south = TestHub::start(&south_dir, any_port()).await;
    let trustees = ceremony();
    let key = trustees[0].joint_key().clone();
    shopfloor_hub::trustee::publish_key(&national.hub, &key_file(tmp.path(), &key), None, "admin")
        .unwrap();

    // South enrolls at national and relays its guidance; the node enrolls at south and pins.
    let code = shopfloor_hub::enroll::invite(&national.hub, "South", Kind::Regional, "admin")
        .unwrap()
        .code;
    shopfloor_hub::forward::start_enrollment(&south.hub, &national.url, &code)
        .await
        .unwrap();
    national.approve_all();
    shopfloor_hub::forward::wait_for_approval(
        &south.hub,
        Duration::from_millis(100),
        Some(Duration::from_secs(20)),
    )
    .await
    .unwrap();
    let parent = shopfloor_hub::forward::fetch_parent_guidance(&south.hub)
        .await
        .unwrap()
        .unwrap();
    shopfloor_hub::guidance::relay(&south.hub, parent).unwrap();
    // Both hubs hold the key now, from national's signed guidance.
    for hub in [&national, &south] {
        let held = shopfloor_hub::encrypted::keys(&hub.hub).unwrap();
        assert_eq!(
            held.iter().map(JointKey::id).collect::<Vec<_>>(),
            vec![key.id()]
        );
    }
    let (_n, dir, store) = node();
    populate(&store, 40);
    let code = south.invite();
    enroll::start(
        &store,
        &dir,
        &south.url,
        &code,
        Some(national.hub.card().clone()),
    )
    .await
    .unwrap();
    south.approve_all();
    enroll::wait(&store, &dir, &quick()).await.unwrap();
    assert_eq!(
        store.read(joint_key::pinned).unwrap().unwrap().key_id,
        key.id()
    );

    // The node sends last month's report: every withheld cell travels encrypted.
    let period = last_month();
    let q = reports::enqueue(&store, &dir, period).unwrap();
    let it = outbox::wait_for(&store, q.outbox_id, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(it.status, "delivered", "{it:?}");
    let card = dir.card().unwrap();
    let sent: Vec<u8> = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT envelope FROM reports WHERE period = ?1 AND revision = 1",
                [period.to_string()],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    let report: Report = Envelope::from_json(&sent)
        .unwrap()
        .open_document(&card.signing_key)
        .unwrap();
    let withheld = report
        .cells
        .iter()
        .filter(|c| c.value == CellValue::Suppressed)
        .count();
    assert!(withheld > 0, "the canary chapter withholds small cells");
    assert_eq!(report.encrypted.len(), withheld);
    assert_eq!(report.joint_key, Some(key.id()));
    report.check_encrypted(&key).unwrap();

    // South's rollup tallies them; national accepts it and its published bundle verifies from
    // the bytes, every proof, bound and tally recomputed.
    let (built, receipt) = shopfloor_hub::forward::forward(&south.hub, period, 3)
        .await
        .unwrap();
    assert!(!receipt.to_json().is_empty());
    let south_rollup: Rollup = built
        .envelope
        .open_document(&south.hub.card().signing_key)
        .unwrap();
    let first = report.encrypted.first().unwrap();
    let tally = south_rollup
        .cell(&first.key)
        .and_then(|c| c.tally.clone())
        .unwrap();
    assert_eq!(tally.chapters.len(), 1);
    assert_eq!(tally.chapters[0].chapter, card.id);
    assert_eq!(tally.ciphertext, first.cell.ciphertext);
    let nat = shopfloor_hub::rollups::build(&national.hub, period).unwrap();
    let bundle = shopfloor_hub::rollups::bundle(&national.hub, nat.envelope.clone()).unwrap();
    assert_eq!(bundle.joint_keys.len(), 1);
    let summary =
        shopfloor_protocol::rollup::verify_bytes(&bundle.to_json(), national.hub.card(), None)
            .unwrap();
    assert_eq!((summary.chapters, summary.hubs), (1, 2));
    let top: Rollup = nat
        .envelope
        .open_document(&national.hub.card().signing_key)
        .unwrap();
    assert_eq!(top.cell(&first.key).unwrap().tally.as_ref(), Some(&tally));
    // Without the key, the same file does not verify, by name.
    let mut keyless = bundle.clone();
    keyless.joint_keys.clear();
    let errs =
        shopfloor_protocol::rollup::verify_bytes(&keyless.to_json(), national.hub.card(), None)
            .unwrap_err();
    assert_eq!(errs[0].reason().code(), "unknown-joint-key", "{errs:?}");

    // A hub that does not hold the key refuses the report for good.
    south
        .hub
        .store()
        .write(|tx, _| {
            tx.execute("DELETE FROM joint_keys", [])?;
            Ok(())
        })
        .unwrap();
    let q = reports::enqueue(&store, &dir, period).unwrap();
    let it = outbox::wait_for(&store, q.outbox_id, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(it.status, "failed", "{it:?}");
    assert_eq!(
        it.error_code.as_deref(),
        Some("unknown-joint-key"),
        "{it:?}"
    );
    south.stop().await;
    national.stop().await;
}
