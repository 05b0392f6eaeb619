//! End to end: real hubs and chapter nodes on loopback, driven through their libraries and HTTP
//! interfaces, with every node→hub and hub→hub byte going through a recording proxy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use base64::Engine as _;
use shopfloor_hub::rollups;
use shopfloor_node::domain::members::{self, ListFields};
use shopfloor_node::federation::outbox;
use shopfloor_protocol::envelope::seal_bytes;
use shopfloor_protocol::rollup::{Bundle, Rollup};
use shopfloor_protocol::{CellKey, Envelope, Period, SealFormat};
use shopfloor_testbed::canary::{self, Finding};
use shopfloor_testbed::federation::{Federation, Parent, last_day, last_month};
use shopfloor_testbed::servers::blocking;
use shopfloor_testbed::synth::ChapterProfile;

fn period() -> Period {
    last_month().unwrap()
}

fn profile(name: &str, state: &str, members: usize, seed: u64) -> ChapterProfile {
    ChapterProfile::new(name, state, members, seed).as_of(last_day(period()).unwrap())
}

/// The demo's shape, small.
async fn federation() -> Federation {
    Federation::builder()
        .chapter(
            profile("Durham DSA", "NC", 300, 1).county("37063"),
            Parent::Regional,
        )
        .chapter(
            profile("Houston DSA", "TX", 400, 2).county("48201"),
            Parent::Regional,
        )
        .chapter(profile("Maine DSA", "ME", 150, 3), Parent::National)
        .start()
        .await
        .unwrap()
}

/// The national rollup's total of a metric.
fn total(bundle: &[u8], root: &shopfloor_protocol::Card, metric: &str) -> u64 {
    let b = Bundle::from_json(bundle).unwrap();
    let r: Rollup = b.document.open_document(&root.signing_key).unwrap();
    r.cell(&CellKey::total(metric)).unwrap().sum
}

/// A chapter's members as its database stands now (before disclosure control).
async fn live_members(store: &shopfloor_node::store::Store) -> u64 {
    let store = store.clone();
    let cells =
        blocking(move || Ok(store.read(|c| shopfloor_node::report::raw_cells(c, period()))?))
            .await
            .unwrap();
    cells
        .iter()
        .find(|c| c.key == CellKey::total("members"))
        .and_then(|c| c.value.count())
        .unwrap()
}

