//! The attacker's test: from published bytes only (report payloads as a hub receives them, and
//! every page a hub viewer can load), an exact integer bound on every withheld cell; each test
//! fails when any cell is narrower than k (docs/threat-model.md, design §6: the unit of protection
//! is everything an outsider sees together).
//!
//! The attacker model lives in `shopfloor_testbed::attack`. Each test also checks that the model
//! is sound: the true values (read from the node's store, never given to the attacker) lie inside
//! every interval, so a wrong relation cannot pass or fail the test by accident.
//!
//! One file over 800 lines: every case shares the synthetic chapters, the published-report and
//! soundness helpers, and one test binary (each links a node and a hub).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use shopfloor_node::datadir::{self, DataDir};
use shopfloor_node::domain::{members, workplaces};
use shopfloor_node::report;
use shopfloor_node::store::Store;
use shopfloor_protocol::envelope::Document as _;
use shopfloor_protocol::{Cell, CellKey, Period, Report};
use shopfloor_testbed::attack::hub::{Shown, View, attack_views, parse_page};
use shopfloor_testbed::attack::{AttackResult, attack_report_as, consecutive};
use shopfloor_testbed::federation::{Federation, Parent, last_day, last_month};
use shopfloor_testbed::synth::{self, ChapterProfile};

const PASSWORD: &str = "attacker test password 1";

/// A node loaded with a synthetic chapter of `n` members.
fn chapter(root: &Path, n: usize, seed: u64) -> (DataDir, Store, synth::Chapter) {
    datadir::init(root, &format!("Attack {n}"), "NC", Some(PASSWORD.into())).unwrap();
    let dir = DataDir::new(root);
    let store = dir.open_store().unwrap();
    let ch = synth::generate(&ChapterProfile::new(&format!("Attack {n}"), "NC", n, seed));
    synth::load(&store, &ch).unwrap();
    (dir, store, ch)
}

/// The report payload bytes the node would sign, parsed back the way a hub parses them.
fn published(dir: &DataDir, store: &Store, period: Period) -> Report {
    let config = dir.config().unwrap();
    let card = dir.card().unwrap();
    let built = store
        .read(|c| {
            let ctx = report::context(c, &config, &card, period)?;
            report::build(c, &ctx)
        })
        .unwrap();
    let bytes = built.report.to_payload();
    Report::from_payload(&bytes).unwrap()
}

fn raw(store: &Store, period: Period) -> Vec<Cell> {
    store.read(|c| report::raw_cells(c, period)).unwrap()
}

fn truth(raw: &[Cell], key: &CellKey) -> i64 {
    raw.iter()
        .find(|c| &c.key == key)
        .and_then(|c| c.value.count())
        .map_or(0, |v| i64::try_from(v).unwrap())
}

/// The model must be sound: no contradiction, and every true value inside its interval.
fn assert_sound(result: &AttackResult, raw: &[Cell]) {
    assert!(
        result.contradictions.is_empty(),
        "{}: the attacker's relations contradict the published data: {:?}",
        result.case,
        result.contradictions
    );
    for c in &result.cells {
        let Some(key) = &c.key else { continue };
        let t = truth(raw, key);
        assert!(
            c.lo <= t && t <= c.hi,
            "{}: {} is {t}, outside the attacker's interval [{}, {}]: a relation is wrong",
            result.case,
            c.cell,
            c.lo,
            c.hi
        );
    }
}

fn period() -> Period {
    // ChapterProfile::new dates everything on or before 2026-01-31.
    "2026-01".parse().unwrap()
}

fn chapter_case(n: usize, seed: u64) {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, store, _) = chapter(&tmp.path().join("node"), n, seed);
    let report = published(&dir, &store, period());
    let started = std::time::Instant::now();
    let result = attack_report_as(&report, &format!("chapter of {n} members"));
    println!("{}", result.table());
    println!("   attack took {:.1} s", started.elapsed().as_secs_f64());
    assert_sound(&result, &raw(&store, period()));
    let narrow = result.narrow();
    assert!(
        narrow.is_empty(),
        "chapter of {n} members: {} of {} withheld cells are narrower than k = {} from the published report alone:\n{}",
        narrow.len(),
        result.cells.len(),
        result.k,
        result.table()
    );
}

#[test]
fn report_of_20_members_leaves_no_withheld_cell_narrower_than_k() {
    chapter_case(20, 20);
}

#[test]
fn report_of_120_members_leaves_no_withheld_cell_narrower_than_k() {
    chapter_case(120, 120);
}

#[test]
fn report_of_800_members_leaves_no_withheld_cell_narrower_than_k() {
    chapter_case(800, 800);
}

#[test]
fn report_of_5000_members_leaves_no_withheld_cell_narrower_than_k() {
    chapter_case(5000, 5000);
}

