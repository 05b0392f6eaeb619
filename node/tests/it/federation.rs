//! The node talking to a REAL hub (shopfloor-hub's library, served in-process on loopback):
//! enrollment, guidance, the outbox with the hub down and up again, the offline file path,
//! revocation, receipts and the consistency check of the hub's log.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use shopfloor_hub::Hub;
use shopfloor_hub::config::{InitOptions, Level};
use shopfloor_node::datadir::DataDir;
use shopfloor_node::doctor;
use shopfloor_node::federation::{self, enroll, guidance, outbox, receipts, reports, scheduler};
use shopfloor_node::store::Store;
use shopfloor_protocol::{DisclosurePolicy, Envelope, Kind, Period, Report};

use crate::report::populate;
use crate::util::{bin, node, run, stderr, stdout};

/// A hub served in-process on loopback through its own library (`web::serve`).
pub(crate) struct TestHub {
    dir: PathBuf,
    pub(crate) hub: Hub,
    addr: SocketAddr,
    pub(crate) url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestHub {
    pub(crate) fn init(root: &Path, name: &str, level: Level) -> PathBuf {
        let dir = root.join(name);
        shopfloor_hub::config::init(
            &dir,
            &InitOptions {
                level,
                name: name.into(),
                state: None,
                admin_password: Some("hub admin password 123".into()),
            },
        )
        .unwrap();
        dir
    }

    /// Opens the hub in `dir` and serves it on `addr` (port 0: any free port).
    pub(crate) async fn start(dir: &Path, addr: SocketAddr) -> TestHub {
        let hub = Hub::open(dir).unwrap();
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let h = hub.clone();
        let task = tokio::spawn(async move {
            shopfloor_hub::web::serve(h, listener, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestHub {
            dir: dir.to_path_buf(),
            hub,
            addr,
            url: format!("http://{addr}"),
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub(crate) async fn stop(mut self) -> (PathBuf, SocketAddr) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), t)
                .await
                .expect("hub stops")
                .unwrap();
        }
        (self.dir.clone(), self.addr)
    }

    pub(crate) fn invite(&self) -> String {
        shopfloor_hub::enroll::invite(&self.hub, "Triangle DSA", Kind::Chapter, "admin")
            .unwrap()
            .code
    }

    pub(crate) fn approve_all(&self) -> usize {
        let pending = shopfloor_hub::enroll::pending(&self.hub).unwrap();
        for p in &pending {
            shopfloor_hub::enroll::approve(&self.hub, &p.id, "admin").unwrap();
        }
        pending.len()
    }

    /// Reports the hub holds from `child` for `period`: (revision, superseded).
    fn reports(&self, child: &str, period: Period) -> Vec<(i64, bool)> {
        self.hub
            .store()
            .read(|db| {
                let mut stmt = db.prepare(
                    "SELECT revision, superseded FROM reports WHERE child = ?1 AND period = ?2 ORDER BY revision",
                )?;
                let rows = stmt
                    .query_map([child, &period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .unwrap()
    }
}

pub(crate) fn any_port() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

pub(crate) fn last_month() -> Period {
    Period::containing(jiff::Timestamp::now())
        .unwrap()
        .previous()
        .unwrap()
}

pub(crate) fn quick() -> enroll::WaitOptions {
    enroll::WaitOptions {
        poll: Duration::from_millis(100),
        timeout: Some(Duration::from_secs(20)),
    }
}

/// A node with members, enrolled (through the real HTTP API) at `hub`.
async fn enrolled_node(hub: &TestHub) -> (tempfile::TempDir, DataDir, Store) {
    let (tmp, dir, store) = node();
    populate(&store, 40);
    let code = hub.invite();
    let started = enroll::start(&store, &dir, &hub.url, &code, None)
        .await
        .unwrap();
    assert_eq!(
        started.hub_fingerprint,
        hub.hub.card().fingerprint().to_string()
    );
    assert_eq!(
        started.node_fingerprint,
        dir.card().unwrap().fingerprint().to_string()
    );
    assert_eq!(hub.approve_all(), 1);
    let e = enroll::wait(&store, &dir, &quick()).await.unwrap();
    assert_eq!(&e.hub_card, hub.hub.card());
    (tmp, dir, store)
}

fn open_alarms(store: &Store) -> Vec<federation::Alarm> {
    store.read(|c| federation::alarms(c, false)).unwrap()
}

fn report_of(store: &Store, period: Period, revision: i64) -> (Report, Envelope) {
    let bytes: Vec<u8> = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT envelope FROM reports WHERE period = ?1 AND revision = ?2",
                rusqlite::params![period.to_string(), revision],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    let env = Envelope::from_json(&bytes).unwrap();
    let card = DataDir::new(store.path().parent().unwrap()).card().unwrap();
    (env.open_document(&card.signing_key).unwrap(), env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_guidance_submit_resubmit_and_log_checks_against_a_real_hub() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "national", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    shopfloor_hub::guidance::publish(
        &hub.hub,
        shopfloor_hub::guidance::Draft {
            policy: Some(DisclosurePolicy { k: 7 }),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let (_n, _dir, store) = enrolled_node(&hub).await;

    // Enrollment stored the hub, its card and certificate; guidance's k is now the floor.
    let link = store.read(federation::hub_link).unwrap().unwrap();
    assert_eq!(&link.card, hub.hub.card());
    assert!(link.chain_verified, "a national hub is its own root");
    let g = store.read(guidance::current).unwrap().unwrap();
    assert_eq!(g.policy_k, 7);
    let policy_k: Option<i64> = store
        .read(|c| Ok(c.query_row("SELECT policy_k FROM enrollment", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(policy_k, Some(7));

    // Submit through the outbox: a verified receipt.
    let period = last_month();
    let q = reports::enqueue(&store, &_dir, period).unwrap();
    assert!(q.new);
    assert_eq!(q.revision, 1);
    let it = outbox::wait_for(&store, q.outbox_id, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(it.status, "delivered", "{it:?}");
    let (r1, env1) = report_of(&store, period, 1);
    assert_eq!(r1.policy.k, 7, "the hub's k applies");
    assert_eq!(r1.recipient, hub.hub.card().id);
    assert_eq!(r1.previous, None);
    let held = store.read(receipts::list).unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].digest, env1.digest().to_hex());
    assert_eq!(hub.reports("triangle-dsa", period), vec![(1, false)]);

    // A second revision supersedes and chains to the accepted first one.
    let q2 = reports::enqueue(&store, &_dir, period).unwrap();
    assert_eq!(q2.revision, 2);
    let it2 = outbox::wait_for(&store, q2.outbox_id, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(it2.status, "delivered", "{it2:?}");
    let (r2, _) = report_of(&store, period, 2);
    assert_eq!(r2.previous, Some(env1.digest()));
    assert_eq!(
        hub.reports("triangle-dsa", period),
        vec![(1, true), (2, false)]
    );

    // The log is consistent with every checkpoint and receipt held.
    let c = receipts::check_consistency(&store, &Default::default())
        .await
        .unwrap();
    assert_eq!(c.receipts_checked, 2);
    assert!(c.checkpoints_checked >= 2, "{c:?}");
    assert!(open_alarms(&store).is_empty());
    // Scheduler: last month is accepted, so nothing new is built.
    let t = scheduler::tick(&store, &_dir, jiff::Timestamp::now(), true)
        .await
        .unwrap();
    assert!(t.enqueued.is_none(), "{t:?}");
    assert!(t.errors.is_empty(), "{t:?}");

    // A forged checkpoint (as if the hub had shown a different tree before) raises an alarm.
    store
        .write(|tx| {
            tx.execute(
                "UPDATE checkpoints SET root = ?1 WHERE id = (SELECT min(id) FROM checkpoints)",
                ["ab".repeat(32)],
            )?;
            Ok(())
        })
        .unwrap();
    let err = receipts::check_consistency(&store, &Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, federation::Error::Alarm { kind, .. } if kind == "log-fork"),
        "{err}"
    );
    let alarms = open_alarms(&store);
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert_eq!(alarms[0].kind, "log-fork");
    let checks = doctor::run(&_dir);
    let check = checks
        .iter()
        .find(|c| c.name == "federation alarms")
        .unwrap();
    assert!(!check.ok, "{check:?}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_survives_hub_downtime_and_a_restart_then_delivers_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "national", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    let (_n, dir, store) = enrolled_node(&hub).await;
    let (hub_dir, addr) = hub.stop().await;

    let period = last_month();
    let q = reports::enqueue(&store, &dir, period).unwrap();
    // The hub is down: two attempts fail and are recorded, with backoff.
    for n in 1..=2 {
        store.write(|tx| outbox::retry_now(tx)).unwrap();
        let o = outbox::deliver_due(&store).await.unwrap();
        assert!(
            matches!(o.as_slice(), [outbox::Outcome::Retry { attempts, .. }] if *attempts == n),
            "{o:?}"
        );
    }
    let it = store
        .read(|c| outbox::item(c, q.outbox_id))
        .unwrap()
        .unwrap();
    assert_eq!(it.status, "pending");
    assert_eq!(it.attempts, 2);
    assert!(
        it.last_error
            .as_deref()
            .unwrap_or("")
            .contains("reach the hub"),
        "{it:?}"
    );
    assert!(it.next_attempt_at > jiff::Timestamp::now().as_second());
    // Not due yet: a pass does nothing.
    assert!(outbox::deliver_due(&store).await.unwrap().is_empty());
    // The same period is not enqueued twice.
    let again = reports::enqueue(&store, &dir, period).unwrap();
    assert!(!again.new);
    assert_eq!(again.outbox_id, q.outbox_id);

    // The node restarts: everything is in SQLite.
    drop(store);
    let store = dir.open_store().unwrap();
    let it = store
        .read(|c| outbox::item(c, q.outbox_id))
        .unwrap()
        .unwrap();
    assert_eq!((it.status.as_str(), it.attempts), ("pending", 2));

    // The hub comes back on the same data directory and port.
    let hub = TestHub::start(&hub_dir, addr).await;
    store.write(|tx| outbox::retry_now(tx)).unwrap();
    let o = outbox::deliver_due(&store).await.unwrap();
    assert!(
        matches!(o.as_slice(), [outbox::Outcome::Delivered { .. }]),
        "{o:?}"
    );
    let it = store
        .read(|c| outbox::item(c, q.outbox_id))
        .unwrap()
        .unwrap();
    assert_eq!((it.status.as_str(), it.attempts), ("delivered", 3));
    // Nothing more to send; a re-post of the same sealed bytes gets the same receipt.
    assert!(outbox::deliver_due(&store).await.unwrap().is_empty());
    let sealed: Vec<u8> = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT sealed FROM outbox WHERE id = ?1",
                [q.outbox_id],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    let again = shopfloor_hub::ingest::ingest(&hub.hub, &sealed).unwrap();
    assert!(again.duplicate);
    let kept = store.read(receipts::list).unwrap();
    assert_eq!(kept.len(), 1);
    let rcpt: shopfloor_protocol::log::Receipt = again
        .receipt
        .open_document(&hub.hub.card().signing_key)
        .unwrap();
    assert_eq!(rcpt.index, u64::try_from(kept[0].log_index).unwrap());
    // Exactly one report for the period at the hub.
    assert_eq!(hub.reports("triangle-dsa", period), vec![(1, false)]);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_file_is_ingested_by_the_hub_and_its_receipt_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "national", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    let (_n, dir, store) = enrolled_node(&hub).await;
    let period = last_month();
    let file = tmp.path().join("report.age");
    // Through the real binary.
    let o = run(bin(dir.root()).args([
        "report",
        "build",
        "--period",
        &period.to_string(),
        "--out",
        file.to_str().unwrap(),
        "--armor",
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("revision 1"), "{}", stdout(&o));
    let sealed = std::fs::read(&file).unwrap();
    assert!(sealed.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    // The hub admin's `shopfloor-hub ingest FILE` (same library path).
    let got = shopfloor_hub::ingest::ingest(&hub.hub, &sealed).unwrap();
    assert!(!got.duplicate);
    assert_eq!(hub.reports("triangle-dsa", period), vec![(1, false)]);
    // Back at the node: the receipt (`ingest --json` prints it) is verified and kept.
    let rfile = tmp.path().join("receipt.json");
    std::fs::write(&rfile, got.receipt.to_json()).unwrap();
    let o = run(bin(dir.root()).args(["report", "receipt", rfile.to_str().unwrap()]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        store.read(reports::last_accepted).unwrap(),
        Some(got.digest)
    );
    // So the next revision, sent online, chains to it.
    let q = reports::enqueue(&store, &dir, period).unwrap();
    assert_eq!(q.revision, 2);
    let it = outbox::wait_for(&store, q.outbox_id, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(it.status, "delivered", "{it:?}");
    assert_eq!(
        hub.reports("triangle-dsa", period),
        vec![(1, true), (2, false)]
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_node_is_refused_for_good_with_revoked() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "national", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    let (_n, dir, store) = enrolled_node(&hub).await;
    shopfloor_hub::enroll::revoke(&hub.hub, "triangle-dsa", "key reported stolen", "admin")
        .unwrap();
    let q = reports::enqueue(&store, &dir, last_month()).unwrap();
    let o = outbox::deliver_due(&store).await.unwrap();
    assert!(
        matches!(o.as_slice(), [outbox::Outcome::Failed { code, .. }] if code == "revoked"),
        "{o:?}"
    );
    let it = store
        .read(|c| outbox::item(c, q.outbox_id))
        .unwrap()
        .unwrap();
    assert_eq!(it.status, "failed");
    assert_eq!(it.error_code.as_deref(), Some("revoked"));
    // Never retried.
    store.write(|tx| outbox::retry_now(tx)).unwrap();
    assert!(outbox::deliver_due(&store).await.unwrap().is_empty());
    // The revocation list says so, and an alarm is raised once.
    let r = enroll::fetch_revocations(&store).await.unwrap();
    assert!(r.self_revoked);
    enroll::fetch_revocations(&store).await.unwrap();
    let alarms = open_alarms(&store);
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert_eq!(alarms[0].kind, "revoked");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rekeyed_node_enrolls_again_and_its_reports_are_accepted() {
    // The server was compromised: the hub revokes the node, the chapter replaces the node's keys
    // (same chapter id, data kept) and enrolls again with a new invitation.
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "national", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    let (_n, dir, store) = enrolled_node(&hub).await;
    reports::enqueue(&store, &dir, last_month()).unwrap();
    let o = outbox::deliver_due(&store).await.unwrap();
    assert!(
        matches!(o.as_slice(), [outbox::Outcome::Delivered { .. }]),
        "{o:?}"
    );
    // Still holding a certificate for its current keys: enrolling again is refused.
    let code = hub.invite();
    assert!(
        enroll::start(&store, &dir, &hub.url, &code, None)
            .await
            .is_err()
    );

    shopfloor_hub::enroll::revoke(&hub.hub, "triangle-dsa", "key reported stolen", "admin")
        .unwrap();
    let old = dir.card().unwrap();
    let keys = shopfloor_protocol::SecretKeys::generate().unwrap();
    let card = keys
        .card(old.id.clone(), old.kind, &old.name, old.state.as_deref())
        .unwrap();
    std::fs::write(dir.keys_path(), keys.to_text()).unwrap();
    std::fs::write(dir.card_path(), card.to_json()).unwrap();

    let code = hub.invite();
    let started = enroll::start(&store, &dir, &hub.url, &code, None)
        .await
        .unwrap();
    assert_eq!(started.node_fingerprint, card.fingerprint().to_string());
    assert_eq!(hub.approve_all(), 1);
    enroll::wait(&store, &dir, &quick()).await.unwrap();

    reports::enqueue(&store, &dir, last_month()).unwrap();
    let o = outbox::deliver_due(&store).await.unwrap();
    assert!(
        matches!(o.as_slice(), [outbox::Outcome::Delivered { .. }]),
        "{o:?}"
    );
    // Revision 2 chains to revision 1, which the old key signed, and supersedes it.
    assert_eq!(
        hub.reports("triangle-dsa", last_month()),
        vec![(1, true), (2, false)]
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_through_a_signed_statement_and_the_old_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "national", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    let (_n, dir, store) = enrolled_node(&hub).await;
    reports::enqueue(&store, &dir, last_month()).unwrap();
    assert!(matches!(
        outbox::deliver_due(&store).await.unwrap().as_slice(),
        [outbox::Outcome::Delivered { .. }]
    ));
    let old_card = dir.card().unwrap();
    let old_keys = dir.keys().unwrap();

    let rotated = federation::rotate::rotate_keys(&store, &dir).await.unwrap();
    assert_ne!(rotated.card.signing_key, old_card.signing_key);
    assert_eq!(rotated.card.id, old_card.id);
    assert_eq!(dir.card().unwrap(), rotated.card);
    assert_eq!(dir.keys().unwrap().public_key(), rotated.card.signing_key);
    let child = hub
        .hub
        .store()
        .read(|db| shopfloor_hub::enroll::child(db, "triangle-dsa"))
        .unwrap()
        .unwrap();
    assert_eq!(child.card, rotated.card);

    // The next report, signed with the new key, continues the chain.
    reports::enqueue(&store, &dir, last_month()).unwrap();
    assert!(matches!(
        outbox::deliver_due(&store).await.unwrap().as_slice(),
        [outbox::Outcome::Delivered { .. }]
    ));
    // A statement signed by the retired key is refused: it is no longer a child's key.
    let again = shopfloor_protocol::cert::rotate(
        &old_card,
        &old_keys,
        old_card.clone(),
        jiff::Timestamp::now(),
    );
    assert!(again.is_err(), "a rotation must change the key");
    let forged_keys = shopfloor_protocol::SecretKeys::generate().unwrap();
    let forged_card = forged_keys
        .card(
            old_card.id.clone(),
            old_card.kind,
            &old_card.name,
            old_card.state.as_deref(),
        )
        .unwrap();
    let stale =
        shopfloor_protocol::cert::rotate(&old_card, &old_keys, forged_card, jiff::Timestamp::now())
            .unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/rotate", hub.url))
        .body(stale.to_json())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    // The revocation list names the old key as rotated.
    let list = shopfloor_hub::enroll::revocation_list(hub.hub.store())
        .unwrap()
        .unwrap();
    let list: shopfloor_protocol::cert::RevocationList =
        list.open_document(&hub.hub.card().signing_key).unwrap();
    assert!(
        list.entries
            .iter()
            .any(|r| r.key == old_card.key_id() && r.reason == "rotated")
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_support_request_reaches_a_chapter_with_matching_reserve_and_not_the_asker() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "national", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    // Two chapters: Triangle (from `node()`), and Piedmont, made the same way under another name.
    let (_a, dir_a, store_a) = enrolled_node(&hub).await;
    let tmp_b = tempfile::tempdir().unwrap();
    let root_b = tmp_b.path().join("data");
    shopfloor_node::datadir::init(
        &root_b,
        "Piedmont DSA",
        "NC",
        Some("a long admin password".into()),
    )
    .unwrap();
    let dir_b = DataDir::new(&root_b);
    let store_b = dir_b.open_store().unwrap();
    populate(&store_b, 40);
    let code = hub.invite();
    enroll::start(&store_b, &dir_b, &hub.url, &code, None)
        .await
        .unwrap();
    assert_eq!(hub.approve_all(), 1);
    enroll::wait(&store_b, &dir_b, &quick()).await.unwrap();
    // Both report: their reserve (Spanish speakers, one-on-ones) is in their reports.
    for (store, dir) in [(&store_a, &dir_a), (&store_b, &dir_b)] {
        reports::enqueue(store, dir, last_month()).unwrap();
        assert!(matches!(
            outbox::deliver_due(store).await.unwrap().as_slice(),
            [outbox::Outcome::Delivered { .. }]
        ));
    }
    let ask = shopfloor_protocol::support::SupportBody {
        skills: vec!["one-on-ones".into()],
        language: Some("es".into()),
        sector: Some("62".into()),
        message: "A hospital committee needs Spanish-speaking organizers for one-on-ones.".into(),
        reply_to: "signal group: triangle labor".into(),
        urgency: Default::default(),
        chapter: None,
    };
    let posted = federation::support::ask(&store_a, &dir_a, &ask)
        .await
        .unwrap();
    assert_eq!(posted.relayed_to, 1);
    let inbox_b = federation::support::inbox(&store_b, &dir_b).await.unwrap();
    assert_eq!(inbox_b.for_you.len(), 1);
    assert_eq!(inbox_b.for_you[0].from.as_str(), "triangle-dsa");
    assert_eq!(inbox_b.for_you[0].body.reply_to, ask.reply_to);
    let inbox_a = federation::support::inbox(&store_a, &dir_a).await.unwrap();
    assert!(inbox_a.for_you.is_empty(), "the asker is not asked");
    assert_eq!(inbox_a.yours.len(), 1);
    // The command line closes it; Piedmont's inbox then shows it unmet.
    let id = inbox_a.yours[0].id.clone();
    let o = run(bin(dir_a.root()).args(["support", "close", &id, "--status", "open"]));
    assert!(!o.status.success(), "open is not a closing word");
    let o = run(bin(dir_a.root()).args(["support", "close", &id, "--status", "unmet"]));
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("marked unmet"), "{}", stdout(&o));
    let inbox_b = federation::support::inbox(&store_b, &dir_b).await.unwrap();
    assert_eq!(
        inbox_b.for_you[0].status,
        shopfloor_protocol::support::Status::Unmet
    );
    let o = run(bin(dir_b.root()).args(["support", "inbox"]));
    assert!(stdout(&o).contains("normal, unmet"), "{}", stdout(&o));
    // A request the registry does not know is refused before it leaves the node.
    let bad = shopfloor_protocol::support::SupportBody {
        skills: vec!["juggling".into()],
        ..ask
    };
    assert!(
        federation::support::ask(&store_a, &dir_a, &bad)
            .await
            .is_err()
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guidance_page_shows_relayed_requests_and_sends_new_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "national", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    // Triangle: served over HTTP. Piedmont: library only.
    let server = crate::web::Server::start().await;
    populate(&server.store, 40);
    enroll::start(&server.store, &server.dir, &hub.url, &hub.invite(), None)
        .await
        .unwrap();
    assert_eq!(hub.approve_all(), 1);
    enroll::wait(&server.store, &server.dir, &quick())
        .await
        .unwrap();
    let tmp_b = tempfile::tempdir().unwrap();
    let root_b = tmp_b.path().join("data");
    shopfloor_node::datadir::init(
        &root_b,
        "Piedmont DSA",
        "NC",
        Some("a long admin password".into()),
    )
    .unwrap();
    let dir_b = DataDir::new(&root_b);
    let store_b = dir_b.open_store().unwrap();
    populate(&store_b, 40);
    enroll::start(&store_b, &dir_b, &hub.url, &hub.invite(), None)
        .await
        .unwrap();
    assert_eq!(hub.approve_all(), 1);
    enroll::wait(&store_b, &dir_b, &quick()).await.unwrap();
    for (store, dir) in [(&server.store, &server.dir), (&store_b, &dir_b)] {
        reports::enqueue(store, dir, last_month()).unwrap();
        outbox::deliver_due(store).await.unwrap();
    }
    let ask = shopfloor_protocol::support::SupportBody {
        skills: vec!["mapping".into()],
        language: None,
        sector: None,
        message: "Piedmont needs help mapping a warehouse.".into(),
        reply_to: "piedmont-labor@example.org".into(),
        urgency: Default::default(),
        chapter: None,
    };
    federation::support::ask(&store_b, &dir_b, &ask)
        .await
        .unwrap();

    let s = crate::web::login(&server, "admin", crate::util::ADMIN_PASSWORD).await;
    let html = s
        .client
        .get(server.url("/guidance"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Piedmont needs help mapping a warehouse."),
        "{html}"
    );
    assert!(html.contains("piedmont-labor@example.org"));
    // The asking chapter by its name, not its id.
    assert!(html.contains("<strong>Piedmont DSA</strong>"), "{html}");
    assert!(!html.contains("piedmont-dsa"), "{html}");
    // Enrolled, nothing published yet: the page says so instead of "once the node is enrolled".
    // The hub has published nothing: the node asked (when it enrolled) and the page says when.
    federation::guidance::fetch(&server.store).await.unwrap();
    let html = s
        .client
        .get(server.url("/guidance"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("nothing had been published yet")
            && html.contains("This node has been enrolled with")
            && html.contains(" since ")
            && html.contains("for guidance on "),
        "{html}"
    );
    assert!(!html.contains("once the node is enrolled"));
    assert!(
        html.contains("You have no open requests.") || html.contains("You have 0 open requests."),
        "{html}"
    );
    // Ask from the page, without JavaScript: a plain form post with the CSRF token.
    let r = s
        .client
        .post(server.url("/support"))
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("skill", "one-on-ones"),
            ("language", "es"),
            ("sector", ""),
            (
                "message",
                "Spanish-speaking organizers for one-on-ones at a clinic.",
            ),
            ("reply_to", "signal: triangle labor"),
            ("urgency", "urgent"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/guidance?asked=1");
    let inbox_b = federation::support::inbox(&store_b, &dir_b).await.unwrap();
    assert_eq!(inbox_b.for_you.len(), 1);
    assert_eq!(
        inbox_b.for_you[0].body.urgency,
        shopfloor_protocol::support::Urgency::Urgent
    );
    assert_eq!(
        inbox_b.for_you[0].status,
        shopfloor_protocol::support::Status::Open
    );

    // The organizer marks it met from the page; Piedmont then sees it closed.
    let id = federation::support::inbox(&server.store, &server.dir)
        .await
        .unwrap()
        .yours[0]
        .id
        .clone();
    let html = s
        .client
        .get(server.url("/guidance"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("/support/{id}/status")), "{html}");
    assert!(html.contains("Mark as met"), "{html}");
    let r = s
        .client
        .post(server.url(&format!("/support/{id}/status")))
        .form(&[("status", "met")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::FORBIDDEN, "no CSRF token");
    let r = s
        .client
        .post(server.url(&format!("/support/{id}/status")))
        .form(&[("csrf", s.csrf.as_str()), ("status", "met")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/guidance?closed=met");
    let inbox_b = federation::support::inbox(&store_b, &dir_b).await.unwrap();
    assert_eq!(
        inbox_b.for_you[0].status,
        shopfloor_protocol::support::Status::Met
    );
    let html = s
        .client
        .get(server.url("/guidance?closed=met"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("The request is marked met"), "{html}");
    assert!(!html.contains(&format!("/support/{id}/status")), "{html}");
    // Without the token: refused.
    let r = s
        .client
        .post(server.url("/support"))
        .form(&[("skill", "mapping"), ("message", "x"), ("reply_to", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::FORBIDDEN);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_at_a_regional_hub_verifies_the_chain_to_the_pinned_root() {
    let tmp = tempfile::tempdir().unwrap();
    let nat_dir = TestHub::init(tmp.path(), "national", Level::National);
    let national = TestHub::start(&nat_dir, any_port()).await;
    shopfloor_hub::guidance::publish(
        &national.hub,
        shopfloor_hub::guidance::Draft {
            policy: Some(DisclosurePolicy { k: 9 }),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let south_dir = TestHub::init(tmp.path(), "south", Level::Regional);
    let south = TestHub::start(&south_dir, any_port()).await;
    // South enrolls at national (the hub's own flow).
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
    // South relays national's guidance (k = 9) inside its own (k = 5 by default).
    let inherited = shopfloor_hub::forward::fetch_parent_guidance(&south.hub)
        .await
        .unwrap();
    shopfloor_hub::guidance::publish(&south.hub, Default::default(), inherited).unwrap();

    // The node pins national's card and enrolls at south.
    let (_n, dir, store) = node();
    populate(&store, 40);
    let code = south.invite();
    let root = national.hub.card().clone();
    enroll::start(&store, &dir, &south.url, &code, Some(root))
        .await
        .unwrap();
    south.approve_all();
    let e = enroll::wait(&store, &dir, &quick()).await.unwrap();
    assert!(e.chain_verified, "{e:?}");
    assert!(e.warnings.is_empty(), "{e:?}");
    let link = store.read(federation::hub_link).unwrap().unwrap();
    assert_eq!(link.chain.len(), 1);
    assert_eq!(link.root.as_ref(), Some(national.hub.card()));
    let g = store.read(guidance::current).unwrap().unwrap();
    assert!(g.inherited_verified);
    assert_eq!(
        g.policy_k, 9,
        "national's stricter k applies through the relay"
    );

    // A wrong root card is refused at enrollment time.
    let tmp2 = tempfile::tempdir().unwrap();
    shopfloor_node::datadir::init(
        &tmp2.path().join("d"),
        "Memphis DSA",
        "TN",
        Some("correct horse battery staple".into()),
    )
    .unwrap();
    let dir2 = DataDir::new(tmp2.path().join("d"));
    let store2 = dir2.open_store().unwrap();
    let code = south.invite();
    let impostor = shopfloor_protocol::SecretKeys::generate()
        .unwrap()
        .card(
            shopfloor_protocol::PartyId::new("national").unwrap(),
            Kind::National,
            "national",
            None,
        )
        .unwrap();
    enroll::start(&store2, &dir2, &south.url, &code, Some(impostor))
        .await
        .unwrap();
    south.approve_all();
    let err = enroll::wait(&store2, &dir2, &quick()).await.unwrap_err();
    assert_eq!(err.code(), Some("untrusted-chain"), "{err}");
    assert!(store2.read(federation::hub_link).unwrap().is_none());

    // Reports flow: the scheduler builds last month's and the outbox delivers it.
    let text = std::fs::read_to_string(dir.config_path()).unwrap();
    assert!(text.contains("report_day = 3"), "{text}");
    std::fs::write(
        dir.config_path(),
        text.replace("report_day = 3", "report_day = 1"),
    )
    .unwrap();
    let t = scheduler::tick(&store, &dir, jiff::Timestamp::now(), false)
        .await
        .unwrap();
    assert!(t.enqueued.is_some(), "{t:?}");
    assert!(
        matches!(t.delivered.as_slice(), [outbox::Outcome::Delivered { .. }]),
        "{t:?}"
    );
    let (r, _) = report_of(&store, last_month(), 1);
    assert_eq!(r.policy.k, 9);
    let t = scheduler::tick(&store, &dir, jiff::Timestamp::now(), false)
        .await
        .unwrap();
    assert!(t.enqueued.is_none(), "built once: {t:?}");
    south.stop().await;
    national.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_enroll_shows_both_fingerprints_then_submit_and_check() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "national", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    let (_n, dir, store) = node();
    populate(&store, 40);
    drop(store);
    let code = hub.invite();
    let mut child = bin(dir.root())
        .args([
            "enroll",
            "--hub",
            &hub.url,
            "--code",
            &code,
            "--wait-secs",
            "30",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout_pipe = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout_pipe).lines() {
            let line = line.unwrap();
            all.push_str(&line);
            all.push('\n');
            if line.starts_with("Waiting") {
                let _ = tx.send(all.clone());
            }
        }
        all
    });
    let shown = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap()
        .expect("enroll prints the fingerprints and waits");
    let node_fp = dir.card().unwrap().fingerprint().to_string();
    let hub_fp = hub.hub.card().fingerprint().to_string();
    assert!(shown.contains(&node_fp), "{shown}");
    assert!(shown.contains(&hub_fp), "{shown}");
    assert!(shown.contains("phone or Signal"), "{shown}");
    assert_eq!(hub.approve_all(), 1);
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    let all = reader.join().unwrap();
    assert!(status.success(), "{all}");
    assert!(all.contains("Approved by national"), "{all}");

    let period = last_month().to_string();
    let d = dir.root().to_path_buf();
    let o = tokio::task::spawn_blocking(move || {
        run(bin(&d).args(["report", "submit", "--period", &period, "--wait-secs", "30"]))
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("log index 0"), "{}", stdout(&o));
    let d = dir.root().to_path_buf();
    let o = tokio::task::spawn_blocking(move || run(bin(&d).args(["federation", "check"])))
        .await
        .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("consistent"), "{}", stdout(&o));
    let d = dir.root().to_path_buf();
    let o = tokio::task::spawn_blocking(move || run(bin(&d).arg("doctor")))
        .await
        .unwrap();
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("no open alarms"), "{}", stdout(&o));
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_accepts_a_resent_month_with_its_closing_stocks_and_a_labelled_correction() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "national", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    let (_n, dir, store) = enrolled_node(&hub).await;
    let members = |r: &Report| {
        r.cell(&shopfloor_protocol::CellKey::total("members"))
            .and_then(shopfloor_protocol::CellValue::count)
    };

    // Last month, sent, then re-sent after members joined: the same counts, as of the close.
    let period = last_month();
    let q = reports::enqueue(&store, &dir, period).unwrap();
    let it = outbox::wait_for(&store, q.outbox_id, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(it.status, "delivered", "{it:?}");
    let (r1, _) = report_of(&store, period, 1);
    assert!(r1.as_of.is_some() && !r1.correction, "{r1:?}");
    shopfloor_node::import::import_bytes(
        &store,
        crate::report::canary_csv(55).as_bytes(),
        &shopfloor_node::import::ImportOptions {
            confirm_missing: true,
            ..Default::default()
        },
        "test",
    )
    .unwrap();
    let q = reports::enqueue(&store, &dir, period).unwrap();
    let it = outbox::wait_for(&store, q.outbox_id, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(it.status, "delivered", "{it:?}");
    let (r2, _) = report_of(&store, period, 2);
    assert_eq!(r2.as_of, r1.as_of);
    assert_eq!(members(&r2), members(&r1));
    assert_eq!(
        hub.reports("triangle-dsa", period),
        vec![(1, true), (2, false)]
    );

    // The month before: closed with nothing recorded. Refused, naming --correction...
    let old = period.previous().unwrap().to_string();
    let out = tmp.path().join("old.age");
    let d = dir.root().to_path_buf();
    let (o, p) = (out.clone(), old.clone());
    let refused = tokio::task::spawn_blocking(move || {
        run(bin(&d)
            .args(["report", "build", "--period", &p, "--out"])
            .arg(&o))
    })
    .await
    .unwrap();
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--correction"),
        "{}",
        stderr(&refused)
    );
    assert!(!out.exists());
    // ...and sent as a correction, which the hub accepts, labelled.
    let d = dir.root().to_path_buf();
    let p = old.clone();
    let o = tokio::task::spawn_blocking(move || {
        run(bin(&d).args([
            "report",
            "submit",
            "--period",
            &p,
            "--correction",
            "--wait-secs",
            "30",
        ]))
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let old: Period = old.parse().unwrap();
    let (r3, _) = report_of(&store, old, 1);
    assert!(r3.correction, "{r3:?}");
    // Counts taken now (to the second, so possibly the same second as the snapshot above).
    assert!(r3.as_of.unwrap() >= r1.as_of.unwrap());
    assert!(members(&r3) > members(&r1), "today's counts");
    assert_eq!(hub.reports("triangle-dsa", old), vec![(1, false)]);
    hub.stop().await;
}

#[test]
fn backoff_grows_exponentially_with_jitter_up_to_the_cap() {
    let b = outbox::Backoff {
        base: Duration::from_secs(10),
        max: Duration::from_secs(300),
    };
    for (attempts, full) in [
        (1u32, 10u64),
        (2, 20),
        (3, 40),
        (4, 80),
        (6, 300),
        (40, 300),
    ] {
        for _ in 0..20 {
            let d = b.delay(attempts);
            assert!(
                d >= Duration::from_secs(full) / 2 && d <= Duration::from_secs(full),
                "attempt {attempts}: {d:?}"
            );
        }
    }
    let spread: std::collections::BTreeSet<_> = (0..20).map(|_| b.delay(5)).collect();
    assert!(spread.len() > 1, "jitter varies the delay");
}
