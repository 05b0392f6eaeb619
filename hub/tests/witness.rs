//! Witnessed checkpoints through real hubs on loopback: national witnesses the Southern region's
//! log, the region gathers national's cosignature, an independent verifier (a Python
//! transcription of the C2SP specifications and RFC 8032, `util/note_verify.py`) reads the
//! region's checkpoint and cosignature, and a forked log is refused and kept as evidence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use std::path::Path;

use shopfloor_hub::witness::{self, Gathered};
use shopfloor_hub::{Hub, translog};
use shopfloor_protocol::Digest;
use shopfloor_protocol::log::MerkleTree;
use shopfloor_protocol::note::{
    AddCheckpoint, CheckpointText, Note, NoteKeys, NoteSigner, NoteVerifier,
};
use util::{HubDir, Server, client, hub_cmd};

const SPEC_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const SPEC_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

fn note_keys(dir: &Path) -> NoteKeys {
    let hub = Hub::open(dir).unwrap();
    let env = witness::keys_envelope(&hub).unwrap();
    NoteKeys::open(&env, hub.card()).unwrap()
}

fn append_config(dir: &Path, text: &str) {
    let path = dir.join("hub.toml");
    let mut toml = std::fs::read_to_string(&path).unwrap();
    toml.push_str(text);
    std::fs::write(&path, toml).unwrap();
}

fn grow(dir: &Path, n: u8) {
    let hub = Hub::open(dir).unwrap();
    hub.store()
        .write(|tx, tree| {
            for i in 0..n {
                translog::append(tx, tree, Digest::of(&[b'w', i, tree.len() as u8]))?;
            }
            Ok(())
        })
        .unwrap();
}