/// Count of accepted documents from `child` for the period at a hub.
fn held(hub: &shopfloor_hub::Hub, child: &str, period: Period) -> Vec<(i64, i64)> {
    hub.store()
        .read(|db| {
            let mut s = db.prepare(
                "SELECT revision, superseded FROM reports WHERE child = ?1 AND period = ?2 ORDER BY revision",
            )?;
            let rows = s.query_map([child, &period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_flow_verifies_at_national() {
    let fed = federation().await;
    assert_eq!(fed.enrollments.len(), 4);
    for e in &fed.enrollments {
        assert_ne!(e.child_fingerprint, e.parent_fingerprint);
    }
    let run = fed.run_period(period()).await.unwrap();
    assert_eq!(run.summary.chapters, 3, "{}", run.summary);
    assert_eq!(run.summary.hubs, 2);
    assert_eq!(run.summary.missing, 0);
    assert!(run.delivered.iter().all(|d| d.revision == 1));
    // Every member counted at national, exactly (a total is never suppressed).
    let expected: usize = fed
        .chapters
        .iter()
        .map(|c| c.chapter.active_members())
        .sum();
    assert_eq!(
        total(&run.bundle, &fed.root_card(), "members"),
        expected as u64
    );
    // The bundle verifies offline from bytes alone, as `shopfloor-hub verify` does.
    let again = shopfloor_protocol::rollup::verify_bytes(&run.bundle, &fed.root_card(), None);
    assert!(again.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_chapter_is_refused() {
    let fed = Federation::builder()
        .chapter(profile("Durham DSA", "NC", 60, 4), Parent::Regional)
        .chapter(profile("Houston DSA", "TX", 60, 5), Parent::Regional)
        .start()
        .await
        .unwrap();
    let regional = fed.regional.as_ref().unwrap().hub.clone();
    let durham = fed.chapter("Durham DSA").unwrap();
    let id = durham.node.card.id.to_string();
    blocking(move || {
        Ok(shopfloor_hub::enroll::revoke(
            &regional, &id, "key lost", "test",
        )?)
    })
    .await
    .unwrap();
    let refused = fed.submit(durham, period()).await.unwrap();
    assert_eq!(refused.status, "failed", "{refused:?}");
    assert_eq!(
        refused.error_code.as_deref(),
        Some("revoked"),
        "{refused:?}"
    );
    let houston = fed.chapter("Houston DSA").unwrap();
    assert_eq!(
        fed.submit(houston, period()).await.unwrap().status,
        "delivered"
    );
    let regional = &fed.regional.as_ref().unwrap().hub;
    assert!(held(regional, "durham-dsa", period()).is_empty());
}

/// Posts a regional rollup to national the way a regional hub forwards one: sealed, in a bundle
/// with the documents `honest` (the region's real forward) carries.
async fn post_to_national(fed: &Federation, envelope: &Envelope, honest: &Bundle) -> (u16, String) {
    let bundle = Bundle {
        document: envelope.clone(),
        ..honest.clone()
    };
    let sealed = seal_bytes(
        &bundle.to_json(),
        std::slice::from_ref(&fed.national.card().age_recipient),
        SealFormat::Binary,
    )
    .unwrap();
    let resp = shopfloor_node::federation::client()
        .unwrap()
        .post(format!("{}/api/v1/reports", fed.national.url()))
        .header("content-type", "application/octet-stream")
        .body(sealed)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let v: serde_json::Value = resp.json().await.unwrap_or_default();
    (status, v["error"].as_str().unwrap_or("").to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_rollup_is_refused_by_national() {
    let fed = Federation::builder()
        .chapter(profile("Durham DSA", "NC", 80, 6), Parent::Regional)
        .chapter(profile("Houston DSA", "TX", 80, 7), Parent::Regional)
        .start()
        .await
        .unwrap();
    fed.run_period(period()).await.unwrap();
    let regional = fed.regional.as_ref().unwrap();
    let built = rollups::latest(&regional.hub, period()).unwrap().unwrap();
    let honest = rollups::forward_bundle(&regional.hub, built.envelope.clone()).unwrap();

    // 1. A byte flipped in the signed payload: the signature no longer holds.
    let mut wire: serde_json::Value = serde_json::from_slice(&built.envelope.to_json()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut payload = b64.decode(wire["payload"].as_str().unwrap()).unwrap();
    let at = payload.windows(6).position(|w| w == b"\"sum\":").unwrap() + 6;
    payload[at] = if payload[at] == b'9' {
        b'8'
    } else {
        payload[at] + 1
    };
    wire["payload"] = b64.encode(&payload).into();
    let flipped = Envelope::from_json(wire.to_string().as_bytes()).unwrap();
    let (status, code) = post_to_national(&fed, &flipped, &honest).await;
    assert!((400..500).contains(&status), "{status} {code}");
    assert_eq!(code, "bad-signature");

    // 2. A sum changed and properly re-signed by the regional hub (a newer revision, so the
    //    only fault is the arithmetic): national recomputes every sum.
    let mut rollup: Rollup = built
        .envelope
        .open_document(&regional.card().signing_key)
        .unwrap();
    rollup.revision += 1;
    let cell = rollup
        .cells
        .iter_mut()
        .find(|c| c.key == CellKey::total("members"))
        .unwrap();
    cell.sum += 1;
    let resigned = Envelope::sign(&rollup, regional.hub.keys());
    let (status, code) = post_to_national(&fed, &resigned, &honest).await;
    assert!((400..500).contains(&status), "{status} {code}");
    assert_eq!(code, "sum-mismatch");

    // National still holds only the honest rollup.
    assert_eq!(
        held(&fed.national.hub, "southern-region", period()),
        vec![(1, 0)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_revision_supersedes() {
    let fed = Federation::builder()
        .chapter(profile("Durham DSA", "NC", 120, 8), Parent::Regional)
        .chapter(profile("Houston DSA", "TX", 120, 9), Parent::Regional)
        .start()
        .await
        .unwrap();
    let first = fed.run_period(period()).await.unwrap();
    let before = total(&first.bundle, &fed.root_card(), "members");

    // Twenty-five people join Durham after the month closed and are entered by hand.
    let durham = fed.chapter("Durham DSA").unwrap();
    let durham_before = live_members(&durham.node.store).await;
    let store = durham.node.store.clone();
    blocking(move || {
        store.write(|tx| {
            for i in 0..25 {
                members::create(
                    tx,
                    &ListFields {
                        first_name: format!("New{i}"),
                        last_name: "Member".into(),
                        email: Some(format!("new{i}@example.org")),
                        membership_status: "Member in Good Standing".into(),
                        ..Default::default()
                    },
                )?;
            }
            Ok(())
        })?;
        Ok(())
    })
    .await
    .unwrap();
    let second = fed.run_period(period()).await.unwrap();
    let durham_rev = second
        .delivered
        .iter()
        .find(|d| d.chapter == "Durham DSA")
        .unwrap()
        .revision;
    assert_eq!(durham_rev, 2);
    assert_eq!(second.regional_revision, Some(2));
    assert_eq!(second.national_revision, 2);
    // The month's counts are as of its close: the revision supersedes, but the people who
    // joined afterwards do not rewrite the closed month (docs/protocol.md §8.1).
    assert_eq!(total(&second.bundle, &fed.root_card(), "members"), before);
    assert_eq!(
        live_members(&durham.node.store).await,
        durham_before + 25,
        "the people were entered"
    );
    let regional = &fed.regional.as_ref().unwrap().hub;
    assert_eq!(held(regional, "durham-dsa", period()), vec![(1, 1), (2, 0)]);
    assert_eq!(
        held(&fed.national.hub, "southern-region", period()),
        vec![(1, 1), (2, 0)]
    );
}

/// Text columns that hold only codes, dates or derived values (never free text people type).
const CODE_COLUMNS: &[&str] = &[
    "members.actionkit_id",
    "members.join_date",
    "members.xdate",
    "members.standing",
    "members.list_status",
    "members.union_role",
    "members.union_code",
    "members.languages",
    "members.preferred_language",
    "members.created_at",
    "members.updated_at",
    "workplaces.county_fips",
    "workplaces.state",
    "workplaces.sector",
    "workplaces.naics_code",
    "workplaces.representation",
    "workplaces.created_at",
    "workplaces.updated_at",
    "member_workplaces.since",
    "workplace_stage_history.at",
];

/// Checks the canary sits in every free-text column of the member and workplace tables, so the
/// test covers every field the schema has (a new column without a canary fails here).
fn assert_canary_in_every_text_column(store: &shopfloor_node::store::Store, canary: &str) {
    let missing: Vec<String> = store
        .read(|db| {
            let mut missing = Vec::new();
            for table in [
                "members",
                "workplaces",
                "member_workplaces",
                "workplace_stage_history",
            ] {
                let mut s = db.prepare(&format!("PRAGMA table_info({table})"))?;
                let cols: Vec<(String, String)> = s
                    .query_map([], |r| Ok((r.get(1)?, r.get(2)?)))?
                    .collect::<Result<_, _>>()?;
                for (col, ty) in cols {
                    let name = format!("{table}.{col}");
                    if !ty.eq_ignore_ascii_case("TEXT") || CODE_COLUMNS.contains(&name.as_str()) {
                        continue;
                    }
                    let hit: bool = db.query_row(
                        &format!(
                            "SELECT EXISTS (SELECT 1 FROM {table} WHERE instr({col}, ?1) > 0)"
                        ),
                        [canary],
                        |r| r.get(0),
                    )?;
                    if !hit {
                        missing.push(name);
                    }
                }
            }
            Ok(missing)
        })
        .unwrap();
    assert!(missing.is_empty(), "no canary planted in {missing:?}");
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} ({}) in {}", f.needle, f.form, f.place))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canaries_reach_no_hub_file_and_no_wire_byte() {
    let chapters = [
        ("Durham DSA", "NC", Parent::Regional, "cnrydurham7q"),
        ("Houston DSA", "TX", Parent::Regional, "cnryhouston4x"),
        ("Maine DSA", "ME", Parent::National, "cnrymaine9z"),
    ];
    let mut b = Federation::builder();
    for (i, (name, state, parent, canary)) in chapters.iter().enumerate() {
        let marker = format!("pubmark{}", canary.trim_start_matches("cnry"));
        b = b.chapter(
            profile(name, state, 150, 40 + i as u64)
                .canary(canary)
                .public_marker(&marker),
            *parent,
        );
    }
    let fed = b.start().await.unwrap();
    fed.run_period(period()).await.unwrap();
    let canaries: Vec<&str> = chapters.iter().map(|c| c.3).collect();
    let markers: Vec<String> = canaries
        .iter()
        .map(|c| format!("pubmark{}", c.trim_start_matches("cnry")))
        .collect();
    let markers: Vec<&str> = markers.iter().map(String::as_str).collect();

    // Planted everywhere on the nodes: every free-text column, and findable in the node's files
    // (the scanner's positive control).
    for (c, (_, _, _, canary)) in fed.chapters.iter().zip(&chapters) {
        assert_canary_in_every_text_column(&c.node.store, canary);
        let on_node = canary::scan_dir(c.node.dir.root(), &[canary]);
        assert!(
            !on_node.is_empty(),
            "the scanner misses the node's own canary"
        );
    }

    // No hub file holds a canary (raw, base64, or base64 inside base64).
    let mut hub_dirs = vec![fed.national.dir()];
    hub_dirs.extend(fed.regional.as_ref().map(|r| r.dir()));
    for dir in &hub_dirs {
        let found = canary::scan_dir(dir, &canaries);
        assert!(found.is_empty(), "canary in a hub file:\n{}", show(&found));
    }

    // No byte on the wire, either direction.
    for p in fed.proxies() {
        for (i, conn) in p.captured().iter().enumerate() {
            for (dir, bytes) in [("sent", &conn.sent), ("received", &conn.received)] {
                let found =
                    canary::search(&format!("{} conn {i} {dir}", p.url()), bytes, &canaries);
                assert!(found.is_empty(), "canary on the wire:\n{}", show(&found));
            }
        }
    }

    // Sealed bytes are encrypted, so open them with the receiving hub's identity and search the
    // plaintext envelopes: that is the meaningful check. The public markers (campaign titles
    // the chapters chose to publish) must be found there, proving the search sees inside.
    let mut opened_all = Vec::new();
    for c in &fed.chapters {
        let hub = fed.parent_of(c);
        let (opened, failed) = canary::open_sealed(&c.proxy.request_bodies(), hub.hub.keys());
        assert_eq!(failed, 0);
        assert_eq!(opened.len(), 1, "{}: one sealed report", c.name);
        opened_all.extend(opened);
    }
    let to_national = fed.regional_proxy.as_ref().unwrap();
    let (opened, failed) =
        canary::open_sealed(&to_national.request_bodies(), fed.national.hub.keys());
    assert_eq!((opened.len(), failed), (1, 0), "one sealed rollup");
    opened_all.extend(opened);
    for (i, env) in opened_all.iter().enumerate() {
        let found = canary::search(&format!("opened envelope {i}"), env, &canaries);
        assert!(
            found.is_empty(),
            "canary in a sealed envelope:\n{}",
            show(&found)
        );
    }
    let seen: Vec<Finding> = opened_all
        .iter()
        .flat_map(|e| canary::search("opened", e, &markers))
        .collect();
    for m in &markers {
        assert!(
            seen.iter().any(|f| f.needle == *m),
            "public marker {m} not seen: the plaintext search is blind"
        );
    }
    // The regional hub's forward carries Durham's and Houston's reports beside its rollup (the
    // bundle's documents, base64 once): the search sees inside them.
    let rollup = opened_all.last().unwrap();
    let nested = canary::search("rollup", rollup, &markers);
    assert!(
        nested
            .iter()
            .any(|f| f.needle == markers[0] && f.form.contains("depth 1")),
        "{}",
        show(&nested)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_down_then_up_delivers_exactly_once() {
    let mut fed = Federation::builder()
        .chapter(profile("Durham DSA", "NC", 60, 10), Parent::Regional)
        .start()
        .await
        .unwrap();
    fed.regional.as_mut().unwrap().stop().await.unwrap();
    let durham = fed.chapter("Durham DSA").unwrap();
    let (store, dir) = (durham.node.store.clone(), durham.node.dir.clone());
    let queued = blocking(move || {
        Ok(shopfloor_node::federation::reports::enqueue(
            &store,
            &dir,
            period(),
        )?)
    })
    .await
    .unwrap();
    // The hub is down: the attempt fails and is kept for later.
    let outcomes = outbox::deliver_due(&durham.node.store).await.unwrap();
    assert!(
        matches!(outcomes.as_slice(), [outbox::Outcome::Retry { .. }]),
        "{outcomes:?}"
    );
    let item = durham
        .node
        .store
        .read(|c| outbox::item(c, queued.outbox_id))
        .unwrap()
        .unwrap();
    assert_eq!((item.status.as_str(), item.attempts), ("pending", 1));

    // Back up, on the same address.
    fed.regional.as_mut().unwrap().restart().await.unwrap();
    let durham = fed.chapter("Durham DSA").unwrap();
    durham.node.store.write(|tx| outbox::retry_now(tx)).unwrap();
    let done = outbox::wait_for(
        &durham.node.store,
        queued.outbox_id,
        Duration::from_secs(30),
    )
    .await
    .unwrap();
    assert_eq!(done.status, "delivered", "{done:?}");
    assert_eq!(done.attempts, 2);

    // Posting the same sealed bytes again gets the same receipt, and the hub holds one report.
    let bodies = durham.proxy.request_bodies();
    let sealed = bodies
        .iter()
        .rev()
        .find(|b| b.starts_with(b"age-encryption.org/"))
        .unwrap()
        .clone();
    let url = format!("{}/api/v1/reports", fed.regional.as_ref().unwrap().url());
    let client = shopfloor_node::federation::client().unwrap();
    let r1 = client.post(&url).body(sealed.clone()).send().await.unwrap();
    assert_eq!(r1.status(), 200);
    let r1 = r1.bytes().await.unwrap();
    let r2 = client
        .post(&url)
        .body(sealed)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(r1, r2);
    let regional = &fed.regional.as_ref().unwrap().hub;
    assert_eq!(held(regional, "durham-dsa", period()), vec![(1, 0)]);
}

/// The README's first command, headless: exits 0 only when national's rollup verifies.
#[test]
fn demo_smoke_passes() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shopfloor-demo"))
        .args(["--smoke", "--members", "200"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("OK: rollup by national-labor-commission"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3 chapter reports and 2 hub rollups verified"),
        "{stdout}"
    );
    // Two per enrollment (four enrollments), and the trustees' joint key.
    assert_eq!(stdout.matches("fingerprint ").count(), 9, "{stdout}");
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("Joint key for encrypted small cells"))
            .count(),
        1,
        "{stdout}"
    );
}