/// Measures (prints) what two consecutive reports tell about one member added between them;
/// asserts only that the attacker's candidates hold the member's true values (soundness).
#[test]
fn consecutive_reports_measure_what_they_tell_about_a_new_member() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, store, _) = chapter(&tmp.path().join("node"), 800, 801);
    let before = published(&dir, &store, period());
    // One new member, with a workplace, a union status, a language and a readiness level.
    let (wp, county, stage, sector) = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id, county_fips, CAST(stage AS TEXT), sector FROM workplaces
                 WHERE stage = 3 ORDER BY id LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )?)
        })
        .unwrap();
    store
        .write(|tx| {
            let id = members::create(
                tx,
                &members::ListFields {
                    actionkit_id: Some("ak-new-0001".into()),
                    first_name: "Nueva".into(),
                    last_name: "Integrante".into(),
                    membership_status: "Member in Good Standing".into(),
                    union_member: "Currently organizing my workplace".into(),
                    preferred_language: Some("es".into()),
                    ..Default::default()
                },
            )?;
            members::update_node_fields(
                tx,
                id,
                &members::NodeFields {
                    readiness: Some(2),
                    ..Default::default()
                },
            )?;
            workplaces::link_member(
                tx,
                &workplaces::Link {
                    member_id: id,
                    workplace_id: wp,
                    job_title: String::new(),
                    since: None,
                    is_primary: true,
                },
            )?;
            Ok(())
        })
        .unwrap();
    let after = published(&dir, &store, period());
    let started = std::time::Instant::now();
    let found = consecutive::new_member(&before, &after);
    println!("{}", found.table());
    println!("   attack took {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        found.contradictions.is_empty(),
        "{:?}",
        found.contradictions
    );
    let truth: Vec<(&str, &str)> = vec![
        ("county", &county),
        ("stage", &stage),
        ("sector", &sector),
        ("union-status", "organizing"),
        ("union", "none"),
        ("language", "es"),
        ("readiness", "2"),
        ("status", "good-standing"),
        ("state", "NC"),
    ];
    for (dim, value) in truth {
        let a = found
            .attributes
            .iter()
            .find(|a| a.dim.key() == dim)
            .unwrap();
        assert!(
            a.candidates.iter().any(|c| c == value),
            "the new member's {dim} is {value}, not among the attacker's candidates {:?}",
            a.candidates
        );
    }
    let named = ["county", "stage", "union-status", "language", "readiness"];
    let determined: Vec<&str> = found
        .determined()
        .iter()
        .map(|a| a.dim.key())
        .filter(|d| named.contains(d))
        .collect();
    println!(
        "   of county, stage, union status, language and readiness, {} determined exactly: {determined:?}",
        determined.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Hub viewers.

struct Viewer {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Viewer {
    async fn login(base: String) -> Viewer {
        let client = shopfloor_node::federation::client().unwrap();
        let resp = client
            .post(format!("{base}/api/v1/login"))
            .json(&serde_json::json!({"name": "vera", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert!(
            resp.status().is_success(),
            "viewer login: {}",
            resp.status()
        );
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["role"], "viewer");
        let token = body["token"].as_str().unwrap().to_owned();
        Viewer {
            client,
            base,
            token,
        }
    }

    async fn get(&self, path: &str) -> String {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("sf_session={}", self.token))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.text().await.unwrap()
    }

    /// Every page of one level: overview (top level only), dashboards, the map for each metric
    /// with a state table. Returns the level's view and its drill-down rows.
    async fn level(
        &self,
        label: &str,
        period: Period,
        path: Option<&str>,
        atoms: &[&str],
    ) -> (Vec<View>, Vec<(String, u64, Shown)>) {
        let q = match path {
            Some(p) => format!("period={period}&path={p}"),
            None => format!("period={period}"),
        };
        let mut views = Vec::new();
        let mut drill = Vec::new();
        let mut pages = vec![(format!("/ui/dashboards?{q}"), None)];
        if path.is_none() {
            pages.push(("/ui".to_owned(), None));
        }
        for metric in ["members", "workplaces"] {
            pages.push((format!("/ui/map?metric={metric}&{q}"), Some(metric)));
        }
        for (url, metric) in pages {
            let html = self.get(&url).await;
            let page = parse_page(&html, metric, &period.to_string());
            drill.extend(page.drill.clone());
            views.push(View {
                page: format!("{label} {url}"),
                atoms: atoms.iter().map(|a| (*a).to_owned()).collect(),
                cells: page.cells,
                complete: page.complete,
            });
        }
        (views, drill)
    }
}

/// A viewer at national and at the Southern hub, loading every page before and after the
/// chapter that reports straight to national reports. The pages sum two atoms: the Southern
/// region's chapters (as its drill-down row says) and the one chapter reporting to national
/// (the overview says 2 children reported; only the region is listed, so the other is a chapter).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_viewer_pages_leave_no_cell_narrower_than_k() {
    hub_viewer_case(true).await;
}

/// The demo federation's own shape: Durham and Houston under the Southern region, Southern Maine
/// straight to national.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_federation_viewer_pages_leave_no_cell_narrower_than_k() {
    hub_viewer_case(false).await;
}

async fn hub_viewer_case(with_atlanta: bool) {
    let regional_chapters: u64 = if with_atlanta { 3 } else { 2 };
    let period = last_month().unwrap();
    let as_of = last_day(period).unwrap();
    let mut builder = Federation::builder()
        .chapter(
            ChapterProfile::new("Durham DSA", "NC", 300, 11)
                .county("37063")
                .as_of(as_of),
            Parent::Regional,
        )
        .chapter(
            ChapterProfile::new("Houston DSA", "TX", 450, 12)
                .county("48201")
                .as_of(as_of),
            Parent::Regional,
        )
        .chapter(
            ChapterProfile::new("Southern Maine DSA", "ME", 250, 14)
                .county("23005")
                .as_of(as_of),
            Parent::National,
        );
    if with_atlanta {
        builder = builder.chapter(
            ChapterProfile::new("Atlanta DSA", "GA", 350, 13)
                .county("13121")
                .as_of(as_of),
            Parent::Regional,
        );
    }
    let fed = builder.start().await.unwrap();
    let regional = fed.regional.as_ref().unwrap();
    for hub in [&fed.national, regional] {
        shopfloor_hub::users::add(
            hub.hub.store(),
            "vera",
            shopfloor_hub::users::Role::Viewer,
            PASSWORD,
        )
        .unwrap();
    }
    let region_id = regional.card().id.to_string();
    for c in fed.chapters.iter().filter(|c| c.parent == Parent::Regional) {
        let item = fed.submit(c, period).await.unwrap();
        assert_eq!(item.status, "delivered");
    }
    shopfloor_hub::forward::forward(&regional.hub, period, 5)
        .await
        .unwrap();
    // Viewers see only publications: the region publishes, then national.
    for hub in [&regional.hub, &fed.national.hub] {
        shopfloor_hub::publish::publish(hub, period, shopfloor_hub::publish::Trigger::Command)
            .unwrap();
    }

    let national = Viewer::login(fed.national.url()).await;
    let southern = Viewer::login(regional.url()).await;
    let (r, d) = ("south", "direct");
    let mut views = Vec::new();
    // Before the direct chapter reports.
    let (v, _) = national
        .level("national (before)", period, None, &[r])
        .await;
    views.extend(v);
    let (v, _) = national
        .level("national (before) > region", period, Some(&region_id), &[r])
        .await;
    views.extend(v);
    // After.
    let maine = fed.chapter("Southern Maine DSA").unwrap();
    let item = fed.submit(maine, period).await.unwrap();
    assert_eq!(item.status, "delivered");
    // A late report goes into a new publication only if it cannot single a chapter out.
    shopfloor_hub::publish::tick(&fed.national.hub, jiff::Timestamp::now()).unwrap();
    let (v, drill) = national.level("national", period, None, &[r, d]).await;
    views.extend(v);
    assert!(
        drill
            .iter()
            .any(|(_, chapters, _)| *chapters == regional_chapters),
        "the drill-down lists the region with its {regional_chapters} chapters: {drill:?}"
    );
    for (name, _, shown) in &drill {
        views.push(View {
            page: format!("national drill-down row {name}"),
            atoms: vec![r.to_owned()],
            cells: vec![(CellKey::total("members"), *shown)],
            complete: Vec::new(),
        });
    }
    let (v, _) = national
        .level("national > region", period, Some(&region_id), &[r])
        .await;
    views.extend(v);
    let (v, _) = southern.level("southern", period, None, &[r]).await;
    views.extend(v);

    let started = std::time::Instant::now();
    let result = attack_views(
        "hub viewer pages (national and Southern, before and after one chapter reports)",
        &views,
        &[(r.to_owned(), regional_chapters), (d.to_owned(), 1)],
        5,
    );
    println!("{}", result.table());
    println!(
        "   {} views read; attack took {:.1} s",
        views.len(),
        started.elapsed().as_secs_f64()
    );
    // Soundness against the direct chapter's true cells.
    let maine_raw = raw(&maine.node.store, period);
    for c in result
        .cells
        .iter()
        .filter(|c| c.cell.starts_with("single chapter"))
    {
        let Some(key) = &c.key else { continue };
        if key.dims.keys().any(|d| d.terms().is_none()) {
            continue; // open vocabularies are keyed by their labels on pages
        }
        let t = truth(&maine_raw, key);
        assert!(
            c.lo <= t && t <= c.hi,
            "{}: true {t} outside [{}, {}]",
            c.cell,
            c.lo,
            c.hi
        );
    }
    assert!(
        result.contradictions.is_empty(),
        "{:?}",
        result.contradictions
    );
    let narrow = result.narrow();
    let exact_single = result
        .cells
        .iter()
        .filter(|c| c.cell.starts_with("single chapter") && c.width() == 1 && c.hi > 0)
        .count();
    println!("   single-chapter cells known exactly: {exact_single}");
    assert!(
        narrow.is_empty(),
        "viewer pages: {} cells narrower than k = 5 ({exact_single} of one chapter's cells exact):\n{}",
        narrow.len(),
        result.table()
    );
}

// ---- Released aggregates of encrypted cells (issue 14) ----

use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::threshold::family::{self, Candidate, Form};
use shopfloor_protocol::threshold::narrowing::Reports;
use shopfloor_protocol::threshold::{ChapterBound, ReleasePolicy};
use shopfloor_testbed::attack::released::{self, ReleasedAggregate};

/// What the attacker knows of each chapter's withheld cell before any release, by chapter and key.
type Known = std::collections::BTreeMap<(String, CellKey), (u64, u64)>;

/// A synthetic chapter as the release test uses it: id, published report, true cells, bounds.
struct Encrypting {
    id: String,
    report: Report,
    raw: Vec<Cell>,
    bounds: std::collections::BTreeMap<CellKey, u64>,
}

fn encrypting(root: &Path, i: usize, members: usize) -> Encrypting {
    encrypting_seeded(root, i, members, 14_000)
}

fn encrypting_seeded(root: &Path, i: usize, members: usize, seed: u64) -> Encrypting {
    let (dir, store, _) = chapter(&root.join(format!("c{i}")), members, seed + i as u64);
    let report = published(&dir, &store, period());
    let raw = raw(&store, period());
    let bounds = released::range_bounds(&report, &raw);
    Encrypting {
        id: format!("c{i:02}"),
        report,
        raw,
        bounds,
    }
}

/// The rare-but-strategic keys the test releases: every withheld cell of members by union
/// status and workplaces by stage.
fn rare_keys(chapters: &[Encrypting]) -> std::collections::BTreeSet<CellKey> {
    chapters
        .iter()
        .flat_map(|c| c.bounds.keys())
        .filter(|k| {
            k.dims.len() == 1
                && ((k.metric == "members" && k.dims.contains_key(&Dim::UnionStatus))
                    || (k.metric == "workplaces" && k.dims.contains_key(&Dim::Stage)))
        })
        .cloned()
        .collect()
}

/// One candidate per key and view: the view's chapters that encrypted the key, with the true
/// sum as its value.
fn candidates(
    chapters: &[Encrypting],
    views: &[(Vec<String>, Vec<usize>)],
    keys: &std::collections::BTreeSet<CellKey>,
    known: &Known,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for key in keys {
        for (view, members) in views {
            let mut bounds = Vec::new();
            let mut value = 0u64;
            let mut intervals = std::collections::BTreeMap::new();
            for &i in members {
                let c = &chapters[i];
                if let Some(b) = c.bounds.get(key) {
                    let id = shopfloor_protocol::PartyId::new(&c.id).unwrap();
                    if let Some(iv) = known.get(&(c.id.clone(), key.clone())) {
                        intervals.insert(id.clone(), *iv);
                    }
                    bounds.push(ChapterBound {
                        chapter: id,
                        bound: *b,
                    });
                    value += truth(&c.raw, key) as u64;
                }
            }
            if !bounds.is_empty() {
                out.push(
                    Candidate::new(key.clone(), view.clone(), bounds)
                        .with_value(value)
                        .with_known(intervals),
                );
            }
        }
    }
    out
}

fn released_of(cands: &[Candidate], released: &[bool]) -> Vec<ReleasedAggregate> {
    cands
        .iter()
        .zip(released)
        .filter(|(_, r)| **r)
        .map(|(c, _)| ReleasedAggregate {
            key: c.key.clone(),
            chapters: c.chapters.iter().map(|b| b.chapter.to_string()).collect(),
            value: c.value.unwrap_or(0),
        })
        .collect()
}

fn sound(result: &AttackResult, owners: &[String], chapters: &[Encrypting]) {
    assert!(
        result.contradictions.is_empty(),
        "{:?}",
        result.contradictions
    );
    for (c, owner) in result.cells.iter().zip(owners) {
        let ch = chapters.iter().find(|x| &x.id == owner).unwrap();
        let t = truth(&ch.raw, c.key.as_ref().unwrap());
        assert!(
            c.lo <= t && t <= c.hi,
            "{}: true {t} outside [{}, {}]",
            c.cell,
            c.lo,
            c.hi
        );
    }
}

/// One synthetic family for the released-aggregates test: `n` chapters (members
/// `30 + (i · step) % 220`, seeds `seed + i`) in `regions` regions of consecutive chapters.
struct Family {
    seed: u64,
    n: usize,
    regions: usize,
    step: usize,
}

/// What one family's run measured.
struct FamilyRun {
    /// Withheld cells the decided releases narrow (must be none).
    failures: Vec<String>,
    /// Withheld cells the per-key decision (no clause 9) narrows, when asked for.
    per_key_failures: Option<Vec<String>>,
    /// Aggregates released (before decryption, after) with clause 9 and per key.
    decided: (usize, usize),
    per_key: (usize, usize),
    cells: usize,
}

/// Decides the family's releases before and after decryption (the trustees' form on bounds,
/// then the combiner's on the values of what was decrypted), with `decide` or per key.
fn decide_both(
    policy: &ReleasePolicy,
    cands: &[Candidate],
    lines: &[family::Line],
    per_key: bool,
    reports: &dyn family::Narrowing,
) -> (family::Decision, family::Decision) {
    let run = |c: &[Candidate], form| {
        if per_key {
            family::decide_per_key(policy, c, lines, form, reports)
        } else {
            family::decide_with(policy, c, lines, form, reports)
        }
    };
    let before = run(cands, Form::BeforeDecryption);
    let decrypted: Vec<Candidate> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut c = c.clone();
            if !before.releases(i) {
                c.value = None;
            }
            c
        })
        .collect();
    let after = run(&decrypted, Form::AfterDecryption);
    for (i, r) in after.released.iter().enumerate() {
        assert!(!r || before.releases(i), "released after but not before");
    }
    if !per_key {
        let after_ok = family::audit_with(
            policy,
            &decrypted,
            lines,
            &after,
            Form::AfterDecryption,
            reports,
        );
        assert!(after_ok.is_empty(), "{after_ok:?}");
        assert!(family::audit(policy, cands, lines, &before, Form::BeforeDecryption).is_empty());
    }
    (before, after)
}

