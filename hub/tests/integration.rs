//! End-to-end tests of the hub: real `shopfloor-hub` processes on loopback, driven through the
//! command line and the HTTP API, with a test client standing in for chapter nodes.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use base64::Engine as _;
use serde_json::{Value, json};
use shopfloor_hub::guidance;
use shopfloor_hub::support::sign_request;
use shopfloor_protocol::cert::{RevocationSet, verify_certificate, verify_chain};
use shopfloor_protocol::log::{Checkpoint, Receipt, verify_consistency, verify_inclusion};
use shopfloor_protocol::{Digest, Envelope, SealFormat, SecretKeys, seal};
use util::*;

const CANARY_A: &str = "CANARY-MARIA-QUINTERO-4471";
const CANARY_B: &str = "CANARY-DESHAWN-OKAFOR-9023";

/// Posts sealed bytes; returns (status, body bytes).
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

/// A POST that declares a body of `length` bytes and sends none, over a raw connection; returns
/// (status, body bytes) of the answer. The hub must answer an oversized body from its
/// `Content-Length` alone. (Sending the 9 MiB through reqwest raced: the hub answered 413 and
/// closed while the client was still writing, and the client saw a broken pipe, not the answer.)
async fn post_declared_length(server: &Server, path: &str, length: usize) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let host = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut conn = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        conn.read_to_end(&mut answer),
    )
    .await
    .expect("the hub answers an oversized body without waiting for it")
    .unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text}"));
    let split = text.find("\r\n\r\n").expect("headers end") + 4;
    (status, answer[split..].to_vec())
}

fn error_code(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("error body is not JSON: {}", String::from_utf8_lossy(body)));
    assert!(
        v["message"].as_str().is_some_and(|m| !m.is_empty()),
        "no message: {v}"
    );
    v["error"].as_str().unwrap().to_owned()
}

/// Checks a receipt: signed by the hub, for this envelope, and its inclusion proof verifies.
fn check_receipt(body: &[u8], hub: &shopfloor_protocol::Card, envelope: &Envelope) -> Receipt {
    let env = Envelope::from_json(body).unwrap();
    let receipt: Receipt = env.open_document(&hub.signing_key).unwrap();
    assert_eq!(receipt.entry, envelope.digest());
    assert_eq!(receipt.log, hub.id);
    verify_inclusion(
        &receipt.entry,
        receipt.index,
        receipt.checkpoint.size,
        &receipt.inclusion,
        &receipt.checkpoint.root,
    )
    .unwrap();
    receipt
}

