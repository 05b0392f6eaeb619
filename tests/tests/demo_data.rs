//! The demo's synthetic chapter on the node's own workplace page (issue 19, item 15): the
//! ladder history reads like a chapter's year, recorded by its organizers, not by "synth".
//! A real node on loopback, logged in over HTTP like a browser.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use shopfloor_testbed::servers::{DEMO_PASSWORD, NodeServer};
use shopfloor_testbed::synth::{self, ChapterProfile};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workplace_page_shows_a_real_looking_ladder_history() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = NodeServer::init(&tmp.path().join("durham"), "Durham DSA", "NC").unwrap();
    let mut node = NodeServer::start(dir).await.unwrap();
    let chapter = synth::generate(&ChapterProfile::new("Durham DSA", "NC", 300, 5).county("37063"));
    synth::load(&node.store, &chapter).unwrap();
    // The workplace that climbed highest has the longest history.
    let (wid, stage): (i64, i64) = node
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id, stage FROM workplaces ORDER BY stage DESC, id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(stage, 5);

    let base = format!("http://{}", node.addr);
    let client = shopfloor_node::federation::client().unwrap();
    let login = client
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"username": "admin", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success(), "{}", login.status());
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let page = client
        .get(format!("{base}/workplaces/{wid}"))
        .header("cookie", cookie)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(!html.to_lowercase().contains("synth"), "{html}");
    assert!(!html.contains("moved to stage"), "{html}");
    // Each step's note and its organizer are on the page.
    let w = chapter
        .workplaces
        .iter()
        .find(|w| w.stage == 5)
        .expect("a stage-5 workplace");
    let organizers = synth::ladder::organizers(&chapter);
    for step in &w.ladder {
        assert!(html.contains(&step.note), "{}: {html}", step.note);
    }
    assert!(
        organizers.iter().any(|o| html.contains(o.as_str())),
        "{organizers:?}"
    );
    node.stop().await.unwrap();
}