fn count(d: &family::Decision) -> usize {
    d.released.iter().filter(|r| **r).count()
}

/// Builds the family, decides its releases and runs the attacker's program over every report,
/// range proof and released aggregate; with `per_key_too`, also over the per-key decision.
fn released_family(f: &Family, per_key_too: bool) -> FamilyRun {
    let tmp = tempfile::tempdir().unwrap();
    let chapters: Vec<Encrypting> = (0..f.n)
        .map(|i| encrypting_seeded(tmp.path(), i, 30 + (i * f.step) % 220, f.seed))
        .collect();
    let k = chapters[0].report.policy.k;
    let policy = ReleasePolicy::new(k).unwrap();
    let mut views: Vec<(Vec<String>, Vec<usize>)> = vec![(Vec::new(), (0..f.n).collect())];
    let size = f.n.div_ceil(f.regions);
    for r in 0..f.regions {
        views.push((
            vec![format!("r{r}")],
            (r * size..((r + 1) * size).min(f.n)).collect(),
        ));
    }
    let keys = rare_keys(&chapters);
    let seen: Vec<released::Chapter<'_>> = chapters
        .iter()
        .map(|c| released::Chapter {
            id: c.id.clone(),
            report: &c.report,
            bounds: c.bounds.clone(),
        })
        .collect();
    // What each chapter's report already implies (the node's own audit computes the same):
    // the rule must not narrow it.
    let started = std::time::Instant::now();
    let (base, owners) = released::attack_released("no release", k, &seen, &[], &keys);
    sound(&base, &owners, &chapters);
    let known: Known = base
        .cells
        .iter()
        .zip(&owners)
        .map(|(c, o)| {
            let lo = u64::try_from(c.lo).unwrap();
            let hi = u64::try_from(c.hi).unwrap();
            ((o.clone(), c.key.clone().unwrap()), (lo, hi))
        })
        .collect();
    let cands = candidates(&chapters, &views, &keys, &known);
    let lines = family::table_lines(&keys);
    // Clause 10 on each chapter's report and the bounds the attacker assumes its proofs show.
    let mut reports = Reports::new(k);
    for c in &chapters {
        let id = shopfloor_protocol::PartyId::new(&c.id).unwrap();
        reports.insert_with_bounds(id, &c.report, &c.bounds);
    }
    let (before, after) = decide_both(&policy, &cands, &lines, false, &reports);
    let (pk_before, pk_after) = decide_both(&policy, &cands, &lines, true, &reports);
    for (i, c) in cands.iter().enumerate() {
        println!(
            "   {:<40} {:?} {} chapters: {}",
            c.key.to_string(),
            c.view,
            c.chapters.len(),
            if after.releases(i) {
                format!("released {}", c.value.unwrap_or(0))
            } else {
                format!("withheld ({:?})", after.withheld.get(&i))
            }
        );
    }
    let narrowed = |decision: &family::Decision, case: &str| {
        let published = released_of(&cands, &decision.released);
        let (with, owners_with) = released::attack_released(case, k, &seen, &published, &keys);
        assert_eq!(owners, owners_with);
        sound(&with, &owners, &chapters);
        with.cells
            .iter()
            .zip(&base.cells)
            .filter(|(c, b)| !released::protected(c, b, k))
            .map(|(c, b)| {
                format!(
                    "{}: [{}, {}], without releases [{}, {}]",
                    c.cell, c.lo, c.hi, b.lo, b.hi
                )
            })
            .collect::<Vec<String>>()
    };
    let failures = narrowed(&after, "released aggregates");
    let per_key_failures = per_key_too.then(|| narrowed(&pk_after, "per key, no clause 9"));
    let run = FamilyRun {
        failures,
        per_key_failures,
        decided: (count(&before), count(&after)),
        per_key: (count(&pk_before), count(&pk_after)),
        cells: base.cells.len(),
    };
    println!(
        "seed {} ({} chapters, {} regions): {} candidates over {} keys; released before/after \
         decryption: {}/{} with clause 9, {}/{} per key; {} withheld cells; attacks took {:.1} s",
        f.seed,
        f.n,
        f.regions,
        cands.len(),
        keys.len(),
        run.decided.0,
        run.decided.1,
        run.per_key.0,
        run.per_key.1,
        run.cells,
        started.elapsed().as_secs_f64()
    );
    run
}

