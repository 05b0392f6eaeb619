//! Disclosure control of a 300-member chapter whose workplaces are spread over 5, 10 and 20
//! sectors: primary and complementary suppression ([`disclosure::suppress_report`]) and the
//! audit that checks it ([`disclosure::check_report`]), on the cells the node's report builder
//! aggregates. The 5-sector chapter is the baseline measured in the same run: the figure that
//! matters is how the time grows with the width of the tables (issue 15: about cubically).
//!
//! `cargo bench -p shopfloor-testbed --bench disclosure` (release). `BENCH_MEMBERS` (default
//! 300) and `BENCH_REPEAT` (default 5, the median is printed) change the run; `BENCH_DUMP=DIR`
//! also writes each chapter's cells to `DIR/s{sectors}.txt` for the protocol crate's
//! `disclosure_replay` example (two builds compared on the same cells).
//!
//! `BENCH_CHAPTERS=DIR` also suppresses the last month of every chapter node under `DIR` (the
//! demo's `DATA/chapters`, after `shopfloor-demo --chapters 250`) once, and prints how many cells
//! they withhold, how many chapters withhold their whole union-status table, and the time
//! against the audit of the same cells ([`disclosure::check_report`], the same-run baseline).

// A benchmark: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use anyhow::Result;
use shopfloor_node::datadir::{self, DataDir};
use shopfloor_node::report;
use shopfloor_protocol::disclosure;
use shopfloor_protocol::registry::{Dim, SECTORS};
use shopfloor_protocol::{CellValue, Period};
use shopfloor_testbed::federation::{last_day, last_month};
use shopfloor_testbed::servers::DEMO_PASSWORD;
use shopfloor_testbed::synth::{self, ChapterProfile};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

struct Row {
    sectors: usize,
    cells: usize,
    withheld: usize,
    suppress: Duration,
    check: Duration,
    build: Duration,
}

fn one(
    root: &std::path::Path,
    members: usize,
    sectors: usize,
    period: Period,
    repeat: usize,
) -> Result<Row> {
    let dir_path = root.join(format!("s{sectors}"));
    datadir::init(&dir_path, "Bench DSA", "NC", Some(DEMO_PASSWORD.into()))?;
    let dir = DataDir::new(&dir_path);
    let store = dir.open_store()?;
    let mut chapter = synth::generate(
        &ChapterProfile::new("Bench DSA", "NC", members, 7).as_of(last_day(period)?),
    );
    // Spread the workplaces round-robin over the first `sectors` sectors.
    for (i, w) in chapter.workplaces.iter_mut().enumerate() {
        w.sector = SECTORS[i % sectors].code;
        w.naics_code = "";
    }
    synth::load(&store, &chapter)?;
    let config = dir.config()?;
    let card = dir.card()?;
    let (raw, campaigns, k) = store.read(|c| {
        let ctx = report::context(c, &config, &card, period)?;
        let built = report::build(c, &ctx)?;
        Ok((
            report::raw_cells(c, period)?,
            built.report.campaigns,
            ctx.policy.k,
        ))
    })?;
    let policy = shopfloor_protocol::DisclosurePolicy { k };
    if let Ok(dump) = std::env::var("BENCH_DUMP") {
        let mut out = format!("k\t{k}\n");
        for c in &raw {
            let dims: Vec<String> = c
                .key
                .dims
                .iter()
                .map(|(d, v)| format!("{}={v}", d.key()))
                .collect();
            let v = match c.value {
                CellValue::Count(v) => v.to_string(),
                CellValue::Suppressed => "S".into(),
            };
            out.push_str(&format!("{}\t{}\t{v}\n", c.key.metric, dims.join(",")));
        }
        out.push_str(&format!(
            "campaigns\t{}\n",
            serde_json::to_string(&campaigns)?
        ));
        std::fs::write(format!("{dump}/s{sectors}.txt"), out)?;
    }
    let (mut ts, mut tc, mut tb) = (Vec::new(), Vec::new(), Vec::new());
    let mut withheld = 0;
    for _ in 0..repeat {
        let mut cells = raw.clone();
        let t = Instant::now();
        disclosure::suppress_report(&mut cells, &policy, &campaigns);
        ts.push(t.elapsed());
        withheld = cells
            .iter()
            .filter(|c| c.value == CellValue::Suppressed)
            .count();
        let t = Instant::now();
        disclosure::check_report(&cells, k, &campaigns)?;
        tc.push(t.elapsed());
        let t = Instant::now();
        store.read(|c| {
            let ctx = report::context(c, &config, &card, period)?;
            report::build(c, &ctx)
        })?;
        tb.push(t.elapsed());
    }
    Ok(Row {
        sectors,
        cells: raw.len(),
        withheld,
        suppress: median(ts),
        check: median(tc),
        build: median(tb),
    })
}

