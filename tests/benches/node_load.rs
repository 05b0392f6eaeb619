//! The chapter node under a whole committee at once: 32 concurrent users of one logged-in
//! session against a 20,000-member node, over real loopback HTTP, with `/api/v1/health` as the
//! baseline measured in the same run; and the node's memory idle, under load and after.
//!
//! `cargo bench -p shopfloor-testbed --bench node_load` (release). Knobs (environment):
//! `BENCH_SECS` seconds per route (default 10; 3 to iterate), `BENCH_USERS` concurrent users
//! (default 32), `BENCH_MEMBERS` (default 20,000), `BENCH_SOAK` seconds of a mixed soak after
//! the routes (default 0), `BENCH_FIXTURE` a directory to keep the built node in and reuse on
//! the next run, `BENCH_ALLOC` the allocator settings to run the node under, in order, each a
//! whole run of the routes (default `arena2,glibc,arena2-trim`; see [`VARIANTS`]),
//! `BENCH_ROUTES` a comma-separated list of routes to run, each by its path or its name as
//! printed (`/`, `/members`, `/members?q=smith`, `/members?page=5`, the deep page 301 by offset
//! and by keyset cursor (`/members deep page (offset)`, `/members deep page (keyset)`), `/members/ID`,
//! `/workplaces`, `/reports`, `/api/v1/dashboard`; default all; the health baseline always runs),
//! e.g. `BENCH_ROUTES=/` to profile the dashboard page alone, and `BENCH_NODE_BIN` the path of
//! a `shopfloor-node` binary to serve the node with instead of this one (e.g.
//! `target/release/shopfloor-node`, after `cargo build --release -p shopfloor-node`): its memory
//! is then the node's own, without the hub, testbed and client this binary holds.
//!
//! The soak: `cargo bench -p shopfloor-testbed --bench node_soak` is this file again (the
//! `node_soak` target); there `BENCH_SECS` is the soak's length (default 600: ten minutes of
//! mixed pages at 32 users after 1 s per route), under `arena2` only, the node's service setting.
//!
//! The fixture (synthetic members from `shopfloor_testbed::synth`, imported through the national
//! import, plus the first 10,000 members' organizing data) is built in a child process (this
//! binary again, with `BENCH_BUILD_ONLY` set). The node is served by another child (this binary
//! with `BENCH_SERVE_ONLY`, under the variant's environment: glibc reads `MALLOC_ARENA_MAX` and
//! `GLIBC_TUNABLES` when the process starts, as it does for the service under systemd), so the
//! memory figures are the served node's alone, not the client's. Memory: the child's VmRSS from
//! /proc/PID/status, sampled every 100 ms while a route is under load; VmHWM with the peak reset
//! (/proc/PID/clear_refs) after start-up.

// A benchmark: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use shopfloor_node::datadir::DataDir;
use shopfloor_testbed::servers::{DEMO_PASSWORD, NodeServer};
use shopfloor_testbed::synth::{self, ChapterProfile, MAX_MEMBERS};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Allocator settings the node can be run under: a name and the environment it adds.
/// `arena2` is the service's setting (`packaging/shopfloor.service.in`).
const VARIANTS: &[(&str, &[(&str, &str)])] = &[
    ("arena2", &[("MALLOC_ARENA_MAX", "2")]),
    ("glibc", &[]),
    (
        "arena2-trim",
        &[(
            "GLIBC_TUNABLES",
            "glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072",
        )],
    ),
];