/// 30 synthetic chapters in 3 regions of 10, k = 5: the family rule decides which aggregates of
/// union status and organizing stage national and the regions release; the attacker's program
/// over every chapter's report, every range proof and every released aggregate must leave each
/// withheld cell as wide as the disclosure rule demands ([`released::protected`]: not narrower
/// than k, or, for a cell its proof bounds below k, exactly as wide as without any release,
/// measured in the same run).
///
/// The same family decided per key (without clause 9, tied cells) narrows cells: chapter c12's
/// complementary `workplaces[stage=2]` and `[stage=5]` share one public line sum, and
/// aggregates of several stages at national and its region couple them (docs/threat-model.md
/// §10). That half shows the test can fail.
#[test]
fn released_aggregates_leave_every_withheld_cell_protected() {
    let run = released_family(
        &Family {
            seed: 14_000,
            n: 30,
            regions: 3,
            step: 53,
        },
        true,
    );
    let per_key = run.per_key_failures.unwrap();
    assert!(
        !per_key.is_empty(),
        "per key, the finding should reproduce: some withheld cell narrowed"
    );
    println!(
        "per key (no clause 9): {} cells narrowed:\n{}",
        per_key.len(),
        per_key.join("\n")
    );
    assert!(
        run.failures.is_empty(),
        "{} withheld cells narrowed by released aggregates:\n{}",
        run.failures.len(),
        run.failures.join("\n")
    );
    // Clause 9's price on this family: 3 of the 13 aggregates the per-key rule published.
    assert!(
        run.decided.1 >= 3,
        "the test must release something to mean anything"
    );
}

