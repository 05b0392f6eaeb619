//! Hub pages at 250 chapters × 12 periods, against a static page served by the same server over
//! real loopback HTTP, and the hub's memory after browsing every page.
//!
//! `cargo bench -p shopfloor-testbed --bench hub_pages` (release). The fixture: a few real
//! chapter reports, built by the node's report builder from synthetic members
//! (`shopfloor_testbed::synth`), re-signed for `BENCH_CHAPTERS` (default 250) chapter identities
//! × `BENCH_PERIODS` (default 12) periods, their cells unchanged (so the hub's disclosure check
//! still passes), sealed and taken in by `shopfloor_hub::ingest::ingest`, the path every report
//! takes. The shape is a national hub with every chapter a direct child (the rollup format
//! that carries regions' chapters flat beside a rollup is not in this tree yet).
//!
//! Every figure is a ratio to the static page's median latency (the stylesheet, through the same
//! router, middleware and connection): absolute times depend on the machine, ratios much less.
//! Memory: VmRSS and VmHWM from /proc/self/status (the hub runs in this process); the peak is
//! reset after the fixture is built (/proc/self/clear_refs), so VmHWM is the browsing peak.

// A benchmark: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, ensure};
use shopfloor_hub::config::Level;
use shopfloor_hub::{Hub, enroll, ingest};
use shopfloor_node::datadir::{self, DataDir};
use shopfloor_node::report;
use shopfloor_protocol::{
    Digest, Envelope, Kind, PartyId, Period, Report, SealFormat, SecretKeys, seal,
};
use shopfloor_testbed::federation::last_day;
use shopfloor_testbed::servers::{DEMO_PASSWORD, HubServer};
use shopfloor_testbed::synth::{self, ChapterProfile};

