//! Campaign approval against a REAL hub (shopfloor-hub's library, served in-process on
//! loopback): the campaign page sends a campaign for approval (CSRF form, audited), the hub
//! decides, and the page shows the verified decision and its comment in English and Spanish. A
//! decision signed by another key is refused and changes nothing; the chapter cannot set
//! `approved` by hand any more.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use shopfloor_hub::Hub;
use shopfloor_hub::config::{InitOptions, Level};
use shopfloor_node::domain::campaigns::{self, CampaignFields, SuccessMetric};
use shopfloor_node::federation::{self, enroll, guidance};
use shopfloor_protocol::campaign::{Decision, Outcome};
use shopfloor_protocol::{Envelope, Kind, SecretKeys};

use crate::report::populate;

struct TestHub {
    hub: Hub,
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestHub {
    async fn start(root: &std::path::Path) -> TestHub {
        let dir = root.join("hub");
        shopfloor_hub::config::init(
            &dir,
            &InitOptions {
                level: Level::National,
                name: "National".into(),
                state: None,
                admin_password: Some("hub admin password 123".into()),
            },
        )
        .unwrap();
        let hub = Hub::open(&dir).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let h = hub.clone();
        tokio::spawn(async move {
            shopfloor_hub::web::serve(h, listener, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestHub {
            hub,
            url,
            stop: Some(tx),
        }
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

async fn page(s: &crate::web::Session, server: &crate::web::Server, id: i64, lang: &str) -> String {
    let r = s
        .client
        .get(server.url(&format!("/campaigns/{id}")))
        .header("accept", "text/html")
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

fn approval(store: &shopfloor_node::store::Store, id: i64) -> String {
    store
        .read(|c| Ok(campaigns::get(c, id)?.fields.approval))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_is_submitted_decided_by_the_hub_and_the_page_shows_the_verified_decision() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = TestHub::start(tmp.path()).await;
    let draft: shopfloor_hub::guidance::Draft = serde_json::from_value(json!({
        "criteria": [{
            "code": "workplace-drive", "title_en": "Workplace drive",
            "title_es": "Campaña en el centro de trabajo",
            "metrics": [{"name_en": "Cards signed", "name_es": "Tarjetas firmadas", "target": 50}]
        }]
    }))
    .unwrap();
    shopfloor_hub::guidance::publish(&hub.hub, draft, None).unwrap();

    let server = crate::web::Server::start().await;
    populate(&server.store, 20);
    let invite = shopfloor_hub::enroll::invite(&hub.hub, "Triangle DSA", Kind::Chapter, "admin")
        .unwrap()
        .code;
    enroll::start(&server.store, &server.dir, &hub.url, &invite, None)
        .await
        .unwrap();
    for p in shopfloor_hub::enroll::pending(&hub.hub).unwrap() {
        shopfloor_hub::enroll::approve(&hub.hub, &p.id, "admin").unwrap();
    }
    enroll::wait(
        &server.store,
        &server.dir,
        &enroll::WaitOptions {
            poll: Duration::from_millis(100),
            timeout: Some(Duration::from_secs(20)),
        },
    )
    .await
    .unwrap();
    guidance::fetch(&server.store).await.unwrap().unwrap();

    let id = server
        .store
        .write(|tx| {
            let id = campaigns::create(
                tx,
                &CampaignFields {
                    title: "Night shift at the laundry".into(),
                    kind: "new-organizing".into(),
                    status: "active".into(),
                    approval: "draft".into(),
                    public: false,
                    priority: false,
                    labor_component: true,
                },
            )?;
            campaigns::set_metric(
                tx,
                id,
                &SuccessMetric {
                    name: "Cards signed".into(),
                    target: 60,
                    actual: 12,
                },
            )?;
            Ok(id)
        })
        .unwrap();
    let s = crate::web::login(&server, "admin", crate::util::ADMIN_PASSWORD).await;

    // Approval by hand is gone: the edit form and the API refuse `approved`.
    let r = s
        .client
        .post(server.url(&format!("/campaigns/{id}")))
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("title", "Night shift at the laundry"),
            ("kind", "new-organizing"),
            ("status", "active"),
            ("approval", "approved"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=approval")
    );
    let r = s
        .send(
            reqwest::Method::PUT,
            &server.url(&format!("/api/v1/campaigns/{id}")),
            Some(&json!({"title": "Night shift", "kind": "new-organizing", "status": "active",
                "approval": "approved", "public": false, "priority": false, "labor_component": true})),
        )
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(approval(&server.store, id), "draft");

    // The page offers the hub's criteria; without the CSRF token the submission is refused.
    let html = page(&s, &server, id, "en").await;
    assert!(
        html.contains("Submit for approval") && html.contains("Workplace drive"),
        "{html}"
    );
    assert!(html.contains("The hub has not decided on this campaign yet."));
    let form = [
        ("criterion", "workplace-drive"),
        ("sector", "62"),
        (
            "summary",
            "Organize the night shift at the hospital laundry.",
        ),
    ];
    let r = s
        .client
        .post(server.url(&format!("/campaigns/{id}/submit")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        shopfloor_hub::campaigns::submissions(&hub.hub, None)
            .unwrap()
            .is_empty()
    );
    let mut with_csrf = vec![("csrf", s.csrf.as_str())];
    with_csrf.extend(form);
    let r = s
        .client
        .post(server.url(&format!("/campaigns/{id}/submit")))
        .form(&with_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("/campaigns/{id}?saved=1").as_str()
    );
    assert_eq!(approval(&server.store, id), "submitted");
    let audited: i64 = server
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'campaign.submit'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(audited, 1);
    let pending = shopfloor_hub::campaigns::submissions(&hub.hub, Some("pending")).unwrap();
    assert_eq!(pending.len(), 1);
    let sub = &pending[0].submission;
    assert_eq!(sub.metrics[0].name, "Cards signed");
    assert_eq!(sub.metrics[0].target, 60);
    // The title never leaves the node.
    assert!(!serde_json::to_string(sub).unwrap().contains("laundry\""));

    // A decision signed by another key is refused: nothing is stored, nothing changes.
    let forged = Decision {
        schema: shopfloor_protocol::campaign::DECISION_SCHEMA.into(),
        hub: hub.hub.card().id.clone(),
        chapter: server.dir.card().unwrap().id,
        submission: sub.id.clone(),
        submission_digest: shopfloor_protocol::Digest::from_hex(&pending[0].digest).unwrap(),
        outcome: Outcome::Approved,
        comment: String::new(),
        reviewer: shopfloor_protocol::campaign::ReviewerRole::HubAdmin,
        decided_at: jiff::Timestamp::now(),
        criteria_version: sub.criteria_version,
    };
    let forged = Envelope::sign(&forged, &SecretKeys::generate().unwrap());
    let seq = pending[0].seq;
    hub.hub
        .store()
        .write(|tx, _| {
            tx.execute(
                "INSERT INTO campaign_decisions (submission, chapter, outcome, comment, decided_at,
                     criteria_version, envelope) VALUES (?1, 'x', 'approved', '', 0, '', ?2)",
                rusqlite::params![seq, forged.to_json()],
            )?;
            tx.execute(
                "UPDATE campaign_decisions SET chapter = ?1",
                [server.dir.card().unwrap().id.as_str()],
            )?;
            Ok(())
        })
        .unwrap();
    assert!(
        federation::campaigns::fetch_decisions(&server.store, &server.dir)
            .await
            .is_err()
    );
    let html = page(&s, &server, id, "en").await;
    assert!(!html.contains("Approved by the hub"));
    assert_eq!(approval(&server.store, id), "submitted");
    hub.hub
        .store()
        .write(|tx, _| {
            tx.execute("DELETE FROM campaign_decisions", [])?;
            Ok(())
        })
        .unwrap();

    // The hub sends it back; the page (loaded in Spanish) fetches, verifies and shows it.
    let comment = "Agregue una meta de reuniones del comité.";
    shopfloor_hub::campaigns::decide(&hub.hub, seq, Outcome::Returned, comment, "coordinadora")
        .unwrap();
    let html = page(&s, &server, id, "es").await;
    assert!(html.contains("Devuelta por el hub"), "{html}");
    assert!(html.contains(comment));
    assert!(html.contains("Aprobación del hub") && html.contains("Lo que se envió"));
    assert_eq!(approval(&server.store, id), "draft");
    let html = page(&s, &server, id, "en").await;
    assert!(html.contains("Sent back by the hub") && html.contains(comment));

    // Sent again and approved.
    let r = s
        .client
        .post(server.url(&format!("/campaigns/{id}/submit")))
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("criterion", "workplace-drive"),
            ("sector", "62"),
            ("summary", "The committee now meets every week."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let pending = shopfloor_hub::campaigns::submissions(&hub.hub, Some("pending")).unwrap();
    shopfloor_hub::campaigns::decide(&hub.hub, pending[0].seq, Outcome::Approved, "", "admin")
        .unwrap();
    let html = page(&s, &server, id, "es").await;
    assert!(html.contains("Aprobada por el hub"), "{html}");
    assert!(html.contains("(sobre una solicitud anterior)"));
    assert_eq!(approval(&server.store, id), "approved");
}
