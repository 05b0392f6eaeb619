//! Campaign approval end to end on a real loopback server: a chapter submits a campaign with a
//! signed request against the hub's published criteria; an admin decides it in the browser (in
//! Spanish); the chapter fetches the signed decision and verifies it with the hub's card. Viewers
//! are refused, forms without the CSRF token are refused, a send-back needs a comment, and a
//! decision signed by another key does not verify.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use util::browser::Browser;

use std::time::Duration;

use serde_json::json;
use shopfloor_hub::config::{self, InitOptions, Level};
use shopfloor_hub::support::sign_request;
use shopfloor_hub::users::{self, Role};
use shopfloor_hub::{Hub, campaigns};
use shopfloor_protocol::campaign::{
    Decisions, Outcome, Submission, SubmittedMetric, verify_decision,
};
use shopfloor_protocol::{Envelope, SecretKeys};
use util::{ADMIN_PASSWORD, Chapter, Served, csrf_of};

const VIEWER_PASSWORD: &str = "viewer password 123";
const PATH: &str = "/api/v1/campaign-submissions";

fn regional(root: &std::path::Path) -> Hub {
    let dir = root.join("south");
    config::init(
        &dir,
        &InitOptions {
            level: Level::Regional,
            name: "Región Sur".into(),
            state: None,
            admin_password: Some(ADMIN_PASSWORD.into()),
        },
    )
    .unwrap();
    let path = dir.join("hub.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("auto_forward = true", "auto_forward = false");
    std::fs::write(&path, text).unwrap();
    let hub = Hub::open(&dir).unwrap();
    users::add(hub.store(), "vera", Role::Viewer, VIEWER_PASSWORD).unwrap();
    hub
}

fn submission(version: &Envelope, id: &str, summary: &str) -> Submission {
    Submission {
        id: id.into(),
        campaign_type: "new-organizing".into(),
        sector: "62".into(),
        labor_component: true,
        criterion: "workplace-drive".into(),
        criteria_version: version.digest(),
        metrics: vec![
            SubmittedMetric {
                name: "Tarjetas firmadas".into(),
                target: 60,
            },
            SubmittedMetric {
                name: "Comité de trabajo".into(),
                target: 8,
            },
        ],
        summary: summary.into(),
    }
}

async fn post_submission(url: &str, ch: &Chapter, hub: &Hub, body: &[u8]) -> reqwest::Response {
    let auth = sign_request(&ch.keys, &ch.card.id, &hub.card().id, "POST", PATH, body);
    util::client()
        .post(format!("{url}{PATH}"))
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

async fn decisions(url: &str, ch: &Chapter, hub: &Hub) -> Decisions {
    let auth = sign_request(&ch.keys, &ch.card.id, &hub.card().id, "GET", PATH, b"");
    let resp = util::client()
        .get(format!("{url}{PATH}"))
        .header("authorization", auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chapter_submits_admin_decides_in_spanish_chapter_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = regional(tmp.path());
    let ch = Chapter::new("triangle", "Triangle", "NC", "CANARY-CAMPAIGN");
    ch.enroll_directly(&hub);
    let other = Chapter::new("durham", "Durham", "NC", "CANARY-CAMPAIGN-2");
    other.enroll_directly(&hub);
    let draft: shopfloor_hub::guidance::Draft = serde_json::from_value(json!({
        "criteria": [{
            "code": "workplace-drive", "title_en": "Workplace drive", "title_es": "Campaña en el centro de trabajo",
            "metrics": [{"name_en": "Cards signed", "name_es": "Tarjetas firmadas", "target": 50}]
        }]
    }))
    .unwrap();
    let v1 = shopfloor_hub::guidance::publish(&hub, draft, None).unwrap();
    let served = Served::start(&hub).await;
    let url = served.url.clone();

    // Unsigned, and signed against guidance the hub never published: refused.
    let body = submission(&v1, "c-1", "Organizar el turno de noche de la lavandería.").to_body();
    let resp = util::client()
        .post(format!("{url}{PATH}"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let mut stale = submission(&v1, "c-1", "x");
    stale.criteria_version = shopfloor_protocol::Digest::of(b"never published");
    let resp = post_submission(&url, &ch, &hub, &stale.to_body()).await;
    assert_eq!(resp.status(), 409);
    let mut unknown = submission(&v1, "c-1", "x");
    unknown.criterion = "no-such".into();
    let resp = post_submission(&url, &ch, &hub, &unknown.to_body()).await;
    assert_eq!(resp.status(), 409);
    // A signed submission naming a person's field is malformed (unknown fields refused).
    let mut v = serde_json::to_value(submission(&v1, "c-1", "x")).unwrap();
    v["member_name"] = "Ana".into();
    let bad = serde_json::to_vec(&v).unwrap();
    assert_eq!(post_submission(&url, &ch, &hub, &bad).await.status(), 400);

    // The real submission.
    let resp = post_submission(&url, &ch, &hub, &body).await;
    assert_eq!(resp.status(), 201);
    let received: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(received["id"], "c-1");

    // A viewer is refused the page and the form.
    let mut viewer = Browser::new(&url)
        .lang("es")
        .logged_in("vera", VIEWER_PASSWORD)
        .await;
    let p = viewer.get("/ui/campaigns").await;
    assert_eq!(p.status, 403);
    assert!(!p.body.contains("lavandería"));
    let csrf = csrf_of(&viewer.get("/ui").await.body);
    let p = viewer
        .post(
            "/ui/campaigns/1/decide",
            &[("csrf", &csrf), ("outcome", "approved"), ("comment", "")],
        )
        .await;
    assert_eq!(p.status, 403);

    // The admin, in Spanish, sees the submission beside the criterion it answers.
    let mut admin = Browser::new(&url)
        .lang("es")
        .logged_in("admin", ADMIN_PASSWORD)
        .await;
    let p = admin.get("/ui/campaigns").await;
    assert_eq!(p.status, 200, "{}", p.body);
    for word in [
        "<html lang=\"es\">",
        "Aprobación de campañas",
        "Campaña en el centro de trabajo",
        "Tarjetas firmadas",
        "Comité de trabajo",
        "Organizar el turno de noche de la lavandería.",
        "Atención médica y asistencia social",
        "Organización nueva",
        "Devolver",
        &v1.digest().to_hex()[..12],
    ] {
        assert!(p.body.contains(word), "page lacks {word:?}");
    }
    assert!(!p.body.contains("hub-") && !p.body.contains("err-"));
    let csrf = csrf_of(&p.body);
    let seq = p
        .body
        .split("/ui/campaigns/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let decide = format!("/ui/campaigns/{seq}/decide");

    // Without the CSRF token: refused, nothing decided.
    let p = admin
        .post(
            &decide,
            &[
                ("csrf", "forged"),
                ("outcome", "returned"),
                ("comment", "x"),
            ],
        )
        .await;
    assert_eq!(p.status, 403);
    // A send-back needs a comment.
    let p = admin
        .post(
            &decide,
            &[("csrf", &csrf), ("outcome", "returned"), ("comment", "  ")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("hace falta un comentario"), "{}", p.body);
    assert!(decisions(&url, &ch, &hub).await.decisions.is_empty());

    // Sent back with a comment.
    let comment = "Agregue una meta de reuniones de comité.";
    let p = admin
        .post(
            &decide,
            &[
                ("csrf", &csrf),
                ("outcome", "returned"),
                ("comment", comment),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/ui/campaigns?done=returned"));
    let p = admin.get("/ui/campaigns?done=returned").await;
    assert!(p.body.contains("Devuelta: el capítulo verá su comentario."));
    assert!(p.body.contains(comment));
    // Deciding again is refused.
    let p = admin
        .post(
            &decide,
            &[("csrf", &csrf), ("outcome", "approved"), ("comment", "")],
        )
        .await;
    assert_eq!(p.status, 409);

    // The chapter fetches the signed decision and verifies it with the hub's card.
    let got = decisions(&url, &ch, &hub).await;
    assert_eq!(got.decisions.len(), 1);
    let d = verify_decision(&got.decisions[0], hub.card(), &ch.card.id).unwrap();
    assert_eq!(d.outcome, Outcome::Returned);
    assert_eq!(d.comment, comment);
    assert_eq!(d.submission, "c-1");
    assert_eq!(d.criteria_version, v1.digest());
    assert_eq!(d.submission_digest, shopfloor_protocol::Digest::of(&body));
    // The reviewer is a role: the admin's user name is nowhere in the signed document.
    assert!(!String::from_utf8_lossy(&got.decisions[0].to_json()).contains("admin\""));
    // Another chapter sees none of it.
    assert!(decisions(&url, &other, &hub).await.decisions.is_empty());
    // A decision signed by another key does not verify against the hub's card.
    let forged = Envelope::sign(&d, &SecretKeys::generate().unwrap());
    assert!(verify_decision(&forged, hub.card(), &ch.card.id).is_err());

    // Resubmitted with the change; approved, in English this time.
    let body2 = submission(
        &v1,
        "c-1",
        "Organizar el turno de noche; el comité se reúne cada semana.",
    )
    .to_body();
    assert_eq!(post_submission(&url, &ch, &hub, &body2).await.status(), 201);
    let mut admin_en = Browser::new(&url)
        .lang("en")
        .logged_in("admin", ADMIN_PASSWORD)
        .await;
    let p = admin_en.get("/ui/campaigns").await;
    assert!(p.body.contains("Workplace drive") && p.body.contains("Sent back"));
    let csrf = csrf_of(&p.body);
    let seq2 = p
        .body
        .split("/ui/campaigns/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(seq2, seq);
    let p = admin_en
        .post(
            &format!("/ui/campaigns/{seq2}/decide"),
            &[("csrf", &csrf), ("outcome", "approved"), ("comment", "")],
        )
        .await;
    assert_eq!(p.status, 303);
    let got = decisions(&url, &ch, &hub).await;
    assert_eq!(got.decisions.len(), 2);
    let d2 = verify_decision(&got.decisions[1], hub.card(), &ch.card.id).unwrap();
    assert_eq!(d2.outcome, Outcome::Approved);
    assert_eq!(d2.submission_digest, shopfloor_protocol::Digest::of(&body2));

    // The history keeps both decisions; the admin's actions are audited.
    let history = campaigns::history(&hub).unwrap();
    assert_eq!(history.len(), 2);
    let audited: Vec<(String, String)> = hub
        .store()
        .read(|db| {
            let mut stmt = db.prepare(
                "SELECT actor, action FROM audit WHERE action LIKE 'campaign-%' ORDER BY id",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .unwrap();
    assert_eq!(
        audited,
        vec![
            ("triangle".to_owned(), "campaign-submit".to_owned()),
            ("admin".to_owned(), "campaign-returned".to_owned()),
            ("triangle".to_owned(), "campaign-submit".to_owned()),
            ("admin".to_owned(), "campaign-approved".to_owned()),
        ]
    );
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chapter_under_a_region_may_answer_a_national_criterion_the_region_relays() {
    let tmp = tempfile::tempdir().unwrap();
    let national_dir = tmp.path().join("national");
    config::init(
        &national_dir,
        &InitOptions {
            level: Level::National,
            name: "National".into(),
            state: None,
            admin_password: Some(ADMIN_PASSWORD.into()),
        },
    )
    .unwrap();
    let national = Hub::open(&national_dir).unwrap();
    let nat = Served::start(&national).await;
    let south = regional(tmp.path());
    let invite =
        shopfloor_hub::enroll::invite(&national, "South", shopfloor_protocol::Kind::Regional, "t")
            .unwrap();
    shopfloor_hub::forward::start_enrollment(&south, &nat.url, &invite.code)
        .await
        .unwrap();
    let request = shopfloor_hub::enroll::pending(&national).unwrap().remove(0);
    shopfloor_hub::enroll::approve(&national, &request.id, "test").unwrap();
    shopfloor_hub::forward::wait_for_approval(
        &south,
        Duration::from_millis(200),
        Some(Duration::from_secs(30)),
    )
    .await
    .unwrap();
    let draft: shopfloor_hub::guidance::Draft = serde_json::from_value(json!({
        "criteria": [{"code": "workplace-drive", "title_en": "National drive",
            "title_es": "Campaña nacional", "metrics": []}]
    }))
    .unwrap();
    let from_national = shopfloor_hub::guidance::publish(&national, draft, None).unwrap();
    shopfloor_hub::guidance::relay(&south, from_national).unwrap();
    let relayed = shopfloor_hub::guidance::current(&south).unwrap().unwrap();

    let ch = Chapter::new("triangle", "Triangle", "NC", "CANARY-CAMPAIGN-3");
    ch.enroll_directly(&south);
    let child = shopfloor_hub::enroll::children(south.store())
        .unwrap()
        .into_iter()
        .find(|c| c.id == ch.card.id)
        .unwrap();
    // The region has no criteria of its own: the national one it relays is accepted.
    let versions = campaigns::criteria_versions(&south).unwrap();
    assert_eq!(versions[0].criteria[0].title_es, "Campaña nacional");
    let body = submission(&relayed, "c-9", "Apoyar la campaña nacional.").to_body();
    campaigns::submit(&south, &child, &body).unwrap();
    let mut other = submission(&relayed, "c-10", "x");
    other.criterion = "not-published".into();
    let err = campaigns::submit(&south, &child, &other.to_body()).unwrap_err();
    assert_eq!(err.code(), "unknown-criterion");
    nat.stop().await;
}
