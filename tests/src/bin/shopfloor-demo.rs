//! `shopfloor-demo`: a whole federation on loopback in one command.
//!
//! A national hub, a Southern regional hub enrolled at national, and three chapter nodes: Durham
//! (NC) and Houston (TX) reporting to the regional hub, Maine straight to national. Each gets a
//! fresh data directory, synthetic members and organizing data; enrollments print both
//! fingerprints (approval is automatic, in the demo only); one reporting period runs end to end;
//! national's rollup is verified offline against the national root card. Then every web
//! interface's address and login is printed and the federation runs until Ctrl-C.
//!
//! `--smoke` does the same without waiting, and exits 0 only when national's rollup verifies.
//!
//! `--chapters N --regions R --periods P` builds a federation at national scale instead
//! ([`shopfloor_testbed::national`]): N chapters of 20 to 10,000 members in real states, R
//! regional hubs (the South always one), P consecutive months of reports with month-to-month
//! change; every period's national rollup is verified offline against the root card.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::Parser;
use shopfloor_testbed::federation::{Federation, Parent, last_day, last_month};
use shopfloor_testbed::national::{self, National, Options};
use shopfloor_testbed::servers::DEMO_PASSWORD;
use shopfloor_testbed::synth::ChapterProfile;

/// Starts a demo federation (national hub, Southern regional hub, three chapters) on loopback.
#[derive(Debug, Parser)]
#[command(name = "shopfloor-demo", version, about)]
struct Cli {
    /// Run headless: exit 0 when national's rollup verifies, non-zero with the reasons otherwise.
    #[arg(long)]
    smoke: bool,
    /// Put the data directories here (must be empty or absent) instead of a temporary directory
    /// that is removed on exit.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Seed for the synthetic chapters.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Members per chapter (scaled per chapter; 20 to 10,000). The small federation only.
    #[arg(long, default_value_t = 1200, conflicts_with = "chapters")]
    members: usize,
    /// Build this many synthetic chapters (20 to 10,000 members each, about 400 on average)
    /// instead of the small federation.
    #[arg(long)]
    chapters: Option<usize>,
    /// Regions with their own hub, the South included (with --chapters).
    #[arg(long, default_value_t = 4, requires = "chapters")]
    regions: usize,
    /// Consecutive monthly reporting periods, ending last month (with --chapters).
    #[arg(long, default_value_t = 1, requires = "chapters")]
    periods: usize,
    /// Chapters worked on at once (with --chapters).
    #[arg(long, default_value_t = 4, requires = "chapters")]
    concurrency: usize,
    /// Skip the trustees' key ceremony: reports then carry no encrypted withheld cells (a
    /// baseline for the time encryption takes).
    #[arg(long)]
    no_encrypted_cells: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("FAILED: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    if let Some(n) = cli.chapters {
        return run_national(&cli, n).await;
    }
    let started = Instant::now();
    let period = last_month()?;
    let as_of = last_day(period)?;
    let n = cli.members.clamp(20, 10_000);
    let profiles = [
        (
            ChapterProfile::new("Durham DSA", "NC", n, cli.seed).county("37063"),
            Parent::Regional,
        ),
        (
            ChapterProfile::new("Houston DSA", "TX", n * 3 / 2, cli.seed + 1).county("48201"),
            Parent::Regional,
        ),
        (
            ChapterProfile::new("Southern Maine DSA", "ME", n / 2, cli.seed + 2).county("23005"),
            Parent::National,
        ),
    ];
    println!("Shopfloor demo: reporting period {period}");
    let mut builder = Federation::builder();
    if !cli.no_encrypted_cells {
        builder = builder.encrypted_cells();
    }
    if let Some(d) = &cli.data {
        builder = builder.data_dir(d);
    }
    for (p, parent) in profiles {
        builder = builder.chapter(p.as_of(as_of), parent);
    }
    let mut fed = builder.start().await.context("starting the federation")?;
    println!("Data directories: {}", fed.root.display());
    if let Some(j) = &fed.joint_key {
        println!(
            "Joint key for encrypted small cells (2 of 3 trustees: national, the Southern region, {}): fingerprint {}",
            shopfloor_testbed::trustees::OFFICER,
            j.key.fingerprint()
        );
    }
    println!();
    println!(
        "Enrollments (approved automatically: the demo only; compare these by phone or Signal in real life):"
    );
    for e in &fed.enrollments {
        println!("  {} -> {}", e.child, e.parent);
        println!("      {:<28} fingerprint {}", e.child, e.child_fingerprint);
        println!(
            "      {:<28} fingerprint {}",
            e.parent, e.parent_fingerprint
        );
    }
    println!();
    println!("Synthetic chapters:");
    for c in &fed.chapters {
        let ch = &c.chapter;
        let stages = ch.stages();
        println!(
            "  {:<20} {:>5} members ({} lapsed), {} Spanish speakers, {} union members; {} workplaces (stages 0-5: {:?}), {} pods, {} reserve, {} campaigns",
            c.name,
            c.loaded.import.created,
            ch.members.len() - ch.active_members(),
            ch.spanish_speakers(),
            ch.union_members(),
            c.loaded.workplaces,
            stages,
            c.loaded.pods,
            c.loaded.reserve,
            c.loaded.campaigns,
        );
    }
    println!();
    let run = fed.run_period(period).await?;
    println!("Reporting period {period}:");
    for d in &run.delivered {
        println!(
            "  {:<20} report revision {} delivered, verified receipt (digest {}…, {} attempt{})",
            d.chapter,
            d.revision,
            d.digest.get(..16).unwrap_or(&d.digest),
            d.attempts,
            if d.attempts == 1 { "" } else { "s" }
        );
    }
    if let Some(rev) = run.regional_revision {
        println!(
            "  Southern Region      rollup revision {rev} forwarded to national, verified receipt"
        );
    }
    println!(
        "  National             rollup revision {} built",
        run.national_revision
    );
    let root_card = fed.root.join("national-root-card.json");
    let bundle = fed.root.join(format!("national-rollup-{period}.json"));
    std::fs::write(&root_card, fed.root_card().to_json())?;
    std::fs::write(&bundle, &run.bundle)?;
    println!();
    println!(
        "National verification (offline, against the root card): {}",
        run.summary
    );
    println!(
        "  Re-check it yourself: cargo run -p shopfloor-hub -- verify {} --root {}",
        bundle.display(),
        root_card.display()
    );
    if cli.data.is_none() {
        println!("  (the temporary data directory is removed on exit; pass --data DIR to keep it)");
    }
    println!();
    // The scripted month is done; from here on the regional hub forwards by itself, as every hub
    // does in production (`auto_forward = true` in hub.toml), so a report sent from a chapter's
    // browser reaches national.
    if let Some(regional) = fed.regional.as_mut() {
        regional
            .enable_auto_forward()
            .await
            .context("turning on the regional hub's forwarder")?;
        println!(
            "The regional hub now forwards rollups by itself, as in production (auto_forward = true)."
        );
    }
    // Each login is tried over HTTP before it is printed.
    let logins = fed
        .check_logins()
        .await
        .context("logging in to the web interfaces")?;
    println!("Web interfaces (login admin / {DEMO_PASSWORD}; each checked):");
    for (name, url) in logins {
        println!("  {name:<26} {url}");
    }
    println!();
    if cli.smoke {
        println!(
            "Smoke test passed in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
        fed.stop().await?;
        return Ok(());
    }
    for c in &mut fed.chapters {
        c.node.start_background();
    }
    println!(
        "Ready in {:.1} s. Press Ctrl-C to stop.",
        started.elapsed().as_secs_f64()
    );
    tokio::signal::ctrl_c().await?;
    println!("Stopping.");
    fed.stop().await?;
    Ok(())
}

/// The federation at national scale.
async fn run_national(cli: &Cli, chapters: usize) -> Result<()> {
    let started = Instant::now();
    let mut opts = Options::new(chapters, cli.regions, cli.periods);
    opts.seed = cli.seed;
    opts.data = cli.data.clone();
    opts.concurrency = cli.concurrency;
    opts.encrypted = !cli.no_encrypted_cells;
    let plan = national::plan(&opts)?;
    let periods = national::periods(cli.periods)?;
    let (first, last) = match (periods.first(), periods.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => anyhow::bail!("no periods"),
    };
    let members: usize = plan.chapters.iter().map(|c| c.members).sum();
    println!(
        "Shopfloor demo at national scale: {} chapters ({} members on their first lists), {} regions, periods {first} to {last}",
        plan.chapters.len(),
        members,
        plan.regions.len()
    );
    println!();
    println!("Regions:");
    for (i, r) in plan.regions.iter().enumerate() {
        let cs: Vec<_> = plan
            .chapters
            .iter()
            .filter(|c| c.region == Some(i))
            .collect();
        let states: Vec<&str> = r.states.iter().map(|(s, _, _)| *s).collect();
        println!(
            "  {:<34} {:>4} chapters {:>7} members  states {}",
            r.name,
            cs.len(),
            cs.iter().map(|c| c.members).sum::<usize>(),
            states.join(" ")
        );
    }
    let direct: Vec<_> = plan
        .chapters
        .iter()
        .filter(|c| c.region.is_none())
        .collect();
    if !direct.is_empty() {
        println!(
            "  {:<34} {:>4} chapters {:>7} members  ({})",
            "Straight to national",
            direct.len(),
            direct.iter().map(|c| c.members).sum::<usize>(),
            direct
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut sizes: Vec<usize> = plan.chapters.iter().map(|c| c.members).collect();
    sizes.sort_unstable();
    println!(
        "Chapter sizes: smallest {}, median {}, largest {}",
        sizes.first().copied().unwrap_or(0),
        sizes.get(sizes.len() / 2).copied().unwrap_or(0),
        sizes.last().copied().unwrap_or(0)
    );
    println!();
    let mut fed = National::build(plan, &opts, first)
        .await
        .context("building the federation")?;
    println!("Data directories: {}", fed.root.display());
    if let Some(j) = &fed.joint_key {
        println!(
            "Joint key for encrypted small cells (2 of 3 trustees: national, the Southern region, {}): fingerprint {}",
            shopfloor_testbed::trustees::OFFICER,
            j.key.fingerprint()
        );
    }
    println!(
        "Hubs ready in {:.1} s; {} chapters built and enrolled in {:.1} s",
        fed.timings.hubs,
        fed.chapters.len(),
        fed.timings.chapters_wall
    );
    println!();
    println!(
        "Hub enrollments (approved automatically: the demo only; compare these by phone or Signal in real life):"
    );
    for e in &fed.enrollments {
        println!("  {} -> {}", e.child, e.parent);
        println!("      {:<34} fingerprint {}", e.child, e.child_fingerprint);
        println!(
            "      {:<34} fingerprint {}",
            e.parent, e.parent_fingerprint
        );
    }
    println!();
    let root_card = fed.root.join("national-root-card.json");
    std::fs::write(&root_card, fed.root_card().to_json())?;
    println!("Reporting periods (national's rollup verified offline against the root card):");
    let mut last_bundle = None;
    let all_periods = periods.clone();
    for period in periods {
        let t = Instant::now();
        let out = match fed.run_period(period).await {
            Ok(out) => out,
            Err(e) => {
                println!(
                    "  {period}: FAILED after {:.1} s",
                    t.elapsed().as_secs_f64()
                );
                print_timings(&fed.timings, cli.concurrency);
                return Err(e.context(format!("period {period}")));
            }
        };
        let bundle = fed.root.join(format!("national-rollup-{period}.json"));
        std::fs::write(&bundle, &out.bundle)?;
        println!(
            "  {period}: {} reports, {} regional rollups forwarded, national rollup revision {}; {} members, {} workplaces nationally ({:.1} s)",
            out.delivered,
            out.forwarded,
            out.national_revision,
            out.members,
            out.workplaces,
            t.elapsed().as_secs_f64()
        );
        println!("      {}", out.summary);
        last_bundle = Some(bundle);
    }
    if let Some(bundle) = last_bundle {
        println!(
            "  Re-check one yourself: cargo run -p shopfloor-hub -- verify {} --root {}",
            bundle.display(),
            root_card.display()
        );
    }
    print_timings(&fed.timings, cli.concurrency);
    if cli.data.is_none() {
        println!("  (the temporary data directory is removed on exit; pass --data DIR to keep it)");
    }
    println!();
    if fed.joint_key.is_some() {
        println!(
            "Publications (the trustees decrypt the rare counts the release rule allows; docs/operate.md):"
        );
        // The smoke run publishes its last period only: each publication verifies the whole
        // tree at three places (the hub and both trustees).
        let skip = if cli.smoke {
            all_periods.len().saturating_sub(1)
        } else {
            0
        };
        for period in all_periods.into_iter().skip(skip) {
            let t = Instant::now();
            let published = fed.publish(period).await?;
            for (name, p) in &published {
                let examples: Vec<String> = p
                    .examples
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect();
                println!(
                    "  {period} {name:<34} {} aggregates decrypted, {} shown exactly{}",
                    p.released,
                    p.exact,
                    if examples.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", examples.join(", "))
                    }
                );
            }
            for (name, p) in &published {
                let rare: Vec<String> = p
                    .rare
                    .iter()
                    .map(|(k, v)| format!("{k} {}", shown(v)))
                    .collect();
                println!("      {name}: {}", rare.join(", "));
            }
            println!("      ({:.1} s)", t.elapsed().as_secs_f64());
        }
        println!();
    }
    // As in the small demo: the months are scripted; from here on the regional hubs forward by
    // themselves, as in production.
    for r in &mut fed.regionals {
        r.server
            .enable_auto_forward()
            .await
            .with_context(|| format!("turning on {}'s forwarder", r.region.name))?;
    }
    println!(
        "Regional hubs now forward rollups by themselves, as in production (auto_forward = true)."
    );
    let logins = fed
        .check_logins()
        .await
        .context("logging in to the hubs' web interfaces")?;
    println!("Hub web interfaces (login admin / {DEMO_PASSWORD}; each checked):");
    for (name, url) in logins {
        println!("  {name:<34} {url}");
    }
    println!(
        "Chapter nodes are data directories (not served here): {}/chapters/<id>, login admin / {DEMO_PASSWORD}",
        fed.root.display()
    );
    println!();
    if cli.smoke {
        println!(
            "Smoke test passed in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
        fed.stop().await?;
        return Ok(());
    }
    println!(
        "Ready in {:.1} s. Press Ctrl-C to stop.",
        started.elapsed().as_secs_f64()
    );
    tokio::signal::ctrl_c().await?;
    println!("Stopping.");
    fed.stop().await?;
    Ok(())
}

/// A published value as the demo prints it: `12`, `≥ 12` or `withheld`.
fn shown(v: &shopfloor_hub::publish::Value) -> String {
    use shopfloor_hub::publish::Value;
    match v {
        Value::Exact(n) => n.to_string(),
        Value::AtLeast(n) => format!("≥ {n}"),
        Value::Withheld => "withheld".to_owned(),
    }
}

/// Where the time went, so far.
fn print_timings(t: &national::Timings, concurrency: usize) {
    println!();
    println!(
        "Where the time went (seconds; chapter work summed over chapters, run {} at once):",
        concurrency
    );
    println!("  hubs created and enrolled        {:>8.1}", t.hubs);
    println!(
        "  chapters built and enrolled      {:>8.1} wall  ({:.1} summed, of which enrollment {:.1})",
        t.chapters_wall, t.chapters_build, t.chapters_enroll
    );
    println!(
        "  chapters' months                 {:>8.1} wall  (changes {:.1}, report build {:.1}, delivery and ingest {:.1} summed)",
        t.chapters_periods_wall, t.changes, t.report_build, t.ingest
    );
    println!("  regional rollups forwarded       {:>8.1}", t.forward);
    println!("  national rollups built           {:>8.1}", t.rollup);
    println!("  national rollups verified        {:>8.1}", t.verify);
}
