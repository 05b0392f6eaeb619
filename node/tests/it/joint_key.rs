//! The federation's joint key (issue 14) from national's signed guidance, through a regional
//! hub's relay, to a chapter node that pins it: real hubs on loopback, the node's own fetch.

use std::time::Duration;

use shopfloor_hub::config::Level;
use shopfloor_hub::guidance::{GUIDANCE_PAYLOAD_TYPE, Guidance, TrusteeKey};
use shopfloor_node::federation::{enroll, guidance, joint_key};
use shopfloor_protocol::envelope::Document as _;
use shopfloor_protocol::threshold::{Ceremony, JointKey, run_ceremony};
use shopfloor_protocol::{Envelope, Kind, PartyId};

use crate::federation::{TestHub, any_port, quick};
use crate::report::populate;
use crate::util::node;

fn ceremony_key(name: &str) -> JointKey {
    let ids = ["national", "south", "officer-a"].map(|s| PartyId::new(s).unwrap());
    let c = Ceremony::new(name, ids.to_vec(), 2).unwrap();
    run_ceremony(&c).unwrap()[0].joint_key().clone()
}

fn key_file(dir: &std::path::Path, key: &JointKey) -> std::path::PathBuf {
    let path = dir.join(format!("{}.key.json", key.ceremony().name()));
    std::fs::write(&path, serde_json::to_vec(key).unwrap()).unwrap();
    path
}

/// South takes national's newest guidance into its own, as its forwarder does every day.
async fn relay(south: &TestHub) {
    let parent = shopfloor_hub::forward::fetch_parent_guidance(&south.hub)
        .await
        .unwrap()
        .unwrap();
    shopfloor_hub::guidance::relay(&south.hub, parent).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_pins_nationals_joint_key_and_refuses_a_silent_change_but_takes_a_signed_rotation() {
    let tmp = tempfile::tempdir().unwrap();
    let nat_dir = TestHub::init(tmp.path(), "national", Level::National);
    let national = TestHub::start(&nat_dir, any_port()).await;
    let south_dir = TestHub::init(tmp.path(), "south", Level::Regional);
    let south = TestHub::start(&south_dir, any_port()).await;

    // National publishes the 2027 key.
    let a = ceremony_key("federation-2027");
    let published = shopfloor_hub::trustee::publish_key(
        &national.hub,
        &key_file(tmp.path(), &a),
        None,
        "admin",
    )
    .unwrap();
    assert_eq!(published.key_id, a.id());
    // A regional hub cannot publish one.
    let err =
        shopfloor_hub::trustee::publish_key(&south.hub, &key_file(tmp.path(), &a), None, "admin")
            .unwrap_err();
    assert_eq!(err.code(), "not-national");

    // South enrolls at national and relays its guidance; the node enrolls at south.
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
    relay(&south).await;
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

    // Enrollment fetched guidance: the node pinned national's key, relayed by south.
    let pinned = store.read(joint_key::pinned).unwrap().unwrap();
    assert_eq!(pinned.key_id, a.id());
    assert_eq!(pinned.fingerprint, a.fingerprint().to_string());
    assert_eq!(pinned.replaces, None);

    // A different key published as a rotation that names nothing is refused by the hub...
    let b = ceremony_key("federation-2028");
    let err = shopfloor_hub::trustee::publish_key(
        &national.hub,
        &key_file(tmp.path(), &b),
        None,
        "admin",
    )
    .unwrap_err();
    assert_eq!(err.code(), "rotation-unnamed");
    // ...and, signed by national's key anyway (a stolen admin session writing the database),
    // by the node: the whole guidance is refused and the pin stays.
    let own: Guidance = shopfloor_hub::guidance::current(&national.hub)
        .unwrap()
        .unwrap()
        .open_document(&national.hub.card().signing_key)
        .unwrap();
    let silent = Guidance {
        issued_at: jiff::Timestamp::now(),
        trustee_key: Some(TrusteeKey::new(b.clone(), None).unwrap()),
        ..own
    };
    let env = Envelope::sign_bytes(
        GUIDANCE_PAYLOAD_TYPE,
        silent.to_payload(),
        national.hub.keys(),
    );
    national
        .hub
        .store()
        .write(|tx, _| {
            tx.execute(
                "INSERT INTO guidance (issued_at, envelope) VALUES (?1, ?2)",
                rusqlite::params![silent.issued_at.as_second(), env.to_json()],
            )?;
            Ok(())
        })
        .unwrap();
    relay(&south).await;
    let held = store.read(guidance::current).unwrap().unwrap();
    let err = guidance::fetch(&store).await.unwrap_err().to_string();
    assert!(
        err.contains("bad-ceremony") && err.contains("does not say it replaces"),
        "{err}"
    );
    assert_eq!(
        store.read(joint_key::pinned).unwrap().unwrap().key_id,
        a.id()
    );
    let still = store.read(guidance::current).unwrap().unwrap();
    assert_eq!(
        still.fetched_at, held.fetched_at,
        "nothing of the refused guidance stored"
    );

    // National's admin removes the forged guidance; the rotation national signs names the
    // pinned key, and the node pins the 2028 key.
    national
        .hub
        .store()
        .write(|tx, _| {
            tx.execute(
                "DELETE FROM guidance WHERE envelope = ?1",
                rusqlite::params![env.to_json()],
            )?;
            Ok(())
        })
        .unwrap();
    let rotated = shopfloor_hub::trustee::publish_key(
        &national.hub,
        &key_file(tmp.path(), &b),
        Some(a.id()),
        "admin",
    )
    .unwrap();
    assert_eq!(rotated.replaces, Some(a.id()));
    relay(&south).await;
    let got = guidance::fetch(&store).await.unwrap().unwrap();
    assert!(got.changed);
    let pinned = store.read(joint_key::pinned).unwrap().unwrap();
    assert_eq!(pinned.key_id, b.id());
    assert_eq!(pinned.replaces, Some(a.id()));
    south.stop().await;
    national.stop().await;
}