fn proc_status(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The node's resident memory split as the kernel counts it: anonymous (heap, stacks), mapped
/// from files (the binary's own pages, libraries) and shared memory (SQLite's log index).
fn split(when: &str, pid: u32) {
    eprintln!(
        "  node RSS {when}: anonymous {}, files {}, shared {}, threads {}",
        mb(proc_status(pid, "RssAnon:")),
        mb(proc_status(pid, "RssFile:")),
        mb(proc_status(pid, "RssShmem:")),
        proc_status(pid, "Threads:").map_or_else(|| "n/a".into(), |t| t.to_string()),
    );
}

/// Waits `secs`, prints the node's memory split (as `when`) and returns its VmRSS.
async fn rest(pid: u32, secs: u64, when: &str) -> Option<u64> {
    tokio::time::sleep(Duration::from_secs(secs)).await;
    split(when, pid);
    proc_status(pid, "VmRSS:")
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
fn member_ids(db: &Path) -> Result<Vec<i64>> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut st = c.prepare("SELECT id FROM members ORDER BY id")?;
    let ids = st
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids.into_iter().step_by(97).collect())
}

/// A deep page of the present members' list (page 301 of 50, or the last full page of a smaller
/// node) and the id of the member just before it: `/members?page=N` reads it by offset,
/// `/members?page=N&after=ID` by keyset, as the page's own "next" link does.
fn deep_page(db: &Path) -> Result<(i64, i64)> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let present: i64 = c.query_row(
        "SELECT count(*) FROM members WHERE list_status = 'present'",
        [],
        |r| r.get(0),
    )?;
    let page = (present / 50).clamp(2, 301);
    let after = c.query_row(
        "SELECT id FROM members WHERE list_status = 'present' \
         ORDER BY lower(last_name), lower(first_name), id LIMIT 1 OFFSET ?1",
        [(page - 1) * 50 - 1],
        |r| r.get(0),
    )?;
    Ok((page, after))
}

fn audit_rows(db: &Path) -> Result<i64> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?)
}

/// The served node in a child process: this binary with `BENCH_SERVE_ONLY`, or with
/// `BENCH_NODE_BIN` the `shopfloor-node` binary at that path (`serve`).
struct Child {
    child: std::process::Child,
    url: String,
    /// The `shopfloor-node` binary, stopped with a signal.
    binary: bool,
}

impl Child {
    fn start(root: &Path, env: &[(&str, &str)]) -> Result<Child> {
        use std::io::BufRead as _;
        if let Ok(bin) = std::env::var("BENCH_NODE_BIN") {
            // `cargo bench` runs this in the package's directory (`tests/`): a relative path
            // is the workspace's, as the docs write it (`target/release/shopfloor-node`).
            let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(bin);
            return Self::start_binary(&bin, root, env);
        }
        let mut cmd = std::process::Command::new(std::env::current_exe()?);
        cmd.env("BENCH_SERVE_ONLY", root)
            .env_remove("MALLOC_ARENA_MAX")
            .env_remove("GLIBC_TUNABLES")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().context("starting the node")?;
        let out = child.stdout.take().context("node stdout")?;
        let mut line = String::new();
        std::io::BufReader::new(out).read_line(&mut line)?;
        let url = line.trim().to_owned();
        ensure!(url.starts_with("http://"), "node said {line:?}");
        Ok(Child {
            child,
            url,
            binary: false,
        })
    }