/// Runs the independent verifier; returns (success, output).
fn python_verify(note: &str, vkeys: &[&str], tmp: &Path) -> (bool, String) {
    let file = tmp.join("checkpoint.note");
    std::fs::write(&file, note).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/util/note_verify.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&file)
        .args(vkeys)
        .output()
        .expect("python3 runs (the independent verifier needs it)");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn national_witnesses_a_region_and_catches_a_fork() {
    let tmp = tempfile::tempdir().unwrap();
    // The independent verifier checks the specification's own example first, so a verifier
    // that accepted everything would fail here.
    let (ok, out) = python_verify(SPEC_NOTE, &[SPEC_VKEY], tmp.path());
    assert!(ok, "{out}");
    let (ok, _) = python_verify(
        &SPEC_NOTE.replace("example message", "example massage"),
        &[SPEC_VKEY],
        tmp.path(),
    );
    assert!(!ok, "the independent verifier refuses a changed note");

    let national = HubDir::init(tmp.path(), "national", "national");
    let south = HubDir::init(tmp.path(), "south", "regional");
    let nk = note_keys(&national.dir);
    let sk = note_keys(&south.dir);
    assert_ne!(sk.log, sk.witness);
    assert!(sk.origin.starts_with("shopfloor/"));

    // national follows the region's log.
    append_config(
        &national.dir,
        &format!("\n[log]\nwitnessed = [\"{}\"]\n", sk.log),
    );
    let nat = Server::start(&national, &tmp.path().join("national.log"));
    // The region asks national, and needs its cosignature.
    append_config(
        &south.dir,
        &format!(
            "\n[log]\nquorum = 1\n\n[[log.witnesses]]\nvkey = \"{}\"\nurl = \"{}\"\n",
            nk.witness,
            nat.api("/api/v1/witness")
        ),
    );
    grow(&south.dir, 5);
    let south_hub = Hub::open(&south.dir).unwrap();
    let gathered = witness::gather(&south_hub).await.unwrap();
    assert_eq!(gathered, vec![Gathered::Cosigned(5)]);
    grow(&south.dir, 8);
    let gathered = witness::gather(&south_hub).await.unwrap();
    assert_eq!(
        gathered,
        vec![Gathered::Cosigned(13)],
        "growth with a consistency proof"
    );
    assert_eq!(witness::witnessed(&south_hub).unwrap(), (1, 1));

    // The region serves its checkpoint with national's cosignature.
    let srv = Server::start(&south, &tmp.path().join("south.log"));
    let text = client()
        .get(srv.api("/api/v1/log/note"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let note = Note::parse(text.as_bytes()).unwrap();
    let cp = CheckpointText::parse(note.text()).unwrap();
    assert_eq!((cp.origin.as_str(), cp.size), (sk.origin.as_str(), 13));
    let verifiers = [
        NoteVerifier::from_vkey(&sk.log).unwrap(),
        NoteVerifier::from_vkey(&nk.witness).unwrap(),
    ];
    assert_eq!(note.verify(&verifiers).unwrap().len(), 2);
    let (ok, out) = python_verify(&text, &[&sk.log, &nk.witness], tmp.path());
    assert!(ok, "independent verifier: {out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        2,
        "{out}"
    );

    // Consistency proofs in the witness protocol's form verify with the protocol's checker.
    let lines = client()
        .get(srv.api("/api/v1/log/consistency?old=5&new=13"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let expected = south_hub
        .store()
        .with_tree(|t| Ok(t.consistency_proof(5, 13)?))
        .unwrap();
    assert_eq!(lines.lines().count(), expected.len());

    // A fork: the region's log key signs a different tree of 15 leaves. national, which cosigned
    // 13, refuses it (422, split-view) and keeps the request as evidence.
    let keys = south_hub.keys();
    let signer = NoteSigner::log(keys, &sk.origin).unwrap();
    let mut forked = MerkleTree::new();
    for i in 0..15u8 {
        forked.push(Digest::of(&[b'f', i]));
    }
    let fork_text = CheckpointText {
        origin: sk.origin.clone(),
        size: 15,
        root: forked.root(),
    }
    .to_text();
    let mut fork_note = Note::new(&fork_text).unwrap();
    fork_note.add(signer.sign(&fork_text).unwrap()).unwrap();
    let body = AddCheckpoint {
        old: 13,
        proof: forked.consistency_proof(13, 15).unwrap(),
        checkpoint: fork_note,
    }
    .to_text();
    let resp = client()
        .post(nat.api("/api/v1/witness/add-checkpoint"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp.text().await.unwrap().starts_with("split-view"));
    let evidence = witness::evidence(&Hub::open(&national.dir).unwrap()).unwrap();
    assert_eq!(evidence.len(), 1);
    assert_eq!(evidence[0].0, sk.origin);

    // An old size the witness does not hold: 409 with its size, as text/x.tlog.size.
    let stale = AddCheckpoint {
        old: 5,
        proof: vec![],
        checkpoint: note.clone(),
    }
    .to_text();
    let resp = client()
        .post(nat.api("/api/v1/witness/add-checkpoint"))
        .body(stale)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 409);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/x.tlog.size"
    );
    assert_eq!(resp.text().await.unwrap(), "13\n");
    // A log national does not follow: 404.
    let stranger = shopfloor_protocol::SecretKeys::generate().unwrap();
    let other = NoteSigner::log(&stranger, "example.com/other-log").unwrap();
    let text = CheckpointText {
        origin: "example.com/other-log".into(),
        size: 0,
        root: MerkleTree::new().root(),
    }
    .to_text();
    let mut unknown = Note::new(&text).unwrap();
    unknown.add(other.sign(&text).unwrap()).unwrap();
    let body = AddCheckpoint {
        old: 0,
        proof: vec![],
        checkpoint: unknown,
    }
    .to_text();
    let resp = client()
        .post(nat.api("/api/v1/witness/add-checkpoint"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    drop(srv);
    drop(nat);
}

#[test]
fn a_quorum_above_the_witnesses_is_refused_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let south = HubDir::init(tmp.path(), "south", "regional");
    append_config(&south.dir, "\n[log]\nquorum = 2\n");
    let out = hub_cmd(&south.dir, &["card"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("log.quorum"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An envelope's JSON without any `keyid` (DSSE makes it optional), or with a foreign one.
fn with_keyid(envelope: &shopfloor_protocol::Envelope, keyid: Option<&str>) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&envelope.to_json()).unwrap();
    for sig in v["signatures"].as_array_mut().unwrap() {
        let sig = sig.as_object_mut().unwrap();
        match keyid {
            Some(k) => {
                sig.insert("keyid".into(), k.into());
            }
            None => {
                sig.remove("keyid");
            }
        }
    }
    serde_json::to_vec(&v).unwrap()
}

async fn post_sealed(server: &Server, bytes: Vec<u8>) -> (u16, Vec<u8>) {
    let resp = client()
        .post(server.api("/api/v1/reports"))
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

fn verify_json(dir: &Path, bundle: &Path, extra: &[&str]) -> serde_json::Value {
    let card = dir.join("card.json");
    let mut args = vec![
        "verify",
        bundle.to_str().unwrap(),
        "--root",
        card.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = hub_cmd(dir, &args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify printed non-JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["reasons"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["code"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Issue 17's leftovers through real hubs on loopback: an envelope without a keyid (or with a
/// foreign one) is accepted and attributed to the chapter whose key verifies it, one by an
/// unknown key is refused; the receipt carries the log's signed note; and `verify` requires a
/// witness quorum on the bundle's log checkpoint, naming what is missing or altered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyless_reports_noted_receipts_and_a_witnessed_bundle() {
    use shopfloor_protocol::log::Receipt;
    use shopfloor_protocol::{Envelope, SecretKeys};
    use util::{Chapter, last_month};

    let tmp = tempfile::tempdir().unwrap();
    let national = HubDir::init(tmp.path(), "national", "national");
    let south = HubDir::init(tmp.path(), "south", "regional");
    let nk = note_keys(&national.dir);
    let sk = note_keys(&south.dir);
    // The region witnesses national's log; national needs its cosignature.
    append_config(
        &south.dir,
        &format!("\n[log]\nwitnessed = [\"{}\"]\n", nk.log),
    );
    let srv_south = Server::start(&south, &tmp.path().join("south.log"));
    append_config(
        &national.dir,
        &format!(
            "\n[log]\nquorum = 1\n\n[[log.witnesses]]\nvkey = \"{}\"\nurl = \"{}\"\n",
            sk.witness,
            srv_south.api("/api/v1/witness")
        ),
    );
    let durham = Chapter::new("durham-dsa", "Durham DSA", "NC", "CANARY-1");
    let raleigh = Chapter::new("raleigh-dsa", "Raleigh DSA", "NC", "CANARY-2");
    {
        let hub = Hub::open(&national.dir).unwrap();
        durham.enroll_directly(&hub);
        raleigh.enroll_directly(&hub);
    }
    let nat = Server::start(&national, &tmp.path().join("national.log"));
    let period = last_month();
    let child_of = |digest: Digest| -> String {
        Hub::open(&national.dir)
            .unwrap()
            .store()
            .read(|db| {
                Ok(db.query_row(
                    "SELECT child FROM reports WHERE digest = ?1",
                    [digest.to_hex()],
                    |r| r.get::<_, String>(0),
                )?)
            })
            .unwrap()
    };

    // Raleigh's report without a keyid: accepted, and attributed to Raleigh (the second key tried
    // in id order is Raleigh's, after Durham's fails).
    let report = raleigh.report(&national.card.id, period, 1, None, 40);
    let stripped = Envelope::from_json(&with_keyid(&report, None)).unwrap();
    assert_eq!(stripped.signer_ids().count(), 0);
    let (status, body) = post_sealed(&nat, raleigh.seal_to(&stripped, &national.card)).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    assert_eq!(child_of(stripped.digest()), "raleigh-dsa");
    // The receipt carries the checkpoint as the log's signed note, which verifies under the log
    // key national publishes, at the receipt's size and root.
    let receipt: Receipt = Envelope::from_json(&body)
        .unwrap()
        .open_document(&national.card.signing_key)
        .unwrap();
    receipt.verify().unwrap();
    assert_eq!(receipt.entry, stripped.digest());
    let note = receipt
        .verify_note(&NoteVerifier::from_vkey(&nk.log).unwrap())
        .unwrap()
        .expect("the receipt carries a note");
    let cp = CheckpointText::parse(note.text()).unwrap();
    assert_eq!((cp.origin.as_str(), cp.size), (nk.origin.as_str(), 1));
    assert_eq!(cp.root, receipt.checkpoint.root);
    // The independent verifier reads it too.
    let (ok, out) = python_verify(&receipt.note, &[&nk.log], tmp.path());
    assert!(ok, "independent verifier: {out}");

    // Durham's report with a keyid of another scheme: accepted, attributed to Durham.
    let report = durham.report(&national.card.id, period, 1, None, 60);
    let foreign =
        Envelope::from_json(&with_keyid(&report, Some("kms://projects/x/key/1"))).unwrap();
    let (status, body) = post_sealed(&nat, durham.seal_to(&foreign, &national.card)).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    assert_eq!(child_of(foreign.digest()), "durham-dsa");

    // A report signed by a key no enrolled chapter holds, without a keyid: refused as before.
    let stranger = Chapter::new("stranger-dsa", "Stranger DSA", "NC", "CANARY-3");
    let report = stranger.report(&national.card.id, period, 1, None, 40);
    let stripped = Envelope::from_json(&with_keyid(&report, None)).unwrap();
    let (status, body) = post_sealed(&nat, stranger.seal_to(&stripped, &national.card)).await;
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"], "unknown-signer");

    // National's bundle carries its log's checkpoint, cosigned by the region (the command
    // gathers the cosignature first), with an inclusion proof of each chapter report.
    let bundle = tmp.path().join("bundle.json");
    let out = hub_cmd(
        &national.dir,
        &[
            "rollup",
            "--period",
            &period.to_string(),
            "--out",
            bundle.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = verify_json(
        &national.dir,
        &bundle,
        &["--witness", &sk.witness, "--witness-quorum", "1"],
    );
    assert_eq!(v["ok"], true, "{v}");
    // Without witness flags, the same bundle verifies as before.
    assert_eq!(verify_json(&national.dir, &bundle, &[])["ok"], true);

    // A witness key whose cosignature the bundle lacks: `unwitnessed`.
    let other = NoteSigner::cosigner(&SecretKeys::generate().unwrap(), "example.org/w")
        .unwrap()
        .verifier()
        .vkey();
    let v = verify_json(
        &national.dir,
        &bundle,
        &["--witness", &other, "--witness-quorum", "1"],
    );
    assert_eq!(v["ok"], false);
    assert_eq!(codes(&v), ["unwitnessed"], "{v}");
    // National's own witness key never counts for its own log.
    let v = verify_json(
        &national.dir,
        &bundle,
        &["--witness", &nk.witness, "--witness-quorum", "1"],
    );
    assert_eq!(codes(&v), ["unwitnessed"], "{v}");

    // The region's cosignature altered: `bad-signature`, and the quorum is no longer met.
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    let note = json["witnessed"][0]["note"].as_str().unwrap().to_owned();
    let line = note
        .lines()
        .find(|l| l.contains(&format!("{}/witness ", sk.origin)))
        .expect("the region's cosignature")
        .to_owned();
    let (head, sig) = line.rsplit_once(' ').unwrap();
    let mut chars: Vec<char> = sig.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let altered = format!("{head} {}", chars.into_iter().collect::<String>());
    json["witnessed"][0]["note"] = note.replace(&line, &altered).into();
    let tampered = tmp.path().join("tampered.json");
    std::fs::write(&tampered, serde_json::to_vec(&json).unwrap()).unwrap();
    let v = verify_json(
        &national.dir,
        &tampered,
        &["--witness", &sk.witness, "--witness-quorum", "1"],
    );
    assert_eq!(codes(&v), ["bad-signature", "unwitnessed"], "{v}");

    // A report the bundle relies on without its inclusion proof: `unwitnessed`.
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    json["witnessed"][0]["entries"]
        .as_array_mut()
        .unwrap()
        .pop();
    std::fs::write(&tampered, serde_json::to_vec(&json).unwrap()).unwrap();
    let v = verify_json(
        &national.dir,
        &tampered,
        &["--witness", &sk.witness, "--witness-quorum", "1"],
    );
    assert_eq!(codes(&v), ["unwitnessed"], "{v}");
    drop(nat);
    drop(srv_south);
}