/// Two more families, other seeds and shapes: 24 chapters in 4 regions of 6, and 36 chapters
/// in 2 regions of 18.
#[test]
fn released_aggregates_leave_every_withheld_cell_protected_other_families() {
    for f in [
        Family {
            seed: 24_000,
            n: 24,
            regions: 4,
            step: 71,
        },
        Family {
            seed: 36_000,
            n: 36,
            regions: 2,
            step: 37,
        },
    ] {
        let run = released_family(&f, false);
        assert!(
            run.failures.is_empty(),
            "seed {}: {} withheld cells narrowed by released aggregates:\n{}",
            f.seed,
            run.failures.len(),
            run.failures.join("\n")
        );
        assert!(
            run.decided.1 >= 1,
            "seed {}: the test must release something to mean anything",
            f.seed
        );
    }
}

/// The negative case: national and a region whose chapter sets differ by one chapter. The
/// family rule refuses national; forced to release both, the attacker pins that chapter's cell.
#[test]
fn national_and_a_region_one_chapter_apart_are_refused_and_forcing_them_pins_the_chapter() {
    let tmp = tempfile::tempdir().unwrap();
    let chapters: Vec<Encrypting> = (0..12)
        .map(|i| encrypting(tmp.path(), i, 30 + (i * 53) % 220))
        .collect();
    let k = chapters[0].report.policy.k;
    let policy = ReleasePolicy::new(k).unwrap();
    let keys = rare_keys(&chapters);
    // A key the region (chapters 0..10) may release and one chapter outside it encrypted.
    let region: Vec<usize> = (0..10).collect();
    let (key, outsider) = keys
        .iter()
        .find_map(|key| {
            let views = vec![(vec!["south".to_owned()], region.clone())];
            let c = candidates(&chapters, &views, &[key.clone()].into(), &Known::new());
            let ok =
                c.len() == 1 && family::decide(&policy, &c, &[], Form::AfterDecryption).releases(0);
            let outsider = (10..12).find(|i| chapters[*i].bounds.contains_key(key));
            ok.then_some(()).and(outsider).map(|o| (key.clone(), o))
        })
        .expect("a key the region releases and a chapter outside it encrypted");
    let mut national = region.clone();
    national.push(outsider);
    let views = vec![
        (Vec::new(), national.clone()),
        (vec!["south".to_owned()], region),
    ];
    let one: std::collections::BTreeSet<CellKey> = [key.clone()].into();
    let cands = candidates(&chapters, &views, &one, &Known::new());
    assert_eq!(cands.len(), 2);
    let d = family::decide(&policy, &cands, &[], Form::AfterDecryption);
    let national_ix = cands.iter().position(|c| c.view.is_empty()).unwrap();
    let region_ix = 1 - national_ix;
    assert!(d.releases(region_ix));
    assert!(!d.releases(national_ix), "national − region is one chapter");
    assert!(matches!(
        d.withheld.get(&national_ix),
        Some(family::Withheld::Block { chapters, .. }) if chapters.len() == 1
    ));
    // Forced: both released. The attacker pins the outsider's cell to its true value.
    let forced = released_of(&cands, &[true, true]);
    let seen: Vec<released::Chapter<'_>> = national
        .iter()
        .map(|i| released::Chapter {
            id: chapters[*i].id.clone(),
            report: &chapters[*i].report,
            bounds: chapters[*i].bounds.clone(),
        })
        .collect();
    let (with, owners) = released::attack_released("forced", k, &seen, &forced, &one);
    sound(&with, &owners, &chapters);
    let out = &chapters[outsider];
    let cell = with
        .cells
        .iter()
        .zip(&owners)
        .find(|(_, o)| **o == out.id)
        .map(|(c, _)| c)
        .unwrap();
    let t = truth(&out.raw, &key);
    assert_eq!((cell.lo, cell.hi), (t, t), "{}", cell.cell);
    // As decided, the outsider keeps the interval its proof gives.
    let decided = released_of(&cands, &d.released);
    let (safe, _) = released::attack_released("decided", k, &seen, &decided, &one);
    let (base, _) = released::attack_released("none", k, &seen, &[], &one);
    for (c, b) in safe.cells.iter().zip(&base.cells) {
        assert!(
            released::protected(c, b, k),
            "{}: [{}, {}]",
            c.cell,
            c.lo,
            c.hi
        );
    }
}

// ---- Totals over a withheld clear part (seventeenth session) ----

/// The attacker against `hub/src/publish/totals.rs` (docs/threat-model.md §10, "Totals over a
/// withheld clear part"): where the clear rule withholds a view's clear part `C` of a cell but
/// the view is complete and its encrypted part `D` was released, viewers see the exact total
/// `C + D`. The claim: viewers learn nothing of a `C` the clear rule withholds.
///
/// The attacker reads every view's union staff figure (national's and each region's) and knows,
/// for every chapter, whether it published its union staff (then at least `K`, here at most 40)
/// or encrypted it (then 1 to `K − 1`), which is more than viewers know. From that, an exact
/// integer program ([`Model`]) bounds each withheld clear part.
mod totals_attack {
    use std::collections::BTreeMap;

    use shopfloor_hub::decryption::ClearPart;
    use shopfloor_hub::publish::{self, Value, View, rule};
    use shopfloor_protocol::registry::Dim;
    use shopfloor_protocol::threshold::family::{self, Candidate, Form};
    use shopfloor_protocol::threshold::{ChapterBound, ReleasePolicy, Released};
    use shopfloor_protocol::{CellKey, CellValue, PartyId};
    use shopfloor_testbed::attack::model::{Bound, Lin, Model, Var};
    use shopfloor_testbed::synth::Rng;

    /// The viewers' minimum: chapters publish a count of at least `K` and encrypt a smaller one
    /// with range bound `K`; a withheld clear part must keep at least `K` candidate values.
    const K: u64 = 5;
    /// The largest union staff count a publishing chapter draws (the attacker knows it too).
    const MOST_STAFF: u64 = 40;
    /// The constraint families of the attacker's program.
    const DISPLAYS: &str = "displays";
    const CLEAR_PARTS: &str = "clear parts";

    fn staff() -> CellKey {
        CellKey::new("members", &[(Dim::UnionStatus, "staff")])
    }

    fn none() -> CellKey {
        CellKey::new("members", &[(Dim::UnionStatus, "none")])
    }

    /// One chapter: its members, its union staff and whether it published them (or encrypted
    /// them).
    #[derive(Clone, Debug)]
    struct Chapter {
        id: String,
        members: u64,
        staff: u64,
        published: bool,
    }

    /// National over two or three regions of chapters.
    #[derive(Clone, Debug)]
    struct Family {
        name: String,
        regions: Vec<(String, Vec<Chapter>)>,
    }

