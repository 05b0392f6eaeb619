//! The chapter node under a whole committee at once: 32 concurrent users of one logged-in
//! session against a 20,000-member node, over real loopback HTTP, with `/api/v1/health` as the
//! baseline measured in the same run; and the process's memory idle, under load and after.
//!
//! `cargo bench -p shopfloor-testbed --bench node_load` (release). Knobs (environment):
//! `BENCH_SECS` seconds per route (default 10; 3 to iterate), `BENCH_USERS` concurrent users
//! (default 32), `BENCH_MEMBERS` (default 20,000), `BENCH_SOAK` seconds of a mixed soak after
//! the routes (default 0; 600 for the ten-minute soak), `BENCH_FIXTURE` a directory to keep the
//! built node in and reuse on the next run.
//!
//! The fixture (synthetic members from `shopfloor_testbed::synth`, imported through the national
//! import, plus the first 10,000 members' organizing data) is built in a child process (this
//! binary again, with `BENCH_BUILD_ONLY` set), so the memory figures are the served node's
//! (and this client's), not the generator's. Memory: VmRSS from /proc/self/status, sampled every
//! 100 ms while a route is under load; VmHWM with the peak reset (/proc/self/clear_refs) after
//! start-up.

// A benchmark: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use shopfloor_node::datadir::DataDir;
use shopfloor_node::store::Store;
use shopfloor_testbed::servers::{DEMO_PASSWORD, NodeServer};
use shopfloor_testbed::synth::{self, ChapterProfile, MAX_MEMBERS};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn proc_status(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mb(kb: Option<u64>) -> String {
    kb.map_or_else(
        || "n/a".to_owned(),
        |k| format!("{:.1} MB", k as f64 / 1024.0),
    )
}

/// Builds a node of `members` members at `root` (synthetic chapters of at most
/// [`MAX_MEMBERS`] each, merged into one list; organizing data for the first one).
fn build(root: &Path, members: usize) -> Result<()> {
    NodeServer::init(root, "Bench DSA", "NC")?;
    let dir = DataDir::new(root);
    let store = dir.open_store()?;
    let mut chapter = synth::generate(&ChapterProfile::new(
        "Bench DSA",
        "NC",
        members.min(MAX_MEMBERS),
        21,
    ));
    let mut part = 1u64;
    while chapter.members.len() < members {
        let more = synth::generate(&ChapterProfile::new(
            "Bench DSA",
            "NC",
            (members - chapter.members.len()).min(MAX_MEMBERS),
            21 + part,
        ));
        for mut m in more.members {
            // Distinct people: their own ActionKit ids and addresses.
            let ak: u64 = m.actionkit_id.parse().unwrap_or(0);
            m.actionkit_id = (ak + part * 10_000_000).to_string();
            if !m.email.is_empty() {
                m.email = format!("p{part}.{}", m.email);
            }
            chapter.members.push(m);
        }
        part += 1;
    }
    let t = Instant::now();
    let loaded = synth::load(&store, &chapter)?;
    eprintln!(
        "  built {} members ({} created, {} workplaces, {} links) in {:.1} s",
        chapter.members.len(),
        loaded.import.created,
        loaded.workplaces,
        loaded.links,
        t.elapsed().as_secs_f64()
    );
    store.with_writer(|c| Ok(c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?))?;
    Ok(())
}

/// A member id for `/members/ID`, several of them so one row is not always hot.
fn member_ids(store: &Store) -> Result<Vec<i64>> {
    Ok(store.read(|c| {
        let mut st = c.prepare("SELECT id FROM members ORDER BY id")?;
        let ids = st
            .query_map([], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids.into_iter().step_by(97).collect())
    })?)
}

struct Run {
    name: String,
    requests: usize,
    secs: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    rss_peak: Option<u64>,
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `users` tasks each fetch `paths` (round robin) as fast as they can for `secs`.
async fn load(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    name: &str,
    paths: Arc<Vec<String>>,
    users: usize,
    secs: f64,
) -> Result<Run> {
    // Warm-up and a check that the page is a 200 for this session.
    let first = client
        .get(format!("{base}{}", paths[0]))
        .header("cookie", cookie)
        .send()
        .await?;
    let status = first.status().as_u16();
    let body = first.text().await?;
    ensure!(
        status == 200,
        "{name} answered {status}: {}",
        body.chars().take(300).collect::<String>()
    );
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let stop = stop.clone();
        let peak = peak.clone();
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some(kb) = proc_status("VmRSS:") {
                    peak.fetch_max(kb, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for _ in 0..users {
        let client = client.clone();
        let base = base.to_owned();
        let cookie = cookie.to_owned();
        let paths = paths.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize % paths.len();
                let t = Instant::now();
                let resp = client
                    .get(format!("{base}{}", paths[i]))
                    .header("cookie", &cookie)
                    .send()
                    .await?;
                let status = resp.status().as_u16();
                let _ = resp.bytes().await?;
                ensure!(status == 200, "{} answered {status}", paths[i]);
                times.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(times)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let secs = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    sampler.await?;
    all.sort();
    Ok(Run {
        name: name.to_owned(),
        requests: all.len(),
        secs,
        p50: pct(&all, 0.50),
        p99: pct(&all, 0.99),
        max: all.last().copied().unwrap_or_default(),
        rss_peak: Some(peak.load(Ordering::Relaxed)).filter(|k| *k > 0),
    })
}

async fn login(client: &reqwest::Client, base: &str) -> Result<String> {
    let resp = client
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username=admin&password={DEMO_PASSWORD}&next=%2F"))
        .send()
        .await?;
    ensure!(
        resp.status().as_u16() == 303,
        "login answered {}",
        resp.status()
    );
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next().map(str::to_owned))
        .collect();
    ensure!(!cookies.is_empty(), "login set no cookie");
    Ok(cookies.join("; "))
}

fn main() -> Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let members = env_u64("BENCH_MEMBERS", 20_000) as usize;
    if let Ok(root) = std::env::var("BENCH_BUILD_ONLY") {
        return build(Path::new(&root), members);
    }
    // Installs the TLS crypto provider reqwest needs (the client here speaks plain HTTP).
    shopfloor_hub::forward::client()?;
    let secs = env_u64("BENCH_SECS", 10) as f64;
    let users = env_u64("BENCH_USERS", 32) as usize;
    let soak = env_u64("BENCH_SOAK", 0) as f64;
    let tmp = tempfile::tempdir()?;
    let root: PathBuf = match std::env::var("BENCH_FIXTURE") {
        Ok(p) => PathBuf::from(p),
        Err(_) => tmp.path().join("node"),
    };
    if !root.join("shopfloor.db").exists() {
        eprintln!("building a {members}-member node in a child process...");
        let status = std::process::Command::new(std::env::current_exe()?)
            .env("BENCH_BUILD_ONLY", &root)
            .status()
            .context("running the fixture builder")?;
        ensure!(status.success(), "fixture builder failed: {status}");
    }
    let rss_start = proc_status("VmRSS:");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let mut server = NodeServer::start(DataDir::new(&root)).await?;
        let ids = member_ids(&server.store)?;
        let base = server.url();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .pool_max_idle_per_host(users)
            .build()?;
        let cookie = login(&client, &base).await?;
        // One visit to every page, then idle: what a node that has been used a little holds.
        for p in ["/", "/members", "/workplaces", "/reports"] {
            let _ = client
                .get(format!("{base}{p}"))
                .header("cookie", &cookie)
                .send()
                .await?
                .bytes()
                .await?;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let rss_idle = proc_status("VmRSS:");
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();

        let routes: Vec<(&str, Vec<String>)> = vec![
            ("/api/v1/health (baseline)", vec!["/api/v1/health".into()]),
            ("dashboard /", vec!["/".into()]),
            ("/members", vec!["/members".into()]),
            ("/members?q=smith", vec!["/members?q=smith".into()]),
            ("/members page 5", vec!["/members?page=5".into()]),
            (
                "/members/ID",
                ids.iter().map(|id| format!("/members/{id}")).collect(),
            ),
            ("/workplaces", vec!["/workplaces".into()]),
            ("report preview /reports", vec!["/reports".into()]),
            ("/api/v1/dashboard", vec!["/api/v1/dashboard".into()]),
        ];
        let mut runs = Vec::new();
        for (name, paths) in routes {
            let run = load(&client, &base, &cookie, name, Arc::new(paths), users, secs)
                .await
                .with_context(|| format!("route {name}"))?;
            eprintln!(
                "  {name}: {} requests, p99 {:.1} ms",
                run.requests,
                run.p99.as_secs_f64() * 1e3
            );
            runs.push(run);
        }
        let hwm = proc_status("VmHWM:");
        let rss_loaded = proc_status("VmRSS:");
        tokio::time::sleep(Duration::from_secs(5)).await;
        let rss_after = proc_status("VmRSS:");

        let mut soak_line = None;
        if soak > 0.0 {
            let mut mixed: Vec<String> = vec![
                "/".into(),
                "/members".into(),
                "/workplaces".into(),
                "/reports".into(),
                "/members?page=3".into(),
            ];
            mixed.extend(ids.iter().take(20).map(|id| format!("/members/{id}")));
            let mixed = Arc::new(mixed);
            let mut samples = Vec::new();
            let slices = (soak / 60.0).ceil().max(1.0) as usize;
            for _ in 0..slices {
                let run = load(
                    &client,
                    &base,
                    &cookie,
                    "soak",
                    mixed.clone(),
                    users,
                    soak / slices as f64,
                )
                .await?;
                samples.push((run.requests, proc_status("VmRSS:")));
            }
            let first = samples.first().and_then(|s| s.1);
            let last = samples.last().and_then(|s| s.1);
            soak_line = Some(format!(
                "  soak {soak:.0} s mixed pages: RSS after each minute {:?} MB; first {} last {}",
                samples
                    .iter()
                    .map(|s| s.1.map_or(0, |k| k / 1024))
                    .collect::<Vec<_>>(),
                mb(first),
                mb(last)
            ));
        }

        println!("node load: {members} members, {users} concurrent users, {secs:.0} s per route");
        let base_p99 = runs[0].p99.as_secs_f64().max(1e-9);
        let base_rps = runs[0].requests as f64 / runs[0].secs;
        println!(
            "  {:<28} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10} {:>9}",
            "route", "req/s", "p50 ms", "p99 ms", "max ms", "p99/health", "rps/health", "RSS peak"
        );
        for r in &runs {
            let rps = r.requests as f64 / r.secs;
            println!(
                "  {:<28} {:>9.1} {:>9.2} {:>9.2} {:>9.1} {:>9.1}x {:>9.4}x {:>9}",
                r.name,
                rps,
                r.p50.as_secs_f64() * 1e3,
                r.p99.as_secs_f64() * 1e3,
                r.max.as_secs_f64() * 1e3,
                r.p99.as_secs_f64() / base_p99,
                rps / base_rps,
                mb(r.rss_peak)
            );
        }
        let worst = runs[1..]
            .iter()
            .map(|r| r.p99.as_secs_f64() / base_p99)
            .fold(0.0, f64::max);
        println!(
            "  slowest page p99: {worst:.1}x the health route's p99 (target <= 25x, <= 50 ms)"
        );
        println!(
            "  RSS: {} at start, {} idle after one visit per page, {} at the end of the load, \
             peak {}{}, {} 5 s after",
            mb(rss_start),
            mb(rss_idle),
            mb(rss_loaded),
            mb(hwm),
            if reset { "" } else { " (peak not reset)" },
            mb(rss_after)
        );
        let audit: i64 = server
            .store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?))?;
        println!("  audit rows after the run: {audit}");
        if let Some(line) = soak_line {
            println!("{line}");
        }
        server.stop().await?;
        Ok::<_, anyhow::Error>(())
    })?;
    drop(tmp);
    Ok(())
}