/// The template chapters: (name, state, members, seed). Sizes from a small local to a big city.
const TEMPLATES: &[(&str, &str, usize, u64)] = &[
    ("Bench Durham", "NC", 1_200, 11),
    ("Bench Atlanta", "GA", 3_000, 12),
    ("Bench Houston", "TX", 2_000, 13),
    ("Bench Richmond", "VA", 600, 14),
    ("Bench Jackson", "MS", 250, 15),
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Builds each template chapter's report for `period` with the node's own builder.
fn template_reports(root: &std::path::Path, period: Period) -> Result<Vec<Report>> {
    let mut out = Vec::new();
    for (i, (name, state, members, seed)) in TEMPLATES.iter().enumerate() {
        let dir_path = root.join(format!("template-{i}"));
        datadir::init(&dir_path, name, state, Some(DEMO_PASSWORD.into()))?;
        let dir = DataDir::new(&dir_path);
        let store = dir.open_store()?;
        let profile = ChapterProfile::new(name, state, *members, *seed).as_of(last_day(period)?);
        synth::load(&store, &synth::generate(&profile))?;
        let config = dir.config()?;
        let card = dir.card()?;
        let built = store.read(|c| {
            let ctx = report::context(c, &config, &card, period)?;
            report::build(c, &ctx)
        })?;
        out.push(built.report);
    }
    Ok(out)
}

struct Chapter {
    keys: SecretKeys,
    id: PartyId,
    template: usize,
    previous: Option<Digest>,
}

/// The national hub with `n` chapters each reporting every period (oldest first). Returns the
/// mean ingest time and the sealed sizes seen.
fn fixture(
    hub: &Hub,
    templates: &[Report],
    n: usize,
    periods: &[Period],
) -> Result<(Duration, usize, usize)> {
    let mut chapters = Vec::new();
    for i in 0..n {
        let template = i % templates.len();
        let (_, state, _, _) = TEMPLATES[template];
        let keys = SecretKeys::generate()?;
        let id = PartyId::new(&format!("bench-{i:03}"))?;
        let card = keys.card(
            id.clone(),
            Kind::Chapter,
            &format!("Bench chapter {i}"),
            Some(state),
        )?;
        let inv = enroll::invite(hub, &card.name, Kind::Chapter, "bench")?;
        let sub = enroll::submit(
            hub,
            &enroll::EnrollBody {
                card,
                code: inv.code,
            },
        )?;
        enroll::approve(hub, &sub.id, "bench")?;
        chapters.push(Chapter {
            keys,
            id,
            template,
            previous: None,
        });
    }
    let recipient = [hub.card().age_recipient.clone()];
    let (mut total, mut count, mut smallest, mut largest) = (Duration::ZERO, 0u32, usize::MAX, 0);
    for period in periods {
        for ch in &mut chapters {
            let mut r = templates[ch.template].clone();
            r.chapter = ch.id.clone();
            r.recipient = hub.card().id.clone();
            r.period = *period;
            r.revision = 1;
            r.previous = ch.previous;
            r.generated_at = jiff::Timestamp::now();
            // Counts taken as the period ended (the templates were built for the last one; an
            // older period's report must not claim later counts unless labelled a correction).
            r.as_of = Some(period.end() - jiff::SignedDuration::from_secs(1));
            let env = Envelope::sign(&r, &ch.keys);
            let payload = env.to_json().len();
            smallest = smallest.min(payload);
            largest = largest.max(payload);
            ch.previous = Some(env.digest());
            let sealed = seal(&env, &recipient, SealFormat::Binary)?;
            let t = Instant::now();
            ingest::ingest(hub, &sealed).with_context(|| format!("ingest {} {period}", ch.id))?;
            total += t.elapsed();
            count += 1;
        }
        eprintln!("  ingested {period}: {count} documents so far");
    }
    Ok((total / count.max(1), smallest, largest))
}

/// A logged-in browser: cookies kept by hand, no redirects followed.
struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    async fn send(&mut self, req: reqwest::RequestBuilder) -> Result<(u16, String)> {
        let mut req = req;
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", c.join("; "));
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        for sc in resp.headers().get_all("set-cookie") {
            let sc = sc.to_str()?;
            if let Some((k, v)) = sc.split(';').next().and_then(|p| p.split_once('=')) {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        Ok((status, resp.text().await?))
    }

    async fn get(&mut self, path: &str) -> Result<(u16, String)> {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    async fn login(&mut self) -> Result<()> {
        let (_, form) = self.get("/ui/login").await?;
        let marker = "name=\"csrf\" value=\"";
        let start = form.find(marker).ok_or_else(|| anyhow!("no CSRF field"))? + marker.len();
        let csrf = form[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned();
        let body = format!("name=admin&password={DEMO_PASSWORD}&csrf={csrf}&next=%2Fui");
        let req = self
            .client
            .post(format!("{}/ui/login", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        let (status, _) = self.send(req).await?;
        ensure!(status == 303, "login answered {status}");
        Ok(())
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Median latency of `path` (status must be 200): at least 3 samples after a warm-up, up to
/// `samples` or `budget` of time.
async fn time_page(
    b: &mut Browser,
    path: &str,
    token: Option<&str>,
    samples: usize,
    budget: Duration,
) -> Result<(Duration, usize)> {
    let fetch = |b: &mut Browser| {
        let mut req = b.client.get(format!("{}{path}", b.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req
    };
    let req = fetch(b);
    let (status, body) = b.send(req).await?;
    ensure!(
        status == 200,
        "{path} answered {status}: {}",
        body.chars().take(300).collect::<String>()
    );
    let started = Instant::now();
    let mut times = Vec::new();
    while times.len() < samples && (times.len() < 3 || started.elapsed() < budget) {
        let req = fetch(b);
        let t = Instant::now();
        let (status, _) = b.send(req).await?;
        times.push(t.elapsed());
        ensure!(status == 200, "{path} answered {status}");
    }
    Ok((median(times), body.len()))
}

fn proc_status(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` would too: only run when benching.
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    // Installs the TLS crypto provider reqwest needs (the clients here speak plain HTTP).
    shopfloor_hub::forward::client()?;
    let n = env_usize("BENCH_CHAPTERS", 250);
    let n_periods = env_usize("BENCH_PERIODS", 12);
    let samples = env_usize("BENCH_SAMPLES", 30);
    let tmp = tempfile::tempdir()?;
    let last = shopfloor_testbed::federation::last_month()?;
    let mut periods = vec![last];
    while periods.len() < n_periods {
        let p = periods
            .last()
            .and_then(|p| p.previous())
            .ok_or_else(|| anyhow!("periods"))?;
        periods.push(p);
    }
    periods.reverse();

    eprintln!("building {} template reports...", TEMPLATES.len());
    let templates = template_reports(tmp.path(), last)?;
    let cells: Vec<usize> = templates.iter().map(|r| r.cells.len()).collect();
    let hub = HubServer::init(
        &tmp.path().join("national"),
        Level::National,
        "Bench National",
        None,
        false,
    )?;
    eprintln!("ingesting {n} chapters x {n_periods} periods...");
    let t = Instant::now();
    let (ingest_mean, smallest, largest) = fixture(&hub, &templates, n, &periods)?;
    let ingest_total = t.elapsed();
    // What each ingest paid before the level was kept incrementally: re-summing every direct
    // child's stored cells for the period (the newest, full one), timed here on the same data.
    let resum = {
        let id = hub.card().id.as_str().to_owned();
        let p = last.to_string();
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..5 {
            let t = Instant::now();
            rows = hub
                .store()
                .read(|db| shopfloor_hub::aggregates::resum_level(db, &id, &p))?
                .len();
            times.push(t.elapsed());
        }
        (median(times), rows)
    };

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let rss_before = proc_status("VmRSS:");
    // Reset the peak so VmHWM measures browsing, not building the fixture.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    rt.block_on(async move {
        let server = HubServer::start(hub).await?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .build()?;
        let token: String = {
            let v: serde_json::Value = client
                .post(format!("{}/api/v1/login", server.url()))
                .json(&serde_json::json!({"name": "admin", "password": DEMO_PASSWORD}))
                .send()
                .await?
                .json()
                .await?;
            v["token"].as_str().ok_or_else(|| anyhow!("no API token: {v}"))?.to_owned()
        };
        let mut b = Browser {
            client,
            base: server.url(),
            cookies: BTreeMap::new(),
        };
        b.login().await?;
        let p = last.to_string();
        let pages: Vec<(String, String, bool)> = vec![
            ("overview".into(), "/ui".into(), false),
            ("dashboards".into(), "/ui/dashboards".into(), false),
            ("dashboards, oldest period".into(), format!("/ui/dashboards?period={}", periods[0]), false),
            ("dashboards, a chapter".into(), format!("/ui/dashboards?period={p}&path=bench-001"), false),
            ("map".into(), "/ui/map".into(), false),
            ("trends".into(), "/ui/trends".into(), false),
            ("tables, members".into(), format!("/ui/tables?period={p}&metric=members"), false),
            ("tables, workplaces".into(), format!("/ui/tables?period={p}&metric=workplaces"), false),
            ("tables CSV, every metric".into(), format!("/ui/tables.csv?period={p}&metric=all"), false),
            ("tables CSV, members, every period".into(), "/ui/tables.csv?period=all&metric=members".into(), false),
            ("labor formations".into(), format!("/ui/formations?period={p}"), false),
            ("API tables".into(), format!("/api/v1/tables/{p}?metric=members"), true),
            ("map, workplaces".into(), format!("/ui/map?period={p}&metric=workplaces"), false),
            ("verification (received, built)".into(), "/ui/verification".into(), false),
            ("completeness".into(), "/ui/completeness".into(), false),
            ("children".into(), "/ui/children".into(), false),
            ("API completeness".into(), format!("/api/v1/completeness?period={p}"), true),
            ("API status".into(), "/api/v1/status".into(), true),
            ("county map, the South".into(), format!("/ui/map/counties?period={p}"), false),
            ("county map, states with data".into(), format!("/ui/map/counties?period={p}&states=data"), false),
        ];
        let budget = Duration::from_secs(20);
        let (static_median, static_bytes) =
            time_page(&mut b, "/ui/assets/style.css", None, samples * 3, budget).await?;
        let mut rows = Vec::new();
        for (name, path, api) in &pages {
            let (m, bytes) = time_page(&mut b, path, api.then_some(token.as_str()), samples, budget).await?;
            rows.push((name.clone(), m, bytes));
        }
        // The static page again, after everything, to see the baseline did not drift.
        let (static_after, _) =
            time_page(&mut b, "/ui/assets/style.css", None, samples * 3, budget).await?;
        let rss_after = proc_status("VmRSS:");
        let hwm = proc_status("VmHWM:");

        println!("hub pages: {n} chapters x {n_periods} periods = {} reports", n * n_periods);
        println!(
            "  report cells per template: {cells:?}; signed report {:.1}-{:.1} KB",
            smallest as f64 / 1024.0,
            largest as f64 / 1024.0
        );
        println!(
            "  ingest: {:.1} ms per report (mean), {:.0} s in all",
            ingest_mean.as_secs_f64() * 1e3,
            ingest_total.as_secs_f64()
        );
        println!(
            "  full re-sum of the level (what each ingest did before): {:.1} ms ({} cells); \
             ingest per report is {:.2}x that",
            resum.0.as_secs_f64() * 1e3,
            resum.1,
            ingest_mean.as_secs_f64() / resum.0.as_secs_f64().max(1e-9)
        );
        println!(
            "  static page (/ui/assets/style.css, {static_bytes} B): median {:.3} ms (after: {:.3} ms)",
            static_median.as_secs_f64() * 1e3,
            static_after.as_secs_f64() * 1e3
        );
        let base = static_median.as_secs_f64().max(1e-9);
        let mut worst: f64 = 0.0;
        for (name, m, bytes) in &rows {
            let ratio = m.as_secs_f64() / base;
            worst = worst.max(ratio);
            println!(
                "  {name:<34} {ratio:>8.1}x static  (median {:>8.2} ms, {:>7} B)",
                m.as_secs_f64() * 1e3,
                bytes
            );
        }
        println!("  slowest page: {worst:.1}x the static page (target <= 100x)");
        // The county map against the dashboards, measured in this run.
        if let Some((_, dash, _)) = rows.iter().find(|(name, _, _)| name == "dashboards") {
            for (name, m, _) in rows.iter().filter(|(name, _, _)| name.starts_with("county map")) {
                println!(
                    "  {name}: {:.2}x the dashboards",
                    m.as_secs_f64() / dash.as_secs_f64().max(1e-9)
                );
            }
        }
        let mb = |kb: Option<u64>| kb.map_or_else(|| "n/a".to_owned(), |k| format!("{:.0} MB", k as f64 / 1024.0));
        println!(
            "  RSS: {} before browsing, {} after; peak while browsing {}{} (target <= 150 MB)",
            mb(rss_before),
            mb(rss_after),
            mb(hwm),
            if reset { "" } else { " (peak not reset: includes the fixture)" }
        );
        let mut server = server;
        server.stop().await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(())
}
