//! Support requests as work, end to end on loopback: real `shopfloor-hub` processes (national and
//! two regions), stand-in chapters signing their calls, and admins in the browser. Sector
//! matching, urgency, relay up region -> national and down national -> region -> chapter, the
//! asking chapter's status reaching every copy, viewers and forms without a CSRF token refused.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use util::browser::Browser;

use serde_json::{Value, json};
use shopfloor_hub::support::sign_request;
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::{Cell, CellKey};
use util::*;

// ------------------------------------------------------------------------------------------------
// A small browser: cookies by hand, no redirects followed.

// ------------------------------------------------------------------------------------------------
// Hubs and chapters.

async fn get_json(server: &Server, token: &str, path: &str) -> (u16, Value) {
    let resp = client()
        .get(server.api(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Enrolls a regional hub at national (its command line, approved through national's API).
async fn enroll_region(nat: &Server, nat_admin: &str, national: &HubDir, region: &HubDir) {
    let invite = hub_json(
        &national.dir,
        &["invite", "--name", "Region", "--kind", "regional", "--json"],
    );
    let code = invite["code"].as_str().unwrap().to_owned();
    let enrolling = std::process::Command::new(bin())
        .arg("--data")
        .arg(&region.dir)
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
    let fp = region.card.fingerprint().to_string();
    let id = eventually(30, "the region's enrollment request", || async {
        let (_, v) = get_json(nat, nat_admin, "/api/v1/enroll-requests").await;
        v.as_array()?
            .iter()
            .find(|r| r["fingerprint"] == fp.as_str())
            .and_then(|r| r["id"].as_str().map(str::to_owned))
    })
    .await;
    let resp = client()
        .post(nat.api(&format!("/api/v1/enroll-requests/{id}/approve")))
        .bearer_auth(nat_admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let out = tokio::task::spawn_blocking(move || enrolling.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn report(server: &Server, hub: &HubDir, chapter: &Chapter, cells: Vec<Cell>) {
    let env = chapter.report_with(&hub.card.id, last_month(), 1, None, cells);
    let resp = client()
        .post(server.api("/api/v1/reports"))
        .header("content-type", "application/octet-stream")
        .body(chapter.seal_to(&env, &hub.card))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
}

/// A chapter's signed call to its hub; answers (status, JSON).
async fn signed(
    server: &Server,
    hub: &HubDir,
    chapter: &Chapter,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, Value) {
    let auth = sign_request(
        &chapter.keys,
        &chapter.card.id,
        &hub.card.id,
        method,
        path,
        body,
    );
    let req = if method == "GET" {
        client().get(server.api(path))
    } else {
        client()
            .post(server.api(path))
            .header("content-type", "application/json")
            .body(body.to_vec())
    };
    let resp = req.header("authorization", auth).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Reserve like [`standard_cells`], but members only in construction (sector 23).
fn manufacturing_cells() -> Vec<Cell> {
    let mut cells = standard_cells(20);
    for c in &mut cells {
        if c.key == CellKey::new("members", &[(Dim::Sector, "62")]) {
            c.key = CellKey::new("members", &[(Dim::Sector, "23")]);
        }
    }
    cells
}

fn audit(hub: &HubDir) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(hub.dir.join("hub.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT actor, action FROM audit WHERE action LIKE 'support-%' ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_travel_up_and_down_and_close_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let national = HubDir::init(tmp.path(), "national", "national");
    let south = HubDir::init(tmp.path(), "south", "regional");
    let west = HubDir::init(tmp.path(), "west", "regional");
    let nat = Server::start(&national, &logs.path().join("national.log"));
    let nat_admin = login(&nat, "admin", ADMIN_PASSWORD).await;
    enroll_region(&nat, &nat_admin, &national, &south).await;
    enroll_region(&nat, &nat_admin, &national, &west).await;

    // South: A asks; B has Spanish-speaking one-on-one organizers and members in health care
    // (62); C has the same reserve but members only in construction. West: D matches.
    let a = Chapter::new("triangle", "Triangle", "NC", "CANARY-SUP-A");
    let b = Chapter::new("durham", "Durham", "NC", "CANARY-SUP-B");
    let c = Chapter::new("greenville", "Greenville", "SC", "CANARY-SUP-C");
    let d = Chapter::new("tucson", "Tucson", "AZ", "CANARY-SUP-D");
    {
        let s = shopfloor_hub::Hub::open(&south.dir).unwrap();
        for ch in [&a, &b, &c] {
            ch.enroll_directly(&s);
        }
        let w = shopfloor_hub::Hub::open(&west.dir).unwrap();
        d.enroll_directly(&w);
    }
    let reg_s = Server::start(&south, &logs.path().join("south.log"));
    let reg_w = Server::start(&west, &logs.path().join("west.log"));
    report(&reg_s, &south, &a, standard_cells(40)).await;
    report(&reg_s, &south, &b, standard_cells(25)).await;
    report(&reg_s, &south, &c, manufacturing_cells()).await;
    report(&reg_w, &west, &d, standard_cells(30)).await;
    // Both regions forward their rollups by themselves (every chapter reported).
    let period = last_month();
    eventually(60, "both rollups at national", || async {
        let (_, v) = get_json(
            &nat,
            &nat_admin,
            &format!("/api/v1/completeness?period={period}"),
        )
        .await;
        (v["reported"].as_array()?.len() == 2).then_some(())
    })
    .await;

    // A asks, urgently; the South relays at once to B only: C has no members in sector 62.
    let ask = serde_json::to_vec(&json!({
        "skills": ["one-on-ones"], "language": "es", "sector": "62", "urgency": "urgent",
        "message": "A hospital committee needs Spanish-speaking organizers", "reply_to": "signal:triangle-labor"
    }))
    .unwrap();
    let (s, posted) = signed(&reg_s, &south, &a, "POST", "/api/v1/support-requests", &ask).await;
    assert_eq!(s, 201, "{posted}");
    assert_eq!(posted["relayed_to"], 1);
    assert_eq!(posted["status"], "open");
    let id = posted["id"].as_str().unwrap().to_owned();
    let (_, inbox_b) = signed(&reg_s, &south, &b, "GET", "/api/v1/support-requests", b"").await;
    assert_eq!(inbox_b["for_you"][0]["id"], id.as_str());
    assert_eq!(inbox_b["for_you"][0]["urgency"], "urgent");
    assert_eq!(inbox_b["for_you"][0]["status"], "open");
    let (_, inbox_c) = signed(&reg_s, &south, &c, "GET", "/api/v1/support-requests", b"").await;
    assert_eq!(inbox_c["for_you"], json!([]), "sector 62 was asked");
    // An unknown urgency is refused.
    let bad = serde_json::to_vec(&json!({
        "language": "es", "urgency": "yesterday", "message": "x", "reply_to": "y"
    }))
    .unwrap();
    let (s, _) = signed(&reg_s, &south, &a, "POST", "/api/v1/support-requests", &bad).await;
    assert_eq!(s, 400);

    // A viewer gets no page and no action, even with a valid token.
    hub_ok(&south.dir, &["user", "add", "vera", "--role", "viewer"]);
    let mut viewer = Browser::new(&reg_s.url)
        .lang("en")
        .logged_in("vera", "viewer password 123")
        .await;
    assert_eq!(viewer.get("/ui/support").await.status, 403);
    let vcsrf = viewer.csrf().await;
    for action in ["relay-up", "relay-down"] {
        let p = viewer
            .post(&format!("/ui/support/{id}/{action}"), &[("csrf", &vcsrf)])
            .await;
        assert_eq!(p.status, 403, "viewer {action}");
    }
    assert!(!viewer.get("/ui").await.body.contains("/ui/support"));

    // The South's coordinator, in Spanish, sees the request and relays it up to national.
    let mut south_admin = Browser::new(&reg_s.url)
        .lang("es-MX,es;q=0.9")
        .logged_in("admin", ADMIN_PASSWORD)
        .await;
    let p = south_admin.get("/ui/support").await;
    assert_eq!(p.status, 200);
    for text in [
        "Solicitudes de apoyo",
        "<h2>Triangle <span",
        "Urgente",
        "Un capítulo de este hub",
        "Automáticamente a Durham,",
        "Reenviar al hub nacional",
    ] {
        assert!(p.body.contains(text), "{text} missing: {}", p.body);
    }
    let p = south_admin
        .post(&format!("/ui/support/{id}/relay-up"), &[("csrf", "wrong")])
        .await;
    assert_eq!(p.status, 403, "a form without its token is refused");
    let csrf = csrf_of(&south_admin.get("/ui/support").await.body);
    let p = south_admin
        .post(&format!("/ui/support/{id}/relay-up"), &[("csrf", &csrf)])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/ui/support?done=up"));
    let p = south_admin.get("/ui/support?done=up").await;
    assert!(p.body.contains("Reenviada al hub nacional."), "{}", p.body);
    assert!(!p.body.contains(&format!("/ui/support/{id}/relay-up")));

    // National sees it from the South and relays it down: West matches (the South sent it).
    let mut nat_ui = Browser::new(&nat.url)
        .lang("en")
        .logged_in("admin", ADMIN_PASSWORD)
        .await;
    let p = nat_ui.get("/ui/support").await;
    assert!(p.body.contains("Relayed up by south"), "{}", p.body);
    let csrf = csrf_of(&p.body);
    let p = nat_ui
        .post(&format!("/ui/support/{id}/relay-down"), &[("csrf", &csrf)])
        .await;
    assert_eq!(p.location.as_deref(), Some("/ui/support?done=down&n=1"));

    // West pulls it from national by itself, and its admin relays it to D.
    let mut west_ui = Browser::new(&reg_w.url)
        .lang("en")
        .logged_in("admin", ADMIN_PASSWORD)
        .await;
    let body = west_ui
        .until("/ui/support", "A hospital committee needs Spanish-speaking")
        .await;
    // A chapter of another region, whose request carries no name: said in words, not its id.
    assert!(
        body.contains("<h2>A chapter or hub outside this hub"),
        "{body}"
    );
    assert!(body.contains("Relayed down by the national hub"), "{body}");
    assert!(
        !body.contains("relay-up"),
        "a request from national goes no higher"
    );
    let csrf = csrf_of(&body);
    let p = west_ui
        .post(&format!("/ui/support/{id}/relay-down"), &[("csrf", &csrf)])
        .await;
    assert_eq!(p.location.as_deref(), Some("/ui/support?done=down&n=1"));
    let (_, inbox_d) = signed(&reg_w, &west, &d, "GET", "/api/v1/support-requests", b"").await;
    assert_eq!(inbox_d["for_you"][0]["id"], id.as_str());
    assert_eq!(inbox_d["for_you"][0]["from"], "triangle");
    assert_eq!(inbox_d["for_you"][0]["reply_to"], "signal:triangle-labor");
    assert_eq!(inbox_d["for_you"][0]["urgency"], "urgent");

    // Only the asking chapter closes it; `open` is not a closing word.
    let path = format!("/api/v1/support-requests/{id}/status");
    let met = serde_json::to_vec(&json!({"status": "met"})).unwrap();
    let (s, _) = signed(&reg_s, &south, &b, "POST", &path, &met).await;
    assert_eq!(s, 404, "another chapter cannot close it");
    let reopen = serde_json::to_vec(&json!({"status": "open"})).unwrap();
    let (s, _) = signed(&reg_s, &south, &a, "POST", &path, &reopen).await;
    assert_eq!(s, 400);
    let (s, v) = signed(&reg_s, &south, &a, "POST", &path, &met).await;
    assert_eq!(s, 200, "{v}");
    let (_, inbox_a) = signed(&reg_s, &south, &a, "GET", "/api/v1/support-requests", b"").await;
    assert_eq!(inbox_a["yours"][0]["status"], "met");

    // The status reaches national's copy, then West's, and D sees it closed.
    nat_ui
        .until("/ui/support?show=closed", "A hospital committee needs")
        .await;
    eventually(30, "met at West", || async {
        let (_, v) = signed(&reg_w, &west, &d, "GET", "/api/v1/support-requests", b"").await;
        (v["for_you"][0]["status"] == "met").then_some(())
    })
    .await;
    // Closed requests are not relayed again.
    let csrf = csrf_of(&west_ui.get("/ui/support?show=closed").await.body);
    let p = west_ui
        .post(&format!("/ui/support/{id}/relay-down"), &[("csrf", &csrf)])
        .await;
    assert_eq!(p.status, 409);

    // Every write is audited, with who did it.
    let s_audit = audit(&south);
    assert!(
        s_audit.contains(&("admin".into(), "support-relay-up".into())),
        "{s_audit:?}"
    );
    assert!(
        s_audit.contains(&("triangle".into(), "support-met".into())),
        "{s_audit:?}"
    );
    let n_audit = audit(&national);
    assert!(
        n_audit.contains(&("admin".into(), "support-relay-down".into())),
        "{n_audit:?}"
    );
    assert!(
        n_audit.contains(&("south".into(), "support-relayed-up".into())),
        "{n_audit:?}"
    );
    assert!(
        n_audit.contains(&("south".into(), "support-met".into())),
        "{n_audit:?}"
    );
}