    impl Family {
        /// Family `seed`: 2 or 3 regions of 2 to 6 chapters, each with 30 to 80 members and
        /// union staff published (5 to 40) or encrypted (1 to 4) with even odds.
        fn generate(seed: u64) -> Family {
            let mut rng = Rng::new(seed);
            let draw = |rng: &mut Rng, lo: u64, hi: u64| {
                u64::try_from(rng.range(lo as i64, hi as i64)).unwrap()
            };
            let regions = (0..draw(&mut rng, 2, 3))
                .map(|r| {
                    let chapters = (0..draw(&mut rng, 2, 6))
                        .map(|c| {
                            let published = rng.permille(500);
                            let staff = if published {
                                draw(&mut rng, K, MOST_STAFF)
                            } else {
                                draw(&mut rng, 1, K - 1)
                            };
                            Chapter {
                                id: format!("r{r}-c{c}"),
                                members: draw(&mut rng, staff.max(30), 80),
                                staff,
                                published,
                            }
                        })
                        .collect();
                    (format!("r{r}"), chapters)
                })
                .collect();
            Family {
                name: format!("seed {seed}"),
                regions,
            }
        }

        fn chapters(&self) -> impl Iterator<Item = &Chapter> {
            self.regions.iter().flat_map(|(_, c)| c)
        }

        /// Every view (national first, then each region) with its chapters.
        fn views(&self) -> Vec<(Vec<String>, Vec<&Chapter>)> {
            let mut out = vec![(Vec::new(), self.chapters().collect())];
            for (id, chapters) in &self.regions {
                out.push((vec![id.clone()], chapters.iter().collect()));
            }
            out
        }

        /// The clear rule's tree, built as `publish::totals`'s unit tests build theirs.
        fn tree(&self) -> rule::Tree {
            let leaf = |c: &Chapter| {
                let mut cells = BTreeMap::new();
                cells.insert(CellKey::total("members"), CellValue::Count(c.members));
                cells.insert(none(), CellValue::Count(c.members - c.staff));
                let staffers = if c.published {
                    CellValue::Count(c.staff)
                } else {
                    CellValue::Suppressed
                };
                cells.insert(staff(), staffers);
                rule::Leaf {
                    id: c.id.clone(),
                    digest: format!("d-{}", c.id),
                    cells,
                }
            };
            rule::Tree {
                id: "national".into(),
                name: "national".into(),
                leaves: Vec::new(),
                hubs: self
                    .regions
                    .iter()
                    .map(|(id, chapters)| rule::Tree {
                        id: id.clone(),
                        name: id.clone(),
                        leaves: chapters.iter().map(leaf).collect(),
                        hubs: Vec::new(),
                    })
                    .collect(),
            }
        }

        /// The release rule's candidates: for each view where at least three chapters encrypted
        /// union staff, their aggregate (bound `K` each) with its true value.
        fn candidates(&self) -> Vec<Candidate> {
            self.views()
                .into_iter()
                .filter_map(|(view, chapters)| {
                    let encrypting: Vec<&Chapter> =
                        chapters.into_iter().filter(|c| !c.published).collect();
                    let bounds: Vec<ChapterBound> = encrypting
                        .iter()
                        .map(|c| ChapterBound {
                            chapter: PartyId::new(&c.id).unwrap(),
                            bound: K,
                        })
                        .collect();
                    let value = encrypting.iter().map(|c| c.staff).sum();
                    (encrypting.len() >= 3)
                        .then(|| Candidate::new(staff(), view, bounds).with_value(value))
                })
                .collect()
        }