async fn admin_post(server: &Server, token: &str, path: &str, body: Value) -> (u16, Value) {
    let resp = client()
        .post(server.api(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn get_json(server: &Server, token: Option<&str>, path: &str) -> (u16, Value) {
    let mut req = client().get(server.api(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Enrolls a chapter at a hub through the API; approves through the CLI or the API.
async fn enroll_chapter(
    server: &Server,
    hub: &HubDir,
    token: &str,
    chapter: &Chapter,
    via_cli: bool,
) {
    let (status, invite) = admin_post(
        server,
        token,
        "/api/v1/invites",
        json!({"name": chapter.card.name, "kind": "chapter"}),
    )
    .await;
    assert_eq!(status, 201, "{invite}");
    let code = invite["code"].as_str().unwrap();
    let resp = client()
        .post(server.api("/api/v1/enroll"))
        .json(&json!({"card": chapter.card, "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let submitted: Value = resp.json().await.unwrap();
    assert_eq!(
        submitted["hub_fingerprint"],
        hub.card.fingerprint().to_string()
    );
    assert_eq!(
        submitted["your_fingerprint"],
        chapter.card.fingerprint().to_string()
    );
    let id = submitted["id"].as_str().unwrap().to_owned();

    // The same code twice: refused.
    let again = client()
        .post(server.api("/api/v1/enroll"))
        .json(&json!({"card": chapter.card, "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);

    let (_, status) = get_json(server, None, &format!("/api/v1/enroll/{id}")).await;
    assert_eq!(status["status"], "pending");
    let pending = hub_json(&hub.dir, &["pending", "--json"]);
    let entry = pending
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id.as_str())
        .expect("request listed as pending");
    assert_eq!(entry["fingerprint"], chapter.card.fingerprint().to_string());
    assert_eq!(entry["hub_fingerprint"], hub.card.fingerprint().to_string());
    if via_cli {
        hub_ok(&hub.dir, &["approve", &id]);
    } else {
        let (s, v) = admin_post(
            server,
            token,
            &format!("/api/v1/enroll-requests/{id}/approve"),
            json!({}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
    }
    let (_, status) = get_json(server, None, &format!("/api/v1/enroll/{id}")).await;
    assert_eq!(status["status"], "approved");
    let cert: Envelope = serde_json::from_value(status["certificate"].clone()).unwrap();
    let c = verify_certificate(
        &hub.card,
        &cert,
        jiff::Timestamp::now(),
        &RevocationSet::new(),
    )
    .unwrap();
    assert_eq!(c.subject, chapter.card);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federation_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let national = HubDir::init(tmp.path(), "National Labor Commission", "national");
    let south = HubDir::init(tmp.path(), "Southern Region", "regional");
    let period = last_month();

    // National serves; the South enrolls at national (CLI), approved through national's API.
    let nat = Server::start(&national, &logs.path().join("national.log"));
    let nat_admin = login(&nat, "admin", ADMIN_PASSWORD).await;
    let invite = hub_json(
        &national.dir,
        &["invite", "--name", "South", "--kind", "regional", "--json"],
    );
    let code = invite["code"].as_str().unwrap().to_owned();
    let enrolling = std::process::Command::new(bin())
        .arg("--data")
        .arg(&south.dir)
        .args([
            "enroll",
            "--parent",
            &nat.url,
            "--code",
            &code,
            "--poll-secs",
            "1",
            "--timeout-secs",
            "60",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let request = eventually(30, "the South's enrollment request", || async {
        let (s, v) = get_json(&nat, Some(&nat_admin), "/api/v1/enroll-requests").await;
        assert_eq!(s, 200);
        v.as_array().and_then(|a| a.first().cloned())
    })
    .await;
    assert_eq!(request["fingerprint"], south.card.fingerprint().to_string());
    assert_eq!(request["kind"], "regional");
    let id = request["id"].as_str().unwrap();
    let (s, v) = admin_post(
        &nat,
        &nat_admin,
        &format!("/api/v1/enroll-requests/{id}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let out = tokio::task::spawn_blocking(move || enrolling.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "enroll failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&national.card.fingerprint().to_string()),
        "{stdout}"
    );
    assert!(
        stdout.contains(&south.card.fingerprint().to_string()),
        "{stdout}"
    );

    // The South serves; two chapters enroll there.
    let reg = Server::start(&south, &logs.path().join("south.log"));
    let reg_admin = login(&reg, "admin", ADMIN_PASSWORD).await;
    let a = Chapter::new("triangle", "Triangle DSA", "NC", CANARY_A);
    let b = Chapter::new("new-orleans", "New Orleans DSA", "LA", CANARY_B);
    enroll_chapter(&reg, &south, &reg_admin, &a, true).await;
    enroll_chapter(&reg, &south, &reg_admin, &b, false).await;
    // The chapter's chain runs national -> south -> chapter.
    let (_, st) = get_json(&reg, None, "/api/v1/card").await;
    assert_eq!(st["fingerprint"], south.card.fingerprint().to_string());

    // Chapter A reports; the receipt's inclusion proof verifies.
    let a1 = a.report(&south.card.id, period, 1, None, 40);
    let (status, body) = post_sealed(&reg, a.seal_to(&a1, &south.card)).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let r1 = check_receipt(&body, &south.card, &a1);

    // The same envelope again (freshly sealed): idempotent, the very same receipt.
    let (status, again) = post_sealed(&reg, a.seal_to(&a1, &south.card)).await;
    assert_eq!(status, 200);
    assert_eq!(again, body, "a re-submission gets the same receipt");

    // Another envelope with the same revision: stale.
    let a1b = a.report(&south.card.id, period, 1, None, 41);
    let (status, body) = post_sealed(&reg, a.seal_to(&a1b, &south.card)).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (409, "stale-revision")
    );

    // Proofs from the log endpoints verify against a signed checkpoint.
    let cp_bytes = client()
        .get(reg.api("/api/v1/log/checkpoint"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let checkpoint: Checkpoint = Envelope::from_json(&cp_bytes)
        .unwrap()
        .open_document(&south.card.signing_key)
        .unwrap();
    let (s, proof) = get_json(
        &reg,
        None,
        &format!(
            "/api/v1/log/proof?index={}&size={}",
            r1.index, checkpoint.size
        ),
    )
    .await;
    assert_eq!(s, 200);
    let path: Vec<Digest> = serde_json::from_value(proof["proof"].clone()).unwrap();
    verify_inclusion(
        &a1.digest(),
        r1.index,
        checkpoint.size,
        &path,
        &checkpoint.root,
    )
    .unwrap();
    let (s, _) = get_json(&reg, None, "/api/v1/log/proof?index=99&size=100").await;
    assert_eq!(s, 404);
    let (s, _) = get_json(&reg, None, "/api/v1/log/proof?what=1").await;
    assert_eq!(s, 400);

    // Chapter B reports: every expected child has reported, so the South forwards by itself.
    let b1 = b.report(&south.card.id, period, 1, None, 25);
    let (status, body) = post_sealed(&reg, b.seal_to(&b1, &south.card)).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    check_receipt(&body, &south.card, &b1);
    let forwarded = eventually(30, "the automatic forward", || async {
        let (s, v) = get_json(&reg, Some(&reg_admin), &format!("/api/v1/rollups/{period}")).await;
        (s == 200 && !v["receipt"].is_null()).then_some(v)
    })
    .await;
    assert_eq!(forwarded["revision"], 1);
    let (s, c) = get_json(
        &nat,
        Some(&nat_admin),
        &format!("/api/v1/completeness?period={period}"),
    )
    .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["reported"], json!(["southern-region"]));
    assert_eq!(c["missing"], json!([]));
    let (s, c) = get_json(
        &reg,
        Some(&reg_admin),
        &format!("/api/v1/completeness?period={period}"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(c["expected"].as_array().unwrap().len(), 2);

    // Revision 2 of A chains to revision 1 and supersedes it; a lower revision is then refused.
    let a2 = a.report(&south.card.id, period, 2, Some(a1.digest()), 45);
    let (status, body) = post_sealed(&reg, a.seal_to(&a2, &south.card)).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let a_low = a.report(&south.card.id, period, 1, Some(a2.digest()), 45);
    let (status, body) = post_sealed(&reg, a.seal_to(&a_low, &south.card)).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (409, "stale-revision")
    );
    // A report that does not chain to the last accepted one.
    let b_broken = b.report(&south.card.id, period, 2, None, 25);
    let (status, body) = post_sealed(&reg, b.seal_to(&b_broken, &south.card)).await;
    assert_eq!((status, error_code(&body).as_str()), (409, "broken-chain"));

    // Forward on command: the new rollup (revision 2) goes up and comes back with a receipt.
    let fwd = hub_json(
        &south.dir,
        &["forward", "--period", &period.to_string(), "--json"],
    );
    assert_eq!(fwd["revision"], 2, "{fwd}");
    let receipt_env: Envelope = serde_json::from_value(fwd["receipt"].clone()).unwrap();
    let receipt: Receipt = receipt_env
        .open_document(&national.card.signing_key)
        .unwrap();
    receipt.verify().unwrap();

    // Bundles verify offline with the real binary, and fail on tampered bytes.
    let reg_bundle = tmp.path().join("south-bundle.json");
    let nat_bundle = tmp.path().join("national-bundle.json");
    let root = national.dir.join("card.json");
    let built = hub_json(
        &south.dir,
        &[
            "rollup",
            "--period",
            &period.to_string(),
            "--out",
            reg_bundle.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(built["new"], false, "the forwarded rollup is reused");
    hub_ok(
        &national.dir,
        &[
            "rollup",
            "--period",
            &period.to_string(),
            "--out",
            nat_bundle.to_str().unwrap(),
        ],
    );
    for bundle in [&reg_bundle, &nat_bundle] {
        let out = std::process::Command::new(bin())
            .args([
                "verify",
                bundle.to_str().unwrap(),
                "--root",
                root.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "verify {}: {text}", bundle.display());
        assert!(text.starts_with("OK: rollup"), "{text}");
        assert_eq!(text.trim().lines().count(), 1);
    }
    let out = std::process::Command::new(bin())
        .args([
            "verify",
            nat_bundle.to_str().unwrap(),
            "--root",
            root.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["details"]["chapters"], 2);
    let original = std::fs::read(&nat_bundle).unwrap();
    let text = String::from_utf8(original.clone()).unwrap();
    let payload_start = text.find("\"payload\":\"").unwrap() + "\"payload\":\"".len();
    let payload_len = text[payload_start..].find('"').unwrap();
    let tampered_path = tmp.path().join("tampered.json");
    for frac in [0.01, 0.2, 0.5, 0.77, 0.99] {
        let pos = payload_start + ((payload_len as f64 - 3.0) * frac) as usize;
        let mut bytes = original.clone();
        bytes[pos] = if bytes[pos] == b'A' { b'B' } else { b'A' };
        std::fs::write(&tampered_path, &bytes).unwrap();
        let out = std::process::Command::new(bin())
            .args([
                "verify",
                tampered_path.to_str().unwrap(),
                "--root",
                root.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "tampered byte at {pos} verified: {text}"
        );
        assert!(
            text.contains("FAILED") && text.lines().nth(1).is_some_and(|l| l.contains(": ")),
            "{text}"
        );
    }

    // Support requests: A asks for a Spanish-speaking organizer; B's reserve matches.
    let body = serde_json::to_vec(&json!({
        "skills": ["one-on-ones"], "language": "es", "sector": "62",
        "message": "Need help with one-on-ones at a call center", "reply_to": "signal:triangle-labor"
    }))
    .unwrap();
    let auth = sign_request(
        &a.keys,
        &a.card.id,
        &south.card.id,
        "POST",
        "/api/v1/support-requests",
        &body,
    );
    let resp = client()
        .post(reg.api("/api/v1/support-requests"))
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let posted: Value = resp.json().await.unwrap();
    assert_eq!(posted["relayed_to"], 1);
    let auth = sign_request(
        &b.keys,
        &b.card.id,
        &south.card.id,
        "GET",
        "/api/v1/support-requests",
        b"",
    );
    let inbox: Value = client()
        .get(reg.api("/api/v1/support-requests"))
        .header("authorization", auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["for_you"][0]["from"], "triangle");
    assert_eq!(inbox["for_you"][0]["reply_to"], "signal:triangle-labor");
    // A signature by the wrong key, or for another body, is refused.
    let forged = sign_request(
        &SecretKeys::generate().unwrap(),
        &b.card.id,
        &south.card.id,
        "GET",
        "/api/v1/support-requests",
        b"",
    );
    let resp = client()
        .get(reg.api("/api/v1/support-requests"))
        .header("authorization", forged)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let wrong_body = sign_request(
        &a.keys,
        &a.card.id,
        &south.card.id,
        "POST",
        "/api/v1/support-requests",
        b"{}",
    );
    let resp = client()
        .post(reg.api("/api/v1/support-requests"))
        .header("authorization", wrong_body)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // Guidance: national publishes; the South relays it inside its own.
    let draft = tmp.path().join("guidance.json");
    std::fs::write(
        &draft,
        serde_json::to_vec(&json!({
            "trainings": [{"code": "one-on-ones", "title_en": "One-on-ones", "title_es": "Conversaciones uno a uno",
                           "url_en": "https://example.org/en/1on1", "url_es": "https://example.org/es/1on1"}],
            "criteria": [{"code": "winnable", "title_en": "Winnable", "title_es": "Ganable",
                          "metrics": [{"name_en": "Majority support", "name_es": "Apoyo mayoritario", "target": 50}]}],
            "goals": [{"sector": "62", "metric": "members", "target": 500, "by": "2027-06-30"}],
            "links": [{"title_en": "Handbook", "title_es": "Manual", "url_en": "https://example.org/en"}]
        }))
        .unwrap(),
    )
    .unwrap();
    hub_ok(
        &national.dir,
        &["publish-guidance", draft.to_str().unwrap()],
    );
    hub_ok(&south.dir, &["publish-guidance", draft.to_str().unwrap()]);
    let g = client()
        .get(reg.api("/api/v1/guidance"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let g = guidance::verify(
        &Envelope::from_json(&g).unwrap(),
        &south.card,
        Some(&national.card),
    )
    .unwrap();
    assert!(g.inherited.is_some(), "the South relays national guidance");
    assert_eq!(g.trainings[0].code, "one-on-ones");

    // Refusals: every one a 4xx with a stable code, and the server keeps serving.
    let (s, body) = post_sealed(&reg, b"not a sealed file at all".to_vec()).await;
    assert_eq!((s, error_code(&body).as_str()), (400, "seal-broken"));
    let mut random = vec![0u8; 4096];
    getrandom::fill(&mut random).unwrap();
    let (s, body) = post_sealed(&reg, random).await;
    assert_eq!((s, error_code(&body).as_str()), (400, "seal-broken"));
    let sealed = b.seal_to(&b1, &south.card);
    let (s, body) = post_sealed(&reg, sealed[..sealed.len() / 2].to_vec()).await;
    assert_eq!((s, error_code(&body).as_str()), (400, "seal-broken"));
    let (s, body) = post_sealed(&reg, Vec::new()).await;
    assert_eq!((s, error_code(&body).as_str()), (400, "bad-request"));
    // A valid seal of garbage.
    let garbage = age_seal_raw(b"{\"payloadType\": 7}", &south.card);
    let (s, body) = post_sealed(&reg, garbage).await;
    assert_eq!((s, error_code(&body).as_str()), (400, "malformed"));
    // A report sealed for another hub.
    let (s, body) = post_sealed(&reg, a.seal_to(&a2, &national.card)).await;
    assert_eq!((s, error_code(&body).as_str()), (400, "seal-broken"));
    // A report for the South replayed to national (re-sealed): national does not know the signer.
    let (s, body) = post_sealed(&nat, a.seal_to(&a2, &national.card)).await;
    assert_eq!((s, error_code(&body).as_str()), (403, "unknown-signer"));
    // A report addressed to national, sent to the South.
    let misaddressed = a.report(&national.card.id, period, 3, Some(a2.digest()), 45);
    let (s, body) = post_sealed(&reg, a.seal_to(&misaddressed, &south.card)).await;
    assert_eq!((s, error_code(&body).as_str()), (409, "wrong-recipient"));
    // A chapter's report sent straight to national is not a rollup from a regional child.
    let stranger = Chapter::new("stranger", "Stranger DSA", "TX", "x");
    let sr = stranger.report(&south.card.id, period, 1, None, 20);
    let (s, body) = post_sealed(&reg, stranger.seal_to(&sr, &south.card)).await;
    assert_eq!((s, error_code(&body).as_str()), (403, "unknown-signer"));
    // Too large a body: refused from its declared length, before it is read.
    let (s, body) = post_declared_length(&reg, "/api/v1/reports", 9 * 1024 * 1024).await;
    assert_eq!((s, error_code(&body).as_str()), (413, "too-large"));

    // Revocation: B is revoked; its next report is refused.
    let (s, v) = admin_post(
        &reg,
        &reg_admin,
        "/api/v1/children/new-orleans/revoke",
        json!({"reason": "key lost"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let b2 = b.report(&south.card.id, period, 2, Some(b1.digest()), 25);
    let (s, body) = post_sealed(&reg, b.seal_to(&b2, &south.card)).await;
    assert_eq!((s, error_code(&body).as_str()), (403, "revoked"));
    let revs = client()
        .get(reg.api("/api/v1/revocations"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let list: shopfloor_protocol::cert::RevocationList = Envelope::from_json(&revs)
        .unwrap()
        .open_document(&south.card.signing_key)
        .unwrap();
    assert_eq!(list.entries.len(), 1);
    assert_eq!(list.entries[0].subject.as_str(), "new-orleans");

    // Consistency between two checkpoints.
    let cp2_bytes = client()
        .get(reg.api("/api/v1/log/checkpoint"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let cp2: Checkpoint = Envelope::from_json(&cp2_bytes)
        .unwrap()
        .open_document(&south.card.signing_key)
        .unwrap();
    let (s, proof) = get_json(
        &reg,
        None,
        &format!("/api/v1/log/proof?old={}&new={}", checkpoint.size, cp2.size),
    )
    .await;
    assert_eq!(s, 200);
    let path: Vec<Digest> = serde_json::from_value(proof["proof"].clone()).unwrap();
    verify_consistency(
        checkpoint.size,
        cp2.size,
        &checkpoint.root,
        &cp2.root,
        &path,
    )
    .unwrap();

    // Users: a viewer can read the status but not admin endpoints; no token, no entry.
    hub_ok(&south.dir, &["user", "add", "vera", "--role", "viewer"]);
    let viewer = login(&reg, "vera", "viewer password 123").await;
    let (s, _) = get_json(&reg, Some(&viewer), "/api/v1/status").await;
    assert_eq!(s, 200);
    for path in [
        "/api/v1/enroll-requests",
        &format!("/api/v1/completeness?period={period}"),
        &format!("/api/v1/rollups/{period}"),
    ] {
        let (s, _) = get_json(&reg, Some(&viewer), path).await;
        assert_eq!(s, 403, "viewer at {path}");
        let (s, _) = get_json(&reg, None, path).await;
        assert_eq!(s, 401, "anonymous at {path}");
    }
    let (s, _) = admin_post(
        &reg,
        &viewer,
        "/api/v1/invites",
        json!({"name": "X", "kind": "chapter"}),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = admin_post(
        &reg,
        &viewer,
        "/api/v1/children/triangle/revoke",
        json!({"reason": "x"}),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = get_json(&reg, Some("sfs_not-a-token"), "/api/v1/status").await;
    assert_eq!(s, 401);
    // Login is limited per name and address.
    for _ in 0..5 {
        let resp = client()
            .post(reg.api("/api/v1/login"))
            .json(&json!({"name": "vera", "password": "wrong password!!"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
    }
    let resp = client()
        .post(reg.api("/api/v1/login"))
        .json(&json!({"name": "vera", "password": "viewer password 123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);

    // Still serving after all of that.
    let (s, _) = get_json(&reg, None, "/api/v1/card").await;
    assert_eq!(s, 200);

    // The hubs hold only aggregates: no node-side detail anywhere in their data directories.
    drop(reg);
    drop(nat);
    let mut saw_chapter = false;
    for dir in [&national.dir, &south.dir] {
        for file in files_under(dir) {
            let bytes = std::fs::read(&file).unwrap();
            for canary in [CANARY_A, CANARY_B] {
                for form in canary_forms(canary) {
                    assert!(
                        !contains(&bytes, &form),
                        "{canary} found in {}",
                        file.display()
                    );
                }
            }
            saw_chapter |= contains(&bytes, b"Triangle DSA");
        }
    }
    assert!(
        saw_chapter,
        "the scan reads the databases (the chapter's card is there)"
    );
    assert!(a.node_note.contains(CANARY_A) && b.node_note.contains(CANARY_B));
}

/// A canary as raw bytes and in the three base64 alignments (envelopes carry base64 payloads).
fn canary_forms(canary: &str) -> Vec<Vec<u8>> {
    let mut forms = vec![canary.as_bytes().to_vec()];
    for shift in 0..3 {
        let mut padded = vec![b' '; shift];
        padded.extend_from_slice(canary.as_bytes());
        let enc = base64::engine::general_purpose::STANDARD.encode(&padded);
        // Drop the characters that depend on the padding and on what follows.
        let skip = (shift * 4).div_ceil(3);
        let inner = &enc.as_bytes()[skip..enc.len().saturating_sub(4)];
        forms.push(inner.to_vec());
    }
    forms
}

/// Seals arbitrary bytes with age to a hub (a valid seal of something that is not an envelope).
fn age_seal_raw(bytes: &[u8], card: &shopfloor_protocol::Card) -> Vec<u8> {
    use std::io::Write as _;
    use std::str::FromStr as _;
    let recipient = age::x25519::Recipient::from_str(card.age_recipient.as_str()).unwrap();
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut out = Vec::new();
    let mut w = encryptor.wrap_output(&mut out).unwrap();
    w.write_all(bytes).unwrap();
    w.finish().unwrap();
    out
}

#[test]
fn every_command_has_help_and_init_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    for cmd in [
        "init",
        "serve",
        "card",
        "invite",
        "pending",
        "approve",
        "reject",
        "revoke",
        "enroll",
        "ingest",
        "rollup",
        "forward",
        "verify",
        "completeness",
        "publish-guidance",
        "user",
    ] {
        let out = hub_cmd(tmp.path(), &[cmd, "--help"]);
        assert!(out.status.success(), "{cmd} --help");
        assert!(!out.stdout.is_empty());
    }
    let hub = HubDir::init(tmp.path(), "Test National", "national");
    let out = hub_cmd(
        &hub.dir,
        &["init", "--level", "national", "--name", "Test National"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to overwrite"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&hub.dir), 0o700);
        assert_eq!(mode(&hub.dir.join("keys.txt")), 0o600);
    }
    let card = hub_json(&hub.dir, &["card", "--json"]);
    assert_eq!(card["kind"], "national");
    let invite = hub_json(
        &hub.dir,
        &[
            "invite",
            "--name",
            "Somewhere DSA",
            "--kind",
            "chapter",
            "--json",
        ],
    );
    assert!(invite["code"].as_str().is_some_and(|c| c.len() >= 16));
    assert_eq!(hub_json(&hub.dir, &["pending", "--json"]), json!([]));
    let users = hub_json(&hub.dir, &["user", "list", "--json"]);
    assert_eq!(users[0]["role"], "admin");
    // Bad input gives exit 1 and a sentence, not a panic.
    let out = hub_cmd(&hub.dir, &["approve", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let out = hub_cmd(&hub.dir, &["rollup", "--period", "2026-13"]);
    assert_eq!(out.status.code(), Some(2), "clap refuses a bad period");
}

#[test]
fn ingest_by_hand_matches_http_and_chapters_chain() {
    // A national hub can enroll chapters directly; a sealed file carried by hand is ingested.
    let tmp = tempfile::tempdir().unwrap();
    let national = HubDir::init(tmp.path(), "Hand National", "national");
    let hub = shopfloor_hub::Hub::open(&national.dir).unwrap();
    let ch = Chapter::new("rural", "Rural DSA", "MS", "CANARY-HAND");
    let sub_id = ch.enroll_directly(&hub);
    let root = national.card.clone();
    let cert = shopfloor_hub::enroll::status(&hub, &sub_id)
        .unwrap()
        .certificate
        .unwrap();
    verify_chain(
        &root,
        &[cert],
        jiff::Timestamp::now(),
        &RevocationSet::new(),
    )
    .unwrap();
    drop(hub);
    let period = last_month();
    let r1 = ch.report(&national.card.id, period, 1, None, 30);
    let file = tmp.path().join("report.age");
    std::fs::write(
        &file,
        seal(
            &r1,
            std::slice::from_ref(&national.card.age_recipient),
            SealFormat::Armored,
        )
        .unwrap(),
    )
    .unwrap();
    let first = hub_ok(&national.dir, &["ingest", file.to_str().unwrap(), "--json"]);
    let again = hub_ok(&national.dir, &["ingest", file.to_str().unwrap(), "--json"]);
    assert_eq!(first, again, "same receipt by hand too");
    check_receipt(first.trim().as_bytes(), &national.card, &r1);
    // Rollup at national with one chapter verifies.
    let out = tmp.path().join("bundle.json");
    let built = hub_json(
        &national.dir,
        &[
            "rollup",
            "--period",
            &period.to_string(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(built["completeness"]["reported"], json!(["rural"]));
    let v = std::process::Command::new(bin())
        .args([
            "verify",
            out.to_str().unwrap(),
            "--root",
            national.dir.join("card.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    // A sealed file that is garbage gives exit 1 with the reason code.
    std::fs::write(&file, b"garbage").unwrap();
    let out = hub_cmd(&national.dir, &["ingest", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("seal-broken"));
}

/// The signed checkpoint is reused while the log does not grow (page views cost no signature)
/// and signed again, at the new size and root, once a report is accepted.
#[test]
fn checkpoint_is_signed_again_only_when_the_log_grows() {
    let tmp = tempfile::tempdir().unwrap();
    let national = HubDir::init(tmp.path(), "Checkpoint National", "national");
    let hub = shopfloor_hub::Hub::open(&national.dir).unwrap();
    let ch = Chapter::new("levee", "Levee DSA", "LA", "CANARY-CP");
    ch.enroll_directly(&hub);
    let first = shopfloor_hub::translog::checkpoint(&hub).unwrap();
    let again = shopfloor_hub::translog::checkpoint(&hub).unwrap();
    assert_eq!(first.digest(), again.digest(), "the same signed checkpoint");
    let opened: Checkpoint = first.open_document(&national.card.signing_key).unwrap();
    assert_eq!(opened.size, 0);
    let report = ch.report(&national.card.id, last_month(), 1, None, 30);
    shopfloor_hub::ingest::ingest(&hub, &ch.seal_to(&report, &national.card)).unwrap();
    let grown = shopfloor_hub::translog::checkpoint(&hub).unwrap();
    assert_ne!(
        grown.digest(),
        first.digest(),
        "signed again after the log grew"
    );
    let opened: Checkpoint = grown.open_document(&national.card.signing_key).unwrap();
    assert_eq!(opened.size, 1);
    assert_eq!(
        shopfloor_hub::translog::current(&hub).unwrap().1,
        opened,
        "what pages show is what was signed"
    );
}

/// Completeness of several periods at once (the completeness page) is each period's
/// completeness: who reported, who is missing, and a revoked child expected only where it
/// reported.
#[test]
fn completeness_of_many_periods_matches_each_period() {
    use shopfloor_hub::rollups;
    let tmp = tempfile::tempdir().unwrap();
    let national = HubDir::init(tmp.path(), "Completeness National", "national");
    let hub = shopfloor_hub::Hub::open(&national.dir).unwrap();
    let older = last_month().previous().unwrap();
    let newer = last_month();
    let chapters = ["alpha", "bravo", "delta"].map(|id| {
        let ch = Chapter::new(id, &format!("{id} DSA"), "GA", "CANARY-COMP");
        ch.enroll_directly(&hub);
        ch
    });
    // All three report the older period; only alpha the newer one; delta is then revoked.
    let mut first = Vec::new();
    for ch in &chapters {
        let r = ch.report(&national.card.id, older, 1, None, 20);
        shopfloor_hub::ingest::ingest(&hub, &ch.seal_to(&r, &national.card)).unwrap();
        first.push(r.digest());
    }
    let r = chapters[0].report(&national.card.id, newer, 1, Some(first[0]), 20);
    shopfloor_hub::ingest::ingest(&hub, &chapters[0].seal_to(&r, &national.card)).unwrap();
    shopfloor_hub::enroll::revoke(&hub, "delta", "left the union", "test").unwrap();
    let both = rollups::completeness_of(&hub, &[older, newer]).unwrap();
    assert_eq!(
        both,
        [
            rollups::completeness(&hub, older).unwrap(),
            rollups::completeness(&hub, newer).unwrap()
        ]
    );
    let ids = |v: &[shopfloor_protocol::PartyId]| -> Vec<String> {
        v.iter().map(|p| p.as_str().to_owned()).collect()
    };
    assert_eq!(ids(&both[0].reported), ["alpha", "bravo", "delta"]);
    assert!(both[0].missing.is_empty());
    assert_eq!(
        ids(&both[1].expected),
        ["alpha", "bravo"],
        "revoked, not reported: not expected"
    );
    assert_eq!(ids(&both[1].reported), ["alpha"]);
    assert_eq!(ids(&both[1].missing), ["bravo"]);
}

/// Random bytes for hostile inputs.
fn random_bytes(len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    getrandom::fill(&mut v).unwrap();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_never_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let national = HubDir::init(tmp.path(), "Fuzz National", "national");
    let log = tmp.path().join("serve.log");
    let server = Server::start(&national, &log);
    // Enroll one chapter directly through the library, beside the running server.
    let ch = Chapter::new("fuzz", "Fuzz DSA", "OR", "CANARY-FUZZ");
    {
        let hub = shopfloor_hub::Hub::open(&national.dir).unwrap();
        ch.enroll_directly(&hub);
    }
    // A known path with the wrong method gets a JSON refusal with a code, like everything else.
    let resp = client()
        .delete(server.api("/api/v1/reports"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(
        error_code(&resp.bytes().await.unwrap()),
        "method-not-allowed"
    );
    // So does the trustees' route, which has its own limits.
    let resp = client()
        .get(server.api("/api/v1/trustee/shares"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(
        error_code(&resp.bytes().await.unwrap()),
        "method-not-allowed"
    );
    let expect_refusal = |status: u16, body: &[u8], what: &str| {
        assert!((400..500).contains(&status), "{what}: status {status}");
        let v: Value = serde_json::from_slice(body)
            .unwrap_or_else(|_| panic!("{what}: not JSON: {}", String::from_utf8_lossy(body)));
        assert!(
            v["error"]
                .as_str()
                .is_some_and(|c| c.chars().all(|c| c.is_ascii_lowercase() || c == '-')),
            "{what}: {v}"
        );
    };

    // Random bytes, with and without age headers.
    for i in 0..60 {
        let mut bytes = match i % 3 {
            0 => Vec::new(),
            1 => b"age-encryption.org/v1\n".to_vec(),
            _ => b"-----BEGIN AGE ENCRYPTED FILE-----\n".to_vec(),
        };
        bytes.extend(random_bytes(1 + (i * 37) % 3000));
        let (s, body) = post_sealed(&server, bytes).await;
        expect_refusal(s, &body, "random seal");
    }
    // Every single-byte corruption of a valid seal (sampled) is refused, never accepted.
    let good = ch.report(&national.card.id, last_month(), 1, None, 30);
    let sealed = ch.seal_to(&good, &national.card);
    for pos in (0..sealed.len()).step_by(sealed.len() / 40 + 1) {
        let mut bytes = sealed.clone();
        bytes[pos] ^= 0x20;
        let (s, body) = post_sealed(&server, bytes).await;
        expect_refusal(s, &body, &format!("flipped byte {pos}"));
    }
    // Truncations.
    for cut in [1, 10, 50, sealed.len() / 2, sealed.len() - 1] {
        let (s, body) = post_sealed(&server, sealed[..cut].to_vec()).await;
        expect_refusal(s, &body, &format!("cut at {cut}"));
    }
    // Envelopes that open but are not acceptable: unknown types, wrong keys, bad payloads.
    let keys = SecretKeys::generate().unwrap();
    for (ptype, payload) in [
        ("application/vnd.shopfloor.report.v1+json", b"{}".to_vec()),
        (
            "application/vnd.shopfloor.report.v1+json",
            b"{\"schema\":\"shopfloor.report.v9\"}".to_vec(),
        ),
        ("application/vnd.shopfloor.rollup.v1+json", b"[]".to_vec()),
        ("text/plain", random_bytes(100)),
    ] {
        for signer in [&keys, &ch.keys] {
            let env = Envelope::sign_bytes(ptype, payload.clone(), signer);
            let (s, body) = post_sealed(&server, ch.seal_to(&env, &national.card)).await;
            expect_refusal(s, &body, ptype);
        }
    }
    // Valid seals of non-envelopes.
    for raw in [
        b"null".to_vec(),
        b"{\"payloadType\":\"x\",\"payload\":\"!!\",\"signatures\":[]}".to_vec(),
        random_bytes(500),
    ] {
        let (s, body) = post_sealed(&server, age_seal_raw(&raw, &national.card)).await;
        expect_refusal(s, &body, "sealed garbage");
    }
    // The good one is still accepted after all that.
    let (s, body) = post_sealed(&server, sealed.clone()).await;
    assert_eq!(s, 201, "{}", String::from_utf8_lossy(&body));

    // JSON endpoints with garbage bodies and headers.
    for path in [
        "/api/v1/enroll",
        "/api/v1/login",
        "/api/v1/invites",
        "/api/v1/support-requests",
    ] {
        for body in [
            random_bytes(64),
            b"{}".to_vec(),
            b"{\"card\": 1, \"code\": []}".to_vec(),
            b"[".to_vec(),
        ] {
            let resp = client()
                .post(server.api(path))
                .header(
                    "authorization",
                    format!(
                        "Shopfloor {}",
                        String::from_utf8_lossy(&random_bytes(8)).replace(['\n', '\r', '\0'], "")
                    ),
                )
                .body(body)
                .send()
                .await;
            if let Ok(resp) = resp {
                let s = resp.status().as_u16();
                let b = resp.bytes().await.unwrap();
                expect_refusal(s, &b, path);
            }
        }
    }
    for path in [
        "/api/v1/log/proof?index=18446744073709551615&size=18446744073709551615",
        "/api/v1/log/proof?old=5&new=1",
        "/api/v1/log/proof?index=-1&size=2",
        "/api/v1/enroll/0123456789abcdef0123456789abcdef",
        "/api/v1/enroll/..%2F..%2Fetc",
        "/api/v1/nothing-here",
    ] {
        let resp = client().get(server.api(path)).send().await.unwrap();
        let s = resp.status().as_u16();
        assert!((400..500).contains(&s), "{path}: {s}");
    }
    let (s, _) = get_json(&server, None, "/api/v1/card").await;
    assert_eq!(s, 200);
    drop(server);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");
}

#[test]
fn revoked_chapter_enrolls_again_with_new_keys() {
    // A chapter whose server was compromised: the hub revokes it, the chapter rebuilds with new
    // keys (same id, its report chain restored from backup) and enrolls again. Old reports keep
    // verifying under the certificate they were accepted with; the old key stays refused.
    let tmp = tempfile::tempdir().unwrap();
    let national = HubDir::init(tmp.path(), "Rekey National", "national");
    let hub = shopfloor_hub::Hub::open(&national.dir).unwrap();
    let ingest = |bytes: Vec<u8>| {
        let file = tmp.path().join("report.age");
        std::fs::write(&file, bytes).unwrap();
        hub_cmd(&national.dir, &["ingest", file.to_str().unwrap(), "--json"])
    };
    let old = Chapter::new("delta", "Delta DSA", "MS", "CANARY-OLD");
    old.enroll_directly(&hub);
    let earlier = last_month().previous().unwrap();
    let r1 = old.report(&national.card.id, earlier, 1, None, 30);
    assert!(ingest(old.seal_to(&r1, &national.card)).status.success());

    shopfloor_hub::enroll::revoke(&hub, "delta", "key compromised", "test").unwrap();
    let new = Chapter::new("delta", "Delta DSA", "MS", "CANARY-NEW");
    new.enroll_directly(&hub);

    // The old key is refused; the new key continues the chain.
    let stolen = old.report(&national.card.id, last_month(), 1, Some(r1.digest()), 30);
    let out = ingest(old.seal_to(&stolen, &national.card));
    assert_eq!(out.status.code(), Some(1));
    let r2 = new.report(&national.card.id, last_month(), 1, Some(r1.digest()), 31);
    let out = ingest(new.seal_to(&r2, &national.card));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(hub);

    // Rollups of both periods verify offline against the root card.
    for period in [earlier, last_month()] {
        let bundle = tmp.path().join(format!("rollup-{period}.json"));
        hub_ok(
            &national.dir,
            &[
                "rollup",
                "--period",
                &period.to_string(),
                "--out",
                bundle.to_str().unwrap(),
            ],
        );
        let v = std::process::Command::new(bin())
            .args([
                "verify",
                bundle.to_str().unwrap(),
                "--root",
                national.dir.join("card.json").to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            v.status.success(),
            "{period}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
    }
}

#[test]
fn reports_below_the_hubs_disclosure_policy_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let national = HubDir::init(tmp.path(), "Policy National", "national");
    let hub = shopfloor_hub::Hub::open(&national.dir).unwrap();
    let ch = Chapter::new("lax", "Lax DSA", "AL", "CANARY-LAX");
    ch.enroll_directly(&hub);
    drop(hub);
    let ingest = |env: &Envelope| {
        let file = tmp.path().join("report.age");
        std::fs::write(&file, ch.seal_to(env, &national.card)).unwrap();
        hub_cmd(&national.dir, &["ingest", file.to_str().unwrap()])
    };
    // A report that applied k = 3 where the hub asks for 5: refused, even though every cell
    // it publishes happens to be at least 5.
    let honest = ch.report(&national.card.id, last_month(), 1, None, 30);
    let mut report: shopfloor_protocol::Report = honest
        .verify(&ch.card.signing_key)
        .unwrap()
        .document()
        .unwrap();
    report.policy.k = 3;
    report.validate().unwrap();
    let out = ingest(&Envelope::sign(&report, &ch.keys));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("disclosure-violation"));
    // A lone withheld cell in a table (derivable from the total): refused by the audit.
    report.policy.k = 5;
    report.cells = vec![
        shopfloor_protocol::Cell::count(shopfloor_protocol::CellKey::total("members"), 30),
        shopfloor_protocol::Cell::count(
            shopfloor_protocol::CellKey::new(
                "members",
                &[(shopfloor_protocol::registry::Dim::Sector, "62")],
            ),
            27,
        ),
        shopfloor_protocol::Cell {
            key: shopfloor_protocol::CellKey::new(
                "members",
                &[(shopfloor_protocol::registry::Dim::Sector, "unknown")],
            ),
            value: shopfloor_protocol::CellValue::Suppressed,
        },
    ];
    report.validate().unwrap();
    let out = ingest(&Envelope::sign(&report, &ch.keys));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("disclosure-violation"));
    // The honest report goes through.
    assert!(ingest(&honest).status.success());
}

/// A national hub served by the real binary behind a stand-in proxy on 127.0.0.1: `[web]
/// trusted_proxies` names it, so the test client picks its address with `X-Forwarded-For`.
fn hub_behind_proxy(root: &std::path::Path) -> (HubDir, Server) {
    let hub = HubDir::init(root, "national", "national");
    let toml_path = hub.dir.join("hub.toml");
    let text = std::fs::read_to_string(&toml_path).unwrap();
    let text = text.replace(
        "behind_tls = false",
        "behind_tls = false\ntrusted_proxies = [\"127.0.0.1\", \"::1\"]",
    );
    assert!(text.contains("trusted_proxies"));
    std::fs::write(&toml_path, text).unwrap();
    let server = Server::start(&hub, &root.join("hub.log"));
    (hub, server)
}

async fn login_from(server: &Server, c: &reqwest::Client, from: &str, name: &str, pw: &str) -> u16 {
    c.post(server.api("/api/v1/login"))
        .header("x-forwarded-for", from)
        .json(&json!({"name": name, "password": pw}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn made_up_names_never_block_a_valid_hub_login() {
    let tmp = tempfile::tempdir().unwrap();
    let (_hub, server) = hub_behind_proxy(tmp.path());
    let c = client();
    // The attacker's recipe: 105 wrong logins under random names, from one address and from
    // many. Whatever they are refused with, the admin's right password still logs in.
    for i in 0..105 {
        let from = if i % 2 == 0 {
            "198.51.100.66".to_owned()
        } else {
            format!("203.0.113.{}", i % 250)
        };
        let s = login_from(
            &server,
            &c,
            &from,
            &format!("x{i}-{}", i * 7919),
            "wrong password!!",
        )
        .await;
        assert!(s == 401 || s == 429, "{s}");
    }
    assert_eq!(
        login_from(&server, &c, "192.0.2.10", "admin", ADMIN_PASSWORD).await,
        200
    );
    // Through the dashboards' login form too (it shares the limits).
    let ui = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = ui.get(server.api("/ui/login")).send().await.unwrap();
    let pre = set_cookie(&page, "sf_pre").unwrap();
    let page = page.text().await.unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let r = ui
        .post(server.api("/ui/login"))
        .header("x-forwarded-for", "192.0.2.11")
        .header("cookie", format!("sf_pre={pre}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "name=admin&password={}&csrf={csrf}&next=%2Fui",
            ADMIN_PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(set_cookie(&r, "sf_session").is_some());
}

/// The value a response sets for cookie `name`.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_cannot_lock_the_hub_admin_out() {
    let tmp = tempfile::tempdir().unwrap();
    let (hub, server) = hub_behind_proxy(tmp.path());
    // The admin's own browser, which logged in before: it holds a device cookie.
    let c = client();
    let r = c
        .post(server.api("/api/v1/login"))
        .header("x-forwarded-for", "192.0.2.10")
        .json(&json!({"name": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let device = set_cookie(&r, "sf_device").unwrap();
    let from_browser = || {
        c.post(server.api("/api/v1/login"))
            .header("x-forwarded-for", "192.0.2.10")
            .header("cookie", format!("sf_device={device}"))
            .json(&json!({"name": "admin", "password": ADMIN_PASSWORD}))
            .send()
    };
    // Five wrong passwords from one address: that address is held, the admin elsewhere is not.
    for _ in 0..5 {
        assert_eq!(
            login_from(&server, &c, "198.51.100.66", "admin", "wrong password!!").await,
            401
        );
    }
    assert_eq!(
        login_from(&server, &c, "198.51.100.66", "admin", ADMIN_PASSWORD).await,
        429
    );
    assert_eq!(
        login_from(&server, &c, "192.0.2.20", "admin", ADMIN_PASSWORD).await,
        200
    );
    // Five more guesses from other addresses (ten in all) lock the account against unknown
    // clients...
    for i in 0..5 {
        let s = login_from(
            &server,
            &c,
            &format!("203.0.113.{i}"),
            "admin",
            "wrong password!!",
        )
        .await;
        assert_eq!(s, 401);
    }
    assert_eq!(
        login_from(&server, &c, "192.0.2.30", "admin", ADMIN_PASSWORD).await,
        429
    );
    // ...but not the admin's own browser, and `user unlock` opens it for everyone.
    assert_eq!(from_browser().await.unwrap().status(), 200);
    let out = hub_ok(&hub.dir, &["user", "unlock", "admin"]);
    assert!(out.contains("Unlocked admin"), "{out}");
    assert_eq!(
        login_from(&server, &c, "192.0.2.30", "admin", ADMIN_PASSWORD).await,
        200
    );
    let audit = shopfloor_hub::Hub::open(&hub.dir)
        .unwrap()
        .store()
        .read(|db| {
            let mut stmt = db.prepare("SELECT action FROM audit WHERE subject = 'admin'")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap();
    assert!(audit.iter().any(|a| a == "login-lock"), "{audit:?}");
    assert!(audit.iter().any(|a| a == "user-unlock"), "{audit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_invite_codes_from_one_client_never_block_other_enrollments() {
    let tmp = tempfile::tempdir().unwrap();
    let (hub, server) = hub_behind_proxy(tmp.path());
    let token = login(&server, "admin", ADMIN_PASSWORD).await;
    let chapter = Chapter::new("triangle", "Triangle", "NC", CANARY_A);
    let c = client();
    let enroll = |from: &'static str, code: String| {
        c.post(server.api("/api/v1/enroll"))
            .header("x-forwarded-for", from)
            .json(&json!({"card": chapter.card, "code": code}))
            .send()
    };
    // One anonymous client, thirty wrong codes: it is the one held up.
    let mut held = 0;
    for i in 0..30 {
        let s = enroll("198.51.100.66", format!("wrongcode{i:02}"))
            .await
            .unwrap()
            .status();
        if s == 429 {
            held += 1;
        } else {
            assert_eq!(s, 403);
        }
    }
    assert_eq!(held, 20);
    // A real chapter, elsewhere, with its real code, enrolls.
    let (s, invite) = admin_post(
        &server,
        &token,
        "/api/v1/invites",
        json!({"name": "Triangle", "kind": "chapter"}),
    )
    .await;
    assert_eq!(s, 201, "{invite}");
    let code = invite["code"].as_str().unwrap().to_owned();
    let r = enroll("192.0.2.40", code.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    // The spent code tried again and again, from anywhere, is held after five.
    let mut statuses = Vec::new();
    for i in 0..6 {
        let from: &'static str = ["192.0.2.41", "192.0.2.42", "192.0.2.43"][i % 3];
        statuses.push(enroll(from, code.clone()).await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [409, 409, 409, 409, 409, 429]);
    assert!(hub.dir.join("hub.db").exists());
}

#[test]
fn hub_passwords_need_strength_and_at_most_1024_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = HubDir::init(tmp.path(), "national", "national");
    let add = |pw: &str, lang: &str| {
        std::process::Command::new(bin())
            .arg("--data")
            .arg(&hub.dir)
            .args(["user", "add", "vera"])
            .env("SHOPFLOOR_USER_PASSWORD", pw)
            .env("LC_ALL", lang)
            .output()
            .unwrap()
    };
    let weak = add("aaaaaaaaaaaa", "en_US.UTF-8");
    assert!(!weak.status.success());
    let err = String::from_utf8_lossy(&weak.stderr);
    assert!(err.contains("too easy to guess"), "{err}");
    let weak = add("password1234", "es_US.UTF-8");
    assert!(!weak.status.success());
    let err = String::from_utf8_lossy(&weak.stderr);
    assert!(err.contains("demasiado fácil de adivinar"), "{err}");
    // Longer than a login accepts: refused when set, so no account is made unusable.
    let long = "correct horse battery staple ".repeat(70);
    let out = add(&long, "C");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("1,024 bytes"));
    assert!(add("correct horse battery staple", "C").status.success());
}
