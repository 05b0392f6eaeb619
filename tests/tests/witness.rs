//! A federation that witnesses itself (issue 17): national and two regional hubs each cosign the
//! other two's checkpoints, a chapter node requires two cosignatures on its hub's checkpoint, and
//! a hub that rewrites its log is refused by both its witnesses (kept as `split-view` evidence)
//! and raises `unwitnessed` and `log-fork` alarms at the node.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use shopfloor_hub::config::Level;
use shopfloor_hub::witness::{self, Gathered};
use shopfloor_node::federation::{self, receipts, witnessed};
use shopfloor_protocol::Digest;
use shopfloor_protocol::note::{Note, NoteKeys, NoteVerifier};
use shopfloor_testbed::federation::{Federation, Parent, last_day, last_month};
use shopfloor_testbed::servers::{HubServer, blocking};
use shopfloor_testbed::synth::ChapterProfile;

fn keys_of(server: &HubServer) -> NoteKeys {
    let env = witness::keys_envelope(&server.hub).unwrap();
    NoteKeys::open(&env, server.card()).unwrap()
}

fn log_section(witnessed: &[&NoteKeys], witnesses: &[(&NoteKeys, &HubServer)]) -> String {
    let mut s = String::from("\n[log]\n");
    s.push_str(&format!("quorum = {}\n", witnesses.len()));
    let logs: Vec<String> = witnessed.iter().map(|k| format!("\"{}\"", k.log)).collect();
    s.push_str(&format!("witnessed = [{}]\n", logs.join(", ")));
    for (k, server) in witnesses {
        s.push_str(&format!(
            "\n[[log.witnesses]]\nvkey = \"{}\"\nurl = \"{}/api/v1/witness\"\n",
            k.witness,
            server.url()
        ));
    }
    s
}

fn append(server: &HubServer, text: &str) {
    let path = server.dir().join("hub.toml");
    let mut toml = std::fs::read_to_string(&path).unwrap();
    toml.push_str(text);
    std::fs::write(&path, toml).unwrap();
}