fn main() -> Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let members = env_usize("BENCH_MEMBERS", 300);
    let repeat = env_usize("BENCH_REPEAT", 5).max(1);
    let period = last_month()?;
    let tmp = tempfile::tempdir()?;
    let mut rows = Vec::new();
    for sectors in [5, 10, 20] {
        rows.push(one(tmp.path(), members, sectors, period, repeat)?);
    }
    println!("disclosure control: {members} members, median of {repeat}");
    let base = rows[0].suppress.as_secs_f64() + rows[0].check.as_secs_f64();
    for r in &rows {
        let both = r.suppress.as_secs_f64() + r.check.as_secs_f64();
        println!(
            "  {:>2} sectors: {:>4} cells, {:>3} withheld; suppress {:>8.2} ms, check {:>7.2} ms, \
             together {:>5.1}x the 5-sector chapter; whole report build {:>8.2} ms",
            r.sectors,
            r.cells,
            r.withheld,
            r.suppress.as_secs_f64() * 1e3,
            r.check.as_secs_f64() * 1e3,
            both / base.max(1e-9),
            r.build.as_secs_f64() * 1e3
        );
    }
    println!("  target: the 20-sector chapter's suppress + check <= 20 ms");
    if let Ok(dir) = std::env::var("BENCH_CHAPTERS") {
        chapters(std::path::Path::new(&dir), period)?;
    }
    Ok(())
}

/// Suppresses every chapter node's last month under `root` and prints the totals.
fn chapters(root: &std::path::Path, period: Period) -> Result<()> {
    let mut dirs: Vec<_> = std::fs::read_dir(root)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    dirs.sort();
    let (mut cells_n, mut withheld, mut whole) = (0, 0, 0);
    let (mut suppress, mut check, mut worst) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut worst_name = String::new();
    for path in &dirs {
        let dir = DataDir::new(path);
        let store = dir.open_store()?;
        let (config, card) = (dir.config()?, dir.card()?);
        let (raw, campaigns, k) = store.read(|c| {
            let ctx = report::context(c, &config, &card, period)?;
            Ok((
                report::raw_cells(c, period)?,
                report::public_campaigns(c)?,
                ctx.policy.k,
            ))
        })?;
        let policy = shopfloor_protocol::DisclosurePolicy { k };
        let mut cells = raw.clone();
        let t = Instant::now();
        disclosure::suppress_report(&mut cells, &policy, &campaigns);
        let took = t.elapsed();
        suppress += took;
        if took > worst {
            worst = took;
            worst_name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into();
        }
        let t = Instant::now();
        disclosure::check_report(&cells, k, &campaigns)?;
        check += t.elapsed();
        cells_n += cells.len();
        withheld += cells
            .iter()
            .filter(|c| c.value == CellValue::Suppressed)
            .count();
        let union_status = |c: &&shopfloor_protocol::Cell| {
            c.key.metric == "members" && c.key.dims.keys().eq([&Dim::UnionStatus])
        };
        if cells.iter().filter(union_status).count() > 0
            && cells
                .iter()
                .filter(union_status)
                .all(|c| c.value == CellValue::Suppressed)
        {
            whole += 1;
        }
    }
    println!(
        "{} chapters under {}: {withheld} of {cells_n} cells withheld; {whole} withhold their \
         whole union-status table; suppress {:.1} ms in all ({:.1}x the audit of the same cells, \
         {:.1} ms), slowest {worst_name} {:.1} ms",
        dirs.len(),
        root.display(),
        suppress.as_secs_f64() * 1e3,
        suppress.as_secs_f64() / check.as_secs_f64().max(1e-9),
        check.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
    );
    Ok(())
}