        /// The released aggregates of `which` candidates, each with its view's clear part from
        /// the tree. The ciphertext is `publish::totals`'s unit tests' (nothing checks it here).
        fn releases(&self, tree: &rule::Tree, which: Releases) -> Vec<(Released, ClearPart)> {
            let cands = self.candidates();
            let released: Vec<bool> = match which {
                Releases::None => vec![false; cands.len()],
                Releases::Every => vec![true; cands.len()],
                Releases::ReleaseRule => {
                    // As the trustees (on bounds) and then the combiner (on values) decide.
                    let policy = ReleasePolicy::new(K).unwrap();
                    let before = family::decide(&policy, &cands, &[], Form::BeforeDecryption);
                    let decrypted: Vec<Candidate> = cands
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let mut c = c.clone();
                            if !before.releases(i) {
                                c.value = None;
                            }
                            c
                        })
                        .collect();
                    family::decide(&policy, &decrypted, &[], Form::AfterDecryption).released
                }
            };
            cands
                .iter()
                .zip(released)
                .filter(|(_, r)| *r)
                .map(|(c, _)| {
                    let r: Released = serde_json::from_value(serde_json::json!({
                        "key": c.key,
                        "view": c.view,
                        "tally": {
                            "key": "8658f099b44b5ea907ddbb32bdd8216ee0788c4fc923a5c28bf34c50f7fb0073",
                            "ciphertext": {
                                "random_element": "OCoHnNQS8G-kzuRutQdjuCUuSZzGmbRcw7J_0DUx1n8",
                                "blinded_element": "soYPguysuVIb2cDLu8ZnXpk_0tFeiObcZMRwDG-KgRw"
                            },
                            "chapters": c.chapters,
                        },
                        "shares": [],
                        "value": c.value,
                    }))
                    .unwrap();
                    let mut at = tree;
                    for step in &c.view {
                        at = at.hubs.iter().find(|h| &h.id == step).unwrap();
                    }
                    let cell = rule::sum(at.all_leaves()).remove(&staff()).unwrap();
                    let part = ClearPart {
                        sum: cell.sum,
                        suppressed: cell.suppressed,
                    };
                    (r, part)
                })
                .collect()
        }
    }

    /// Which of the release rule's candidates (views with at least three encrypting chapters)
    /// are released.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Releases {
        /// None: viewers see the clear rule's figures alone (the baseline).
        None,
        /// What the release rule releases, as the trustees and the combiner decide it.
        ReleaseRule,
        /// Every candidate, whatever the release rule says (a negative control).
        Every,
    }

    /// One withheld clear part the attacker bounded.
    #[derive(Debug)]
    struct Checked {
        path: Vec<String>,
        truth: i64,
        bound: Bound,
    }

    /// What one family's run found.
    #[derive(Debug)]
    struct Run {
        /// Every withheld clear part with at least one publishing chapter, and its bounds.
        checked: Vec<Checked>,
        /// Views showing union staff as the exact total `C + D` over a non-zero `C` the clear
        /// rule withholds.
        totals: usize,
        /// Each view's union staff as viewers see it, with the true `C` and `D`, for people.
        displays: Vec<String>,
    }

    impl Run {
        /// The clear parts this run leaves fewer than `K` values and fewer than `base` (the
        /// same family's views without any release) leaves them, or whose true value is outside
        /// the attacker's interval.
        fn failures<'a>(&'a self, base: &Run) -> Vec<&'a Checked> {
            let paths = |r: &Run| r.checked.iter().map(|c| c.path.clone()).collect::<Vec<_>>();
            assert_eq!(paths(self), paths(base), "one family, the same clear parts");
            self.checked
                .iter()
                .zip(&base.checked)
                .filter(|(c, b)| {
                    (c.bound.width() < K as i64 && c.bound.width() < b.bound.width())
                        || c.truth < c.bound.lo
                        || c.truth > c.bound.hi
                })
                .map(|(c, _)| c)
                .collect()
        }
    }

    /// How the attacker reads "at least n".
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Reading {
        /// As `attack::hub` does: the view's sum is at least n.
        LowerBound,
        /// Also, where the view has a publishing chapter, its clear part is exactly n: the clear
        /// rule's "at least" figure is the sum of the chapters that published (every release
        /// here is complete, so no total is shown as "at least"). Viewers cannot tell which
        /// chapters published, but this attacker knows it from the boxes anyway.
        ClearPart,
    }

    /// Publishes the family's views with `released` and runs the attacker's program over what
    /// they show of union staff, reading "at least n" as `reading` says.
    fn run(family: &Family, released: &[(Released, ClearPart)], reading: Reading) -> Run {
        let tree = family.tree();
        let clear = rule::decide(&tree);
        let views: Vec<View> = publish::views_with(&tree, released).unwrap();
        let key = staff();
        let mut m = Model::default();
        let mut truth: Vec<i64> = Vec::new();
        let mut var: BTreeMap<&str, Var> = BTreeMap::new();
        for c in family.chapters() {
            let (lo, hi) = if c.published {
                (K, MOST_STAFF)
            } else {
                (1, K - 1)
            };
            var.insert(&c.id, m.var(&c.id, lo as i64, hi as i64));
            truth.push(c.staff as i64);
        }
        let sum = |chapters: &[&Chapter]| {
            let terms: Vec<Lin> = chapters
                .iter()
                .map(|c| Lin::var(var[c.id.as_str()]))
                .collect();
            Lin::sum(&terms)
        };
        let mut displays = Vec::new();
        let mut totals = 0;
        let mut targets: Vec<(Vec<String>, Var)> = Vec::new();
        for (path, chapters) in family.views() {
            let shown = views
                .iter()
                .find(|v| v.path == path)
                .and_then(|v| v.cells.iter().find(|c| c.key == key))
                .map_or(Value::Withheld, |c| c.value);
            let publishing: Vec<&Chapter> =
                chapters.iter().copied().filter(|c| c.published).collect();
            let c_true: u64 = publishing.iter().map(|c| c.staff).sum();
            let d_true: u64 = chapters
                .iter()
                .filter(|c| !c.published)
                .map(|c| c.staff)
                .sum();
            let withheld = clear
                .views()
                .into_iter()
                .find(|d| d.path == path)
                .unwrap()
                .withheld
                .contains(&key);
            let all = sum(&chapters);
            match shown {
                Value::Exact(n) => m.eq(DISPLAYS, &all, &Lin::constant(n as i64)),
                // `attack::hub` adds one for the chapters that withheld the cell; a released
                // value over a zero clear part that complementary withholding hid is shown as a
                // lower bound although it is exact, so only `>= n` is sound for every display.
                Value::AtLeast(n) => {
                    m.ge(DISPLAYS, &all, &Lin::constant(n as i64));
                    if reading == Reading::ClearPart && !publishing.is_empty() {
                        m.eq(DISPLAYS, &sum(&publishing), &Lin::constant(n as i64));
                    }
                }
                Value::Withheld => {}
            }
            if withheld && c_true > 0 && shown == Value::Exact(c_true + d_true) {
                totals += 1;
            }
            displays.push(format!(
                "{:<10} {} chapters ({} publishing): C = {c_true}, D = {d_true}, clear rule {}, \
                 shown {shown:?}",
                if path.is_empty() {
                    "national".to_owned()
                } else {
                    path.join("/")
                },
                chapters.len(),
                publishing.len(),
                if withheld { "withholds C" } else { "shows C" },
            ));
            if withheld && !publishing.is_empty() {
                let most = MOST_STAFF * publishing.len() as u64;
                let c = m.var(format!("clear part at {path:?}"), 0, most as i64);
                m.eq(CLEAR_PARTS, &Lin::var(c), &sum(&publishing));
                truth.push(c_true as i64);
                targets.push((path, c));
            }
        }
        // Sound: the true values satisfy every relation the attacker wrote down.
        assert!(m.violated.is_empty(), "{}: {:?}", family.name, m.violated);
        let broken = m.holds(&truth);
        assert!(
            broken.is_empty(),
            "{}: the true values break the attacker's relations: {broken:?}\n{}",
            family.name,
            displays.join("\n")
        );
        let vars: Vec<Var> = targets.iter().map(|(_, v)| *v).collect();
        let checked = targets
            .into_iter()
            .zip(m.bounds(&vars, &[]))
            .map(|((path, v), bound)| Checked {
                path,
                truth: truth[v],
                bound,
            })
            .collect();
        Run {
            checked,
            totals,
            displays,
        }
    }

    /// The family in full, with what its run found, for a failure message.
    fn describe(family: &Family, released: &[(Released, ClearPart)], run: &Run) -> String {
        let mut out = vec![format!("{}:", family.name)];
        for (region, chapters) in &family.regions {
            let list: Vec<String> = chapters
                .iter()
                .map(|c| {
                    format!(
                        "{} ({} members, staff {} {})",
                        c.id,
                        c.members,
                        c.staff,
                        if c.published {
                            "published"
                        } else {
                            "encrypted"
                        }
                    )
                })
                .collect();
            out.push(format!("  region {region}: {}", list.join(", ")));
        }
        for (r, part) in released {
            let chapters: Vec<&str> = r
                .tally
                .chapters
                .iter()
                .map(|c| c.chapter.as_str())
                .collect();
            out.push(format!(
                "  released at {:?}: D = {} over {chapters:?}; clear part {} ({} withheld)",
                r.view, r.value, part.sum, part.suppressed
            ));
        }
        for d in &run.displays {
            out.push(format!("  {d}"));
        }
        for c in &run.checked {
            out.push(format!(
                "  withheld C at {:?}: true {}, attacker [{}, {}] ({} values{})",
                c.path,
                c.truth,
                c.bound.lo,
                c.bound.hi,
                c.bound.width(),
                if c.bound.proven { "" } else { ", not proven" }
            ));
        }
        out.join("\n")
    }

    /// Two hundred random families (national over 2 or 3 regions of 2 to 6 chapters; each
    /// chapter publishes its union staff, 5 to 40, or encrypts it, 1 to 4). Every view where at
    /// least three chapters encrypted is a candidate for release, and released views are
    /// complete by construction.
    ///
    /// What an attacker sees: every view's union staff figure (exact: the sum over the view's
    /// chapters; at least n: the sum is at least n; withheld: nothing), and, more than viewers
    /// know, each chapter's box (published: 5 to 40; encrypted: 1 to 4). From that an exact
    /// integer program bounds every clear part `C` (the sum of a view's publishing chapters)
    /// that the clear rule alone (`rule::decide`) withholds.
    ///
    /// Asserted, for the releases the release rule (`family::decide`, before and after
    /// decryption) allows: no such `C` is left fewer than `K` = 5 values unless the clear rule's
    /// figures alone (no release) already leave it as few (the attacker's boxes pin some clear
    /// parts without any total, e.g. national's when the only other region has no publishing
    /// chapter), and every true value is inside its interval; and at least 20 families really
    /// showed a total `C + D` over a non-zero withheld `C`, so the claim was exercised.
    ///
    /// The negative control releases every candidate, bypassing the release rule: an F-block
    /// (`publish::totals`) then may hold one or two encrypting chapters, which condition 1 lets
    /// through because the release rule would have made it at least three, and the attacker
    /// pins clear parts to four values. That half must find such a family, so the test can fail.
    #[test]
    fn totals_never_pin_a_withheld_clear_part_in_random_families() {
        let families = 200;
        for reading in [Reading::LowerBound, Reading::ClearPart] {
            let started = std::time::Instant::now();
            let (mut checked, mut totals, mut families_with_totals) = (0, 0, 0);
            // Clear parts left fewer than `K` values with the releases (each as narrow without).
            let mut under_k = 0;
            let mut narrowest: Option<(i64, String)> = None;
            let (mut failing, mut bypassed) = (Vec::new(), Vec::new());
            for seed in 0..families {
                let family = Family::generate(17_000 + seed);
                let tree = family.tree();
                let base = run(&family, &family.releases(&tree, Releases::None), reading);
                let released = family.releases(&tree, Releases::ReleaseRule);
                let with = run(&family, &released, reading);
                checked += with.checked.len();
                totals += with.totals;
                families_with_totals += usize::from(with.totals > 0);
                for c in &with.checked {
                    under_k += usize::from(c.bound.width() < K as i64);
                    if narrowest.as_ref().is_none_or(|(w, _)| c.bound.width() < *w) {
                        narrowest =
                            Some((c.bound.width(), format!("{} {:?}", family.name, c.path)));
                    }
                }
                if !with.failures(&base).is_empty() {
                    failing.push(describe(&family, &released, &with));
                }
                let every = family.releases(&tree, Releases::Every);
                let forced = run(&family, &every, reading);
                if !forced.failures(&base).is_empty() {
                    bypassed.push(describe(&family, &every, &forced));
                }
            }
            let (width, at) = narrowest.unwrap_or((0, "none".into()));
            println!(
                "totals ({reading:?}): {families} families, {checked} withheld clear parts \
                 checked, {totals} totals over a withheld clear part shown in \
                 {families_with_totals} families, narrowest clear part {width} values ({at}), \
                 {under_k} under {K} values (each as narrow without any release); bypassing the \
                 release rule pins clear parts in {} families; {:.1} s",
                bypassed.len(),
                started.elapsed().as_secs_f64()
            );
            if let Some(first) = bypassed.first() {
                println!("the first family the bypass pins:\n{first}");
            }
            assert!(
                failing.is_empty(),
                "{reading:?}: {} families pin a withheld clear part to fewer than {K} values:\n{}",
                failing.len(),
                failing.join("\n\n")
            );
            assert!(
                families_with_totals >= 20,
                "only {families_with_totals} families showed a total over a withheld clear part"
            );
            assert!(
                !bypassed.is_empty(),
                "{reading:?}: bypassing the release rule should pin some clear part: the test \
                 must be able to fail"
            );
        }
    }

    /// The leak condition 1 prevents (`publish::totals`): the South's two publishing chapters'
    /// clear part (6 + 8) is withheld and its four encrypting chapters' sum (13) is released at
    /// the South and at national. West publishes its two chapters' union staff (10 and 12,
    /// withheld: too few) and encrypts nothing, so national's total minus the South's would be
    /// West's clear part, 22. National shows its clear figure instead, and the attacker's
    /// program leaves West's clear part (and the South's) at least `K` values.
    ///
    /// Negative control, checked by hand when this test was written (the mutation is not kept):
    /// with one more display, national's exact total 49 (= 36 + 13), added to the program as an
    /// equality over all eight chapters, the attacker pins West's clear part to the single
    /// value 22 (and the South's to 14) and this test fails.
    #[test]
    fn totals_the_two_region_leak_shape_keeps_west_hidden() {
        let chapter = |id: &str, staff: u64, published: bool| Chapter {
            id: id.into(),
            members: 30 + staff,
            staff,
            published,
        };
        let family = Family {
            name: "south and west".into(),
            regions: vec![
                (
                    "south".into(),
                    vec![
                        chapter("s1", 6, true),
                        chapter("s2", 8, true),
                        chapter("s3", 3, false),
                        chapter("s4", 4, false),
                        chapter("s5", 2, false),
                        chapter("s6", 4, false),
                    ],
                ),
                (
                    "west".into(),
                    vec![chapter("w1", 10, true), chapter("w2", 12, true)],
                ),
            ],
        };
        let tree = family.tree();
        let released = family.releases(&tree, Releases::Every);
        let views: Vec<Vec<String>> = released.iter().map(|(r, _)| r.view.clone()).collect();
        assert_eq!(views, vec![Vec::<String>::new(), vec!["south".to_owned()]]);
        let base = run(
            &family,
            &family.releases(&tree, Releases::None),
            Reading::ClearPart,
        );
        let run = run(&family, &released, Reading::ClearPart);
        println!("{}", describe(&family, &released, &run));
        let west = run
            .checked
            .iter()
            .find(|c| c.path == ["west"])
            .expect("the clear rule withholds West's clear part");
        assert_eq!(west.truth, 22);
        assert!(
            west.bound.width() >= K as i64,
            "West's clear part is pinned:\n{}",
            describe(&family, &released, &run)
        );
        assert_eq!(run.totals, 1, "the South shows its total");
        assert!(
            run.failures(&base).is_empty(),
            "a withheld clear part is pinned:\n{}",
            describe(&family, &released, &run)
        );
    }
}