async fn cosigned_by(server: &HubServer, witnesses: &[&NoteKeys]) -> usize {
    let text = reqwest::get(format!("{}/api/v1/log/note", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let note = Note::parse(text.as_bytes()).unwrap();
    witnesses
        .iter()
        .filter(|k| {
            note.verify(&[NoteVerifier::from_vkey(&k.witness).unwrap()])
                .is_ok()
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hubs_witness_each_other_and_a_rewritten_log_is_caught() {
    let period = last_month().unwrap();
    let mut fed = Federation::builder()
        .chapter(
            ChapterProfile::new("Durham DSA", "NC", 120, 7).as_of(last_day(period).unwrap()),
            Parent::Regional,
        )
        .start()
        .await
        .unwrap();
    let root = fed.root.clone();
    let west = blocking(move || {
        HubServer::init(
            &root.join("western-hub"),
            Level::Regional,
            "Western Region",
            None,
            false,
        )
    })
    .await
    .unwrap();
    let mut west = HubServer::start(west).await.unwrap();
    // The chapter's report makes the Southern log grow, and the node holds its receipt.
    fed.run_period(period).await.unwrap();

    let south = fed.regional.as_mut().unwrap();
    let (nk, sk, wk) = (keys_of(&fed.national), keys_of(south), keys_of(&west));
    // national witnesses each region; each region witnesses national and its sibling.
    append(
        &fed.national,
        &log_section(&[&sk, &wk], &[(&sk, south), (&wk, &west)]),
    );
    append(
        south,
        &log_section(&[&nk, &wk], &[(&nk, &fed.national), (&wk, &west)]),
    );
    append(
        &west,
        &log_section(&[&nk, &sk], &[(&nk, &fed.national), (&sk, south)]),
    );
    fed.national.reload().await.unwrap();
    fed.regional.as_mut().unwrap().reload().await.unwrap();
    west.reload().await.unwrap();
    let south = fed.regional.as_ref().unwrap();

    for hub in [&fed.national, south, &west] {
        let got = witness::gather(&hub.hub).await.unwrap();
        assert!(
            got.iter().all(|g| matches!(g, Gathered::Cosigned(_))),
            "{}: {got:?}",
            hub.card().name
        );
    }
    assert_eq!(cosigned_by(&fed.national, &[&sk, &wk]).await, 2);
    assert_eq!(cosigned_by(south, &[&nk, &wk]).await, 2);
    assert_eq!(cosigned_by(&west, &[&nk, &sk]).await, 2);

    // The chapter requires both of its hub's witnesses.
    let chapter = &fed.chapters[0].node;
    let mut cfg = chapter.dir.config().unwrap();
    cfg.witnesses = vec![nk.witness.clone(), wk.witness.clone()];
    cfg.witness_quorum = 2;
    let policy = cfg.witness_policy().unwrap();
    let ok = receipts::check_consistency(&chapter.store, &policy)
        .await
        .unwrap();
    assert!(ok.receipts_checked >= 1);

    // A policy the hub cannot meet (a witness it never asked): the node raises `unwitnessed`.
    let mut strict = cfg.clone();
    strict.witnesses.push(sk.witness.clone());
    strict.witness_quorum = 3;
    let policy3 = strict.witness_policy().unwrap();
    let err = receipts::check_consistency(&chapter.store, &policy3)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, federation::Error::Alarm { kind, .. } if kind == "unwitnessed"),
        "{err}"
    );

    // The Southern hub rewrites its log: the first entry is replaced, and one more is added.
    let south = fed.regional.as_mut().unwrap();
    south.stop().await.unwrap();
    let db = rusqlite::Connection::open(south.dir().join("hub.db")).unwrap();
    db.execute(
        "UPDATE log_leaves SET digest = ?1 WHERE idx = 0",
        [Digest::of(b"rewritten").to_hex()],
    )
    .unwrap();
    drop(db);
    south.reload().await.unwrap();
    shopfloor_hub::translog::checkpoint(&south.hub).unwrap();
    south
        .hub
        .store()
        .write(|tx, tree| {
            shopfloor_hub::translog::append(tx, tree, Digest::of(b"one more"))?;
            Ok(())
        })
        .unwrap();
    let got = witness::gather(&south.hub).await.unwrap();
    assert!(
        got.iter()
            .all(|g| matches!(g, Gathered::Refused(422, why) if why.starts_with("split-view"))),
        "both witnesses refuse the rewritten log: {got:?}"
    );
    // (the background task keeps asking too, so there may be more than one piece)
    assert!(!witness::evidence(&fed.national.hub).unwrap().is_empty());
    assert!(!witness::evidence(&west.hub).unwrap().is_empty());

    // The node: the hub's checkpoint is no longer witnessed, and its old view is not a prefix.
    let err = receipts::check_consistency(&chapter.store, &policy)
        .await
        .unwrap_err();
    assert!(matches!(err, federation::Error::Alarm { .. }), "{err}");
    let store = chapter.store.clone();
    let kinds: Vec<String> = blocking(move || {
        Ok(store.read(|c| {
            Ok(federation::alarms(c, false)?
                .into_iter()
                .map(|a| a.kind)
                .collect::<Vec<_>>())
        })?)
    })
    .await
    .unwrap();
    assert!(kinds.iter().any(|k| k == "unwitnessed"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "log-fork"), "{kinds:?}");
    west.stop().await.unwrap();
    fed.stop().await.unwrap();
}

/// A witnessed bundle (issue 17): the region forwards its rollup with its log's checkpoint,
/// cosigned by national and the western region, and an inclusion proof of each chapter report;
/// national's bundle carries that and its own log's checkpoint, cosigned by both regions; offline
/// verification requires the quorum on both logs and names what is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_carries_both_logs_witnessed_and_verify_requires_the_quorum() {
    use shopfloor_protocol::rollup::{Bundle, WitnessPolicy, verify_bytes_witnessed};

    let period = last_month().unwrap();
    let mut fed = Federation::builder()
        .chapter(
            ChapterProfile::new("Durham DSA", "NC", 120, 7).as_of(last_day(period).unwrap()),
            Parent::Regional,
        )
        .start()
        .await
        .unwrap();
    let root = fed.root.clone();
    let west = blocking(move || {
        HubServer::init(
            &root.join("western-hub"),
            Level::Regional,
            "Western Region",
            None,
            false,
        )
    })
    .await
    .unwrap();
    let mut west = HubServer::start(west).await.unwrap();
    let south = fed.regional.as_mut().unwrap();
    let (nk, sk, wk) = (keys_of(&fed.national), keys_of(south), keys_of(&west));
    append(
        &fed.national,
        &log_section(&[&sk, &wk], &[(&sk, south), (&wk, &west)]),
    );
    append(
        south,
        &log_section(&[&nk, &wk], &[(&nk, &fed.national), (&wk, &west)]),
    );
    append(
        &west,
        &log_section(&[&nk, &sk], &[(&nk, &fed.national), (&sk, south)]),
    );
    fed.national.reload().await.unwrap();
    fed.regional.as_mut().unwrap().reload().await.unwrap();
    west.reload().await.unwrap();

    // The chapter reports, the region gathers its witnesses before forwarding; then national
    // gathers its own and writes its bundle.
    fed.run_period(period).await.unwrap();
    witness::gather(&fed.national.hub).await.unwrap();
    let (_, bytes) = fed.national_rollup(period).await.unwrap();
    let bundle = Bundle::from_json(&bytes).unwrap();
    let logs: Vec<String> = bundle.witnessed.iter().map(|l| l.log.to_string()).collect();
    let south_id = fed.regional.as_ref().unwrap().card().id.to_string();
    assert_eq!(
        logs,
        [fed.national.card().id.to_string(), south_id.clone()],
        "national's log and the region's"
    );
    let root = fed.root_card();
    let all = [nk.witness.clone(), sk.witness.clone(), wk.witness.clone()];
    let policy = |quorum| WitnessPolicy::new(&all, quorum).unwrap();
    let summary = verify_bytes_witnessed(&bytes, &root, None, &policy(2)).unwrap_or_else(|e| {
        panic!("{e:?}");
    });
    assert_eq!(summary.chapters, 1);

    // Three cosignatures cannot be: a log's own witness key never counts for it.
    let errors = verify_bytes_witnessed(&bytes, &root, None, &policy(3)).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e.reason() == shopfloor_protocol::Reason::Unwitnessed),
        "{errors:?}"
    );

    // Without the region's log, the region's rollup is not witnessed.
    let mut without = bundle.clone();
    without.witnessed.retain(|l| l.log.as_str() != south_id);
    let errors = verify_bytes_witnessed(&without.to_json(), &root, None, &policy(2)).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].reason(), shopfloor_protocol::Reason::Unwitnessed);
    assert!(errors[0].detail().contains(&south_id), "{errors:?}");

    // The node's daily check reads its receipt's note and finds it signed by the log key.
    let chapter = &fed.chapters[0].node;
    let ok = receipts::check_consistency(&chapter.store, &witnessed::Policy::default())
        .await
        .unwrap();
    assert!(ok.receipts_checked >= 1);
    west.stop().await.unwrap();
    fed.stop().await.unwrap();
}