    /// `shopfloor-node --data ROOT serve` on a free loopback port: the node as a chapter runs
    /// it, whose memory is its own binary's (this bench binary also holds the hub, the testbed
    /// and the client).
    fn start_binary(bin: &Path, root: &Path, env: &[(&str, &str)]) -> Result<Child> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut cmd = std::process::Command::new(bin);
        cmd.arg("--data")
            .arg(root)
            .arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .env_remove("MALLOC_ARENA_MAX")
            .env_remove("GLIBC_TUNABLES")
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.try_wait()? {
                anyhow::bail!("{} exited with {status}", bin.display());
            }
            ensure!(
                started.elapsed() < Duration::from_secs(60),
                "{} did not listen within 60 s",
                bin.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Child {
            child,
            url: format!("http://127.0.0.1:{port}"),
            binary: true,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes its stdin (it stops serving) and waits for it; kills the node binary.
    fn stop(mut self) -> Result<()> {
        if self.binary {
            self.child.kill()?;
            self.child.wait()?;
            return Ok(());
        }
        drop(self.child.stdin.take());
        let status = self.child.wait()?;
        ensure!(status.success(), "node exited with {status}");
        Ok(())
    }
}

/// `BENCH_SERVE_ONLY`: serves the node at `root` on loopback, prints its URL, stops when stdin
/// closes. The runtime is the node's own (`shopfloor-node serve`: 2 worker threads).
fn serve(root: &Path) -> Result<()> {
    use std::io::{Read as _, Write as _};
    shopfloor_hub::forward::client()?;
    let rt = shopfloor_node::web::serve_runtime()?;
    rt.block_on(async {
        let mut server = NodeServer::start(DataDir::new(root)).await?;
        let mut out = std::io::stdout();
        writeln!(out, "{}", server.url())?;
        out.flush()?;
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await?;
        server.stop().await?;
        Ok::<_, anyhow::Error>(())
    })
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
#[allow(clippy::too_many_arguments)]
async fn load(
    pid: u32,
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
                if let Some(kb) = proc_status(pid, "VmRSS:") {
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

/// What one variant's run measured.
struct Measured {
    runs: Vec<Run>,
    rss_start: Option<u64>,
    rss_rest: Option<u64>,
    rss_idle: Option<u64>,
    rss_loaded: Option<u64>,
    hwm: Option<u64>,
    reset: bool,
    rss_after: Option<u64>,
    soak: Vec<(usize, Option<u64>)>,
    soak_rest: Option<u64>,
}

async fn run_variant(
    root: &Path,
    env: &[(&str, &str)],
    ids: &[i64],
    (deep, after): (i64, i64),
    users: usize,
    secs: f64,
    soak: f64,
) -> Result<Measured> {
    let node = Child::start(root, env)?;
    let pid = node.pid();
    eprintln!("  node pid {pid} (for a profiler: perf record -p {pid})");
    let rss_start = proc_status(pid, "VmRSS:");
    split("at start", pid);
    // At rest after start-up, before any request: past the first tick, at which the node gives
    // back what opening the store and its start-up work left (node/src/memory.rs).
    let rss_rest = rest(pid, 5, "5 s after start, no request yet").await;
    let base = node.url.clone();
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
    // Idle: 6 s after the last request, past the tick (2 s) at which the node gives memory
    // back once a burst is over (node/src/memory.rs); 1 s after, as measured before it did.
    rest(pid, 1, "1 s after one visit per page").await;
    let rss_idle = rest(pid, 5, "idle").await;
    let reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();

    let routes: Vec<(&str, Vec<String>)> = vec![
        ("/api/v1/health (baseline)", vec!["/api/v1/health".into()]),
        ("dashboard /", vec!["/".into()]),
        ("/members", vec!["/members".into()]),
        ("/members?q=smith", vec!["/members?q=smith".into()]),
        ("/members page 5", vec!["/members?page=5".into()]),
        (
            "/members deep page (offset)",
            vec![format!("/members?page={deep}")],
        ),
        (
            "/members deep page (keyset)",
            vec![format!("/members?page={deep}&after={after}")],
        ),
        (
            "/members/ID",
            ids.iter().map(|id| format!("/members/{id}")).collect(),
        ),
        ("/workplaces", vec!["/workplaces".into()]),
        ("report preview /reports", vec!["/reports".into()]),
        ("/api/v1/dashboard", vec!["/api/v1/dashboard".into()]),
    ];
    let only = std::env::var("BENCH_ROUTES").unwrap_or_default();
    let only: Vec<&str> = only
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut runs = Vec::new();
    for (i, (name, paths)) in routes.into_iter().enumerate() {
        if i > 0
            && !only.is_empty()
            && !only
                .iter()
                .any(|o| *o == name || Some(o) == paths.first().map(String::as_str).as_ref())
        {
            continue;
        }
        let run = load(
            pid,
            &client,
            &base,
            &cookie,
            name,
            Arc::new(paths),
            users,
            secs,
        )
        .await
        .with_context(|| format!("route {name}"))?;
        eprintln!(
            "  {name}: {} requests, p99 {:.1} ms",
            run.requests,
            run.p99.as_secs_f64() * 1e3
        );
        runs.push(run);
    }
    let hwm = proc_status(pid, "VmHWM:");
    let rss_loaded = proc_status(pid, "VmRSS:");
    let rss_after = rest(pid, 5, "after").await;

    let mut samples = Vec::new();
    if soak > 0.0 {
        let mut mixed: Vec<String> = vec![
            "/".into(),
            "/members".into(),
            "/workplaces".into(),
            "/reports".into(),
            "/members?page=3".into(),
            "/members?q=smith".into(),
        ];
        mixed.extend(ids.iter().take(20).map(|id| format!("/members/{id}")));
        let mixed = Arc::new(mixed);
        let slices = (soak / 60.0).ceil().max(1.0) as usize;
        for i in 0..slices {
            let run = load(
                pid,
                &client,
                &base,
                &cookie,
                "soak",
                mixed.clone(),
                users,
                soak / slices as f64,
            )
            .await?;
            let rss = proc_status(pid, "VmRSS:");
            eprintln!(
                "  soak slice {}: {} requests, p99 {:.1} ms, RSS {}",
                i + 1,
                run.requests,
                run.p99.as_secs_f64() * 1e3,
                mb(rss)
            );
            samples.push((run.requests, rss));
        }
    }
    // At rest after the soak: what ten minutes of requests left behind once the node has given
    // back its caches (a leak would stay): 6 s after, past the node's release; 12 s after, past
    // the 10 s after which tokio retires its idle blocking threads and unmaps their stacks.
    let soak_rest = if samples.is_empty() {
        None
    } else {
        rest(pid, 6, "6 s after the soak").await;
        rest(pid, 6, "12 s after the soak").await
    };
    drop(client);
    node.stop()?;
    Ok(Measured {
        runs,
        rss_start,
        rss_rest,
        rss_idle,
        rss_loaded,
        hwm,
        reset,
        rss_after,
        soak: samples,
        soak_rest,
    })
}

fn report(variant: &str, env: &[(&str, &str)], m: &Measured, audit: i64) {
    let env = env
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ");
    println!("  node under {variant} ({env}):");
    let runs = &m.runs;
    let base_p99 = runs[0].p99.as_secs_f64().max(1e-9);
    let base_rps = runs[0].requests as f64 / runs[0].secs;
    println!(
        "  {:<28} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10} {:>9}",
        "route", "req/s", "p50 ms", "p99 ms", "max ms", "p99/health", "rps/health", "RSS peak"
    );
    for r in runs {
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
    println!("  slowest page p99: {worst:.1}x the health route's p99 (target <= 25x, <= 50 ms)");
    println!(
        "  node RSS: {} at start, {} at rest 5 s after start, {} idle (6 s after one visit per \
         page), {} at the end of the load, peak {}{}, {} 5 s after",
        mb(m.rss_start),
        mb(m.rss_rest),
        mb(m.rss_idle),
        mb(m.rss_loaded),
        mb(m.hwm),
        if m.reset { "" } else { " (peak not reset)" },
        mb(m.rss_after)
    );
    if !m.soak.is_empty() {
        let first = m.soak.first().and_then(|s| s.1);
        let last = m.soak.last().and_then(|s| s.1);
        let max = m.soak.iter().filter_map(|s| s.1).max();
        println!(
            "  soak, mixed pages: {} requests; RSS after each slice {:?} MB; first {}, last {}, \
             highest {}",
            m.soak.iter().map(|s| s.0).sum::<usize>(),
            m.soak
                .iter()
                .map(|s| s.1.map_or(0, |k| k / 1024))
                .collect::<Vec<_>>(),
            mb(first),
            mb(last),
            mb(max)
        );
        let (growth, slope) = second_half(&m.soak);
        println!(
            "  soak, second half: {} from its first slice to its last, slope {}; at rest 12 s \
             after the soak {}",
            growth.map_or_else(|| "n/a".to_owned(), |g| format!("{:+.1} MB", g / 1024.0)),
            slope.map_or_else(
                || "n/a".to_owned(),
                |s| format!("{:+.3} MB per slice (a minute at most)", s / 1024.0)
            ),
            mb(m.soak_rest)
        );
    }
    println!("  audit rows after this run: {audit}");
}

/// Over the soak's second half (its slices of a minute each, after the first half's warm-up of
/// bounded caches), RSS growth from its first slice to its last (kB) and the least-squares
/// slope (kB per slice): a leak grows at a steady rate, a cache filling to its bound levels off.
fn second_half(soak: &[(usize, Option<u64>)]) -> (Option<f64>, Option<f64>) {
    let half: Vec<f64> = soak[soak.len() / 2..]
        .iter()
        .filter_map(|s| s.1.map(|k| k as f64))
        .collect();
    if half.len() < 2 {
        return (None, None);
    }
    let growth = half.last().zip(half.first()).map(|(l, f)| l - f);
    let n = half.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = half.iter().sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, y) in half.iter().enumerate() {
        let dx = i as f64 - mean_x;
        num += dx * (y - mean_y);
        den += dx * dx;
    }
    (growth, (den > 0.0).then(|| num / den))
}

/// The bench (`node_load`, and `node_soak` through `benches/node_soak.rs`).
pub fn main() -> Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let members = env_u64("BENCH_MEMBERS", 20_000) as usize;
    if let Ok(root) = std::env::var("BENCH_BUILD_ONLY") {
        return build(Path::new(&root), members);
    }
    if let Ok(root) = std::env::var("BENCH_SERVE_ONLY") {
        return serve(Path::new(&root));
    }
    // Installs the TLS crypto provider reqwest needs (the client here speaks plain HTTP).
    shopfloor_hub::forward::client()?;
    let soak_bench = env!("CARGO_CRATE_NAME") == "node_soak";
    let (secs, soak) = if soak_bench {
        (1.0, env_u64("BENCH_SECS", 600) as f64)
    } else {
        (
            env_u64("BENCH_SECS", 10) as f64,
            env_u64("BENCH_SOAK", 0) as f64,
        )
    };
    let users = env_u64("BENCH_USERS", 32) as usize;
    let default_variants = if soak_bench {
        "arena2"
    } else {
        "arena2,glibc,arena2-trim"
    };
    let wanted = std::env::var("BENCH_ALLOC").unwrap_or_else(|_| default_variants.to_owned());
    let mut variants = Vec::new();
    for name in wanted.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let v = VARIANTS
            .iter()
            .find(|(n, _)| *n == name)
            .with_context(|| format!("BENCH_ALLOC: no variant {name}"))?;
        variants.push(*v);
    }
    let tmp = tempfile::tempdir()?;
    let root: PathBuf = match std::env::var("BENCH_FIXTURE") {
        Ok(p) => PathBuf::from(p),
        Err(_) => tmp.path().join("node"),
    };
    let db = root.join("shopfloor.db");
    if !db.exists() {
        eprintln!("building a {members}-member node in a child process...");
        let status = std::process::Command::new(std::env::current_exe()?)
            .env("BENCH_BUILD_ONLY", &root)
            .status()
            .context("running the fixture builder")?;
        ensure!(status.success(), "fixture builder failed: {status}");
    }
    let ids = member_ids(&db)?;
    let deep = deep_page(&db)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "node load: {members} members, {users} concurrent users, {secs:.0} s per route, \
         soak {soak:.0} s"
    );
    for (name, env) in variants {
        eprintln!("node under {name}...");
        let m = rt.block_on(run_variant(&root, env, &ids, deep, users, secs, soak))?;
        report(name, env, &m, audit_rows(&db)?);
    }
    drop(tmp);
    Ok(())
}
