//! A regional hub's exact rare counts from national's publication (issue 14, crate::relay):
//! a region that holds no trustee file and asks no trustee shows, once national has published,
//! exactly the aggregates national's drill-down into it released, each checked against its own
//! tallies, and its publication verifies offline to the root card. National relays shares only
//! to an active child, only for the rollup of it that its publication sums. Real hubs on
//! loopback, the real 2-of-3 ceremony.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use shopfloor_hub::decryption::verify_publication_bundle;
use shopfloor_hub::publish::{self, Outcome, Value};
use shopfloor_hub::relay::{self, RELAY_PATH, Relayed};
use shopfloor_protocol::threshold::Released;
use shopfloor_protocol::threshold::publication::{SHARE_REQUEST_SCHEMA, ShareRequest, Wanted};
use shopfloor_protocol::{Digest, Envelope, SecretKeys};
use shopfloor_testbed::national::{self, National, Options};
use shopfloor_testbed::servers::blocking;

async fn publish_at(hub: &shopfloor_hub::Hub) -> (publish::Stored, Vec<Released>) {
    let period = national::periods(1).unwrap()[0];
    national::publish_fresh(hub, period).await.unwrap()
}

async fn post(url: &str, body: Vec<u8>) -> (u16, String) {
    let resp = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_region_without_trustees_shows_what_nationals_publication_released_at_its_view() {
    let opts = Options::new(12, 2, 1);
    let plan = national::plan(&opts).unwrap();
    let periods = national::periods(1).unwrap();
    let period = periods[0];
    let mut fed = National::build(plan, &opts, period).await.unwrap();
    fed.run_period(period).await.unwrap();
    let root = fed.root_card();
    let other = fed
        .regionals
        .iter()
        .find(|r| !r.region.south)
        .expect("a region besides the South");
    let region = other.server.hub.clone();
    let region_id = region.card().id.clone();
    assert!(
        shopfloor_hub::decryption::own_trustees(region.dir()).is_empty()
            && region.config().decryption.trustees.is_empty(),
        "this region must hold no trustee file and ask no trustee"
    );

    // Before national publishes, the region's first publication waits for it: the background
    // publisher leaves the period alone although every chapter has reported.
    let now = jiff::Timestamp::now();
    let h = region.clone();
    let waiting = blocking(move || Ok(relay::waits(&h, period, now, now)?))
        .await
        .unwrap();
    assert!(
        waiting,
        "the region does not wait for national's publication"
    );
    let h = region.clone();
    let ticked = blocking(move || Ok(publish::tick(&h, now)?)).await.unwrap();
    assert!(
        ticked.iter().all(|(p, _)| *p != period),
        "the region published before national: {ticked:?}"
    );
    // Once its wait has run out it would publish without national's figures.
    let h = region.clone();
    let later = now + jiff::SignedDuration::from_hours(73);
    let gave_up = blocking(move || Ok(relay::waits(&h, period, later, now)?))
        .await
        .unwrap();
    assert!(!gave_up, "the wait does not run out");

    let (_, national_released) = publish_at(&fed.national.hub).await;
    let at_region: Vec<&Released> = national_released
        .iter()
        .filter(|r| r.view.first() == Some(&region_id.as_str().to_owned()))
        .collect();
    assert!(
        !at_region.is_empty(),
        "national released nothing at the region's view: the test shows nothing"
    );
    let h = region.clone();
    let waiting = blocking(move || Ok(relay::waits(&h, period, now, now)?))
        .await
        .unwrap();
    assert!(!waiting, "the region still waits after national published");

    // The background publisher now publishes the region, showing exactly what national's
    // drill-down released into it.
    let h = region.clone();
    let (region_pub, region_released) = blocking(move || {
        let ticked = publish::tick(&h, now)?;
        let Some((_, Outcome::Published(s))) = ticked.into_iter().find(|(p, _)| *p == period)
        else {
            anyhow::bail!("the region did not publish once national had");
        };
        let released = publish::released(&h, &s)?;
        Ok((*s, released))
    })
    .await
    .unwrap();
    let mut got: Vec<(String, Vec<String>, u64)> = region_released
        .iter()
        .map(|r| (r.key.to_string(), r.view.clone(), r.value))
        .collect();
    let mut want: Vec<(String, Vec<String>, u64)> = at_region
        .iter()
        .map(|r| (r.key.to_string(), r.view[1..].to_vec(), r.value))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(
        got, want,
        "the region's released aggregates are not national's"
    );
    for r in &region_released {
        let shown = region_pub
            .publication
            .view(&r.view)
            .and_then(|v| v.cells.iter().find(|c| c.key == r.key))
            .map(|c| c.value)
            .unwrap();
        assert!(
            matches!(shown, Value::Exact(v) | Value::AtLeast(v) if v >= r.value),
            "{} shows {shown:?} for a released {}",
            r.key,
            r.value
        );
    }
    // Offline, against the root card: the region's own tallies, national's trustees' shares.
    let h = region.clone();
    let (bundle, _) = blocking(move || Ok(shopfloor_hub::decryption::export(&h, period)?))
        .await
        .unwrap();
    let summary = verify_publication_bundle(&bundle, &root).unwrap();
    assert_eq!(summary.released, region_released.len());

    // What national relays, and to whom.
    let url = format!("{}{RELAY_PATH}", fed.national.url());
    let wanted: Vec<Wanted> = at_region
        .iter()
        .map(|r| Wanted {
            key: r.key.clone(),
            view: r.view[1..].to_vec(),
        })
        .collect();
    let request = |rollup: Digest| ShareRequest {
        schema: SHARE_REQUEST_SCHEMA.into(),
        hub: region_id.clone(),
        period,
        rollup,
        joint_key: at_region[0].tally.key,
        wanted: wanted.clone(),
    };
    let rollup = bundle.rollup.document.digest();
    // The region itself, for the rollup national's publication sums: a share per position.
    let (status, body) = post(
        &url,
        Envelope::sign(&request(rollup), region.keys()).to_json(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let relayed: Relayed = serde_json::from_str(&body).unwrap();
    assert!(relayed.covered);
    assert_eq!(relayed.answers.len(), at_region[0].shares.len());
    assert!(
        relayed
            .answers
            .iter()
            .all(|a| a.answers.iter().all(|x| x.share.is_some()))
    );
    // Another rollup of the region: not the one national's shares decrypt, so none goes back.
    let (status, body) = post(
        &url,
        Envelope::sign(&request(Digest([7; 32])), region.keys()).to_json(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let relayed: Relayed = serde_json::from_str(&body).unwrap();
    assert!(!relayed.covered && relayed.answers.is_empty());
    // A stranger's key, naming the region: refused, nothing relayed.
    let stranger = SecretKeys::generate().unwrap();
    let (status, body) = post(&url, Envelope::sign(&request(rollup), &stranger).to_json()).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("unknown-child"), "{body}");
    // At a regional hub the endpoint does not relay.
    let (status, body) = post(
        &format!("{}{RELAY_PATH}", other.server.url()),
        Envelope::sign(&request(rollup), region.keys()).to_json(),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("not-national"), "{body}");
}
