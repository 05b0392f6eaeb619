//! Guidance through the whole tree: national publishes goals, the Southern regional hub relays
//! them (signed by national, inside its own), and a chapter under the region shows national's
//! goals on its guidance page, labelled by who published them, in English and Spanish, with the
//! chapter's own part of each.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use shopfloor_hub::forward;
use shopfloor_hub::guidance::{self, Draft, Goal, Relayed, Training};
use shopfloor_node::federation::guidance as node_guidance;
use shopfloor_testbed::federation::{Federation, Parent, last_day, last_month};
use shopfloor_testbed::servers::{DEMO_PASSWORD, blocking};
use shopfloor_testbed::synth::ChapterProfile;

fn profile(name: &str, state: &str, members: usize, seed: u64) -> ChapterProfile {
    ChapterProfile::new(name, state, members, seed).as_of(last_day(last_month().unwrap()).unwrap())
}

fn goal(metric: &str, sector: Option<&str>, region: Option<&str>, target: u64) -> Goal {
    Goal {
        sector: sector.map(str::to_owned),
        region: region.map(str::to_owned),
        metric: metric.into(),
        target,
        by: jiff::civil::date(2030, 6, 30),
        from: None,
    }
}

/// The chapter's guidance page, logged in as the demo admin, in `lang`.
async fn guidance_page(base: &str, lang: &str) -> String {
    let client = shopfloor_node::federation::client().unwrap();
    let resp = client
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"username": "admin", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "login: {}", resp.status());
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next().map(str::to_owned))
        .collect();
    let resp = client
        .get(format!("{base}/guidance"))
        .header("cookie", format!("{}; sf_lang={lang}", cookies.join("; ")))
        .header("accept", "text/html")
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "guidance page: {}",
        resp.status()
    );
    let html = resp.text().await.unwrap();
    // To look at (or screenshot): SHOPFLOOR_UI_DUMP=dir.
    if let Some(dir) = std::env::var_os("SHOPFLOOR_UI_DUMP") {
        let port = base.rsplit(':').next().unwrap_or("node");
        std::fs::write(
            std::path::Path::new(&dir).join(format!("guidance-{port}-{lang}.html")),
            &html,
        )
        .unwrap();
    }
    html
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chapter_under_a_region_shows_nationals_goals() {
    let fed = Federation::builder()
        .chapter(
            profile("Durham DSA", "NC", 200, 1).county("37063"),
            Parent::Regional,
        )
        .chapter(profile("Maine DSA", "ME", 120, 3), Parent::National)
        .start()
        .await
        .unwrap();
    let regional = fed.regional.as_ref().unwrap();
    let south = regional.card().id.to_string();

    // The region publishes its own guidance first, before national has any.
    let h = regional.hub.clone();
    blocking(move || {
        Ok(guidance::publish(
            &h,
            Draft {
                goals: vec![goal("pods", None, None, 40)],
                ..Draft::default()
            },
            None,
        )?)
    })
    .await
    .unwrap();

    // National publishes three goals afterwards.
    let h = fed.national.hub.clone();
    let s = south.clone();
    blocking(move || {
        Ok(guidance::publish(
            &h,
            Draft {
                trainings: vec![Training {
                    code: "one-on-ones".into(),
                    title_en: "One-on-one conversations".into(),
                    title_es: "Conversaciones individuales".into(),
                    url_en: None,
                    url_es: None,
                }],
                goals: vec![
                    goal("members", Some("62"), Some("NC"), 900),
                    goal("coworkers-recruited", None, Some(&s), 500),
                    goal("workplaces", None, None, 700),
                ],
                ..Draft::default()
            },
            None,
        )?)
    })
    .await
    .unwrap();

    // The regional hub relays it (its background task does this every check interval).
    let relayed = forward::relay_parent_guidance(&regional.hub).await.unwrap();
    assert_eq!(relayed, Some(Relayed::Signed));
    let again = forward::relay_parent_guidance(&regional.hub).await.unwrap();
    assert_eq!(again, Some(Relayed::Unchanged), "relayed once");

    // Durham fetches its hub's guidance and verifies national's inside it.
    let durham = fed.chapter("Durham DSA").unwrap();
    let fetched = node_guidance::fetch(&durham.node.store)
        .await
        .unwrap()
        .unwrap();
    assert!(fetched.inherited_verified);
    let store = durham.node.store.clone();
    let stored = blocking(move || Ok(store.read(node_guidance::current)?))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.guidance.goals.len(), 1, "the region's own goal");
    let national_goals = &stored.inherited.as_ref().unwrap().goals;
    assert_eq!(national_goals.len(), 3, "national's goals relayed");

    // Its guidance page shows both, each labelled by who published it.
    let html = guidance_page(&durham.node.url(), "en").await;
    assert!(
        html.contains("From Southern Region, your hub"),
        "own hub's heading"
    );
    assert!(
        html.contains("From National Labor Commission, relayed by your hub"),
        "national's heading"
    );
    assert!(html.contains("Labor pods"), "the region's goal");
    assert!(html.contains("Workplaces mapped"), "national's goal");
    assert!(html.contains("Coworkers recruited"), "national's goal");
    assert!(html.contains("North Carolina"), "the state scope in words");
    assert!(
        html.contains("One-on-one conversations"),
        "national's training"
    );
    // The chapter's part: Durham is in North Carolina and under the region, so every goal
    // counts it; its share is written next to it.
    assert!(!html.contains("Not in this goal&#x27;s area"), "in scope");
    assert!(html.contains("Share of the target"));
    let html_es = guidance_page(&durham.node.url(), "es").await;
    assert!(
        html_es.contains("De National Labor Commission, transmitidas por su hub"),
        "Spanish heading"
    );
    assert!(html_es.contains("Conversaciones individuales"));
    assert!(html_es.contains("Proporción de la meta"));

    // A chapter straight under national sees national's goals as its hub's own, and the
    // region's recruitment goal is outside its area.
    let maine = fed.chapter("Maine DSA").unwrap();
    node_guidance::fetch(&maine.node.store)
        .await
        .unwrap()
        .unwrap();
    let html = guidance_page(&maine.node.url(), "en").await;
    assert!(html.contains("From National Labor Commission, your hub"));
    assert!(html.contains("Not in this goal"), "out of scope rows");
}
