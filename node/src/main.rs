//! The `shopfloor-node` command line.

mod cli_federation;
mod cli_setup;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use shopfloor_node::datadir::{self, DataDir};
use shopfloor_node::domain::{audit, users};
use shopfloor_node::import::{Format, ImportOptions};
use shopfloor_node::{Error, backup, doctor, export, import, report};
use shopfloor_protocol::registry::{self, Dim};
use shopfloor_protocol::{AgeRecipient, CellValue, Period};

/// Shopfloor chapter node: member data, national-list imports, aggregate reports, backups.
#[derive(Debug, Parser)]
#[command(name = "shopfloor-node", version, about)]
struct Cli {
    /// Data directory.
    #[arg(
        long,
        global = true,
        env = "SHOPFLOOR_DATA",
        default_value = "./shopfloor-data"
    )]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
    /// Log format of `serve`: text (no colour codes unless on a terminal) or json.
    #[arg(
        long,
        global = true,
        env = "SHOPFLOOR_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    log_format: shopfloor_node::logging::LogFormat,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new node: data directory, config, keys, database and the first admin.
    ///
    /// The admin password comes from SHOPFLOOR_ADMIN_PASSWORD, or is generated and printed once.
    Init {
        /// The chapter's name, e.g. "Triangle DSA".
        #[arg(long)]
        chapter: String,
        /// USPS state code, e.g. NC.
        #[arg(long)]
        state: String,
    },
    /// Import a membership list (CSV). All or nothing: any bad row refuses the whole file.
    Import(ImportArgs),
    /// Export data.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Reports to the hub.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Write an encrypted backup (database and node files) sealed with age.
    Backup {
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// age recipient (age1...) to seal to; repeat for each officer. Default: the node's own
        /// key (then keep a copy of keys.txt somewhere safe, off this server).
        #[arg(long = "to", value_name = "AGE_RECIPIENT")]
        to: Vec<String>,
    },
    /// Restore a backup into an empty data directory (--data).
    Restore {
        /// The backup file.
        file: PathBuf,
        /// A file holding an age identity (AGE-SECRET-KEY-1...) the backup was sealed to; the
        /// node's keys.txt works.
        #[arg(long)]
        identity: PathBuf,
    },
    /// Check the node: files, permissions, config, database integrity and schema.
    Doctor {
        /// Print the checks as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Serve the web interface and the JSON API until SIGTERM or Ctrl-C.
    Serve {
        /// Address to listen on. Put a TLS proxy in front and set `public_url` in node.toml.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// Enroll with a hub: shows both fingerprints to compare by phone or Signal, waits for the
    /// hub's admin to approve, and stores the certificate.
    Enroll(cli_federation::EnrollArgs),
    /// The hub's guidance: trainings, campaign criteria, goals, the disclosure policy.
    #[command(subcommand)]
    Guidance(cli_federation::GuidanceCommand),
    /// Reports waiting for delivery to the hub (retried with backoff until a receipt).
    #[command(subcommand)]
    Outbox(cli_federation::OutboxCommand),
    /// The hub's log (receipts, consistency checks) and alarms.
    #[command(subcommand)]
    Federation(cli_federation::FederationCommand),
    /// Ask other chapters for help through the hub, and see requests relayed to you.
    #[command(subcommand)]
    Support(cli_federation::SupportCommand),
    /// Set up a new node in one step after installing: asks for (or takes as flags) the
    /// chapter, state, public address and admin password, runs init, writes node.toml, starts
    /// the service and prints the next steps (Caddy, enrollment).
    Setup(cli_setup::SetupArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// National's membership list (either header style).
    National,
    /// Another member CSV; name columns after fields or use --map.
    Generic,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The CSV file.
    file: PathBuf,
    /// Which kind of list.
    #[arg(long, value_enum, default_value = "national")]
    format: FormatArg,
    /// Map a column to a field: --map "Shoe Size=ignore", --map "Member ID=actionkit_id".
    #[arg(long = "map", value_name = "COL=field")]
    map: Vec<String>,
    /// Compute the summary without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Print the summary (or the problems) as one JSON object.
    #[arg(long)]
    json: bool,
    /// Import even though the list marks more than 20% of the members on the list missing.
    #[arg(long)]
    confirm: bool,
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Every member as CSV (audited).
    Members {
        /// Output file (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add an account. Password from SHOPFLOOR_PASSWORD, or generated and printed once.
    Add {
        /// Login name.
        username: String,
        /// admin, organizer, pod_lead or viewer.
        #[arg(long)]
        role: String,
    },
    /// List accounts.
    List,
    /// Disable an account (or re-enable it with --enable).
    Disable {
        /// Login name.
        username: String,
        /// Re-enable instead.
        #[arg(long)]
        enable: bool,
    },
    /// Set a new password: from SHOPFLOOR_PASSWORD, or generated and printed once.
    ResetPassword {
        /// Login name.
        username: String,
    },
    /// Clear the login locks and failure counts of an account (all addresses, its browsers),
    /// so its user can log in again right away. The running server sees it at once.
    Unlock {
        /// Login name.
        username: String,
    },
    /// Create an API token for scripts (`Authorization: Bearer ...`); printed once.
    Token {
        /// Login name.
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "script")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Show the report for a period. With --json, print exactly the payload bytes that would
    /// be signed.
    Preview {
        /// Period, YYYY-MM.
        #[arg(long)]
        period: String,
        /// Print the exact payload (JSON) instead of a table.
        #[arg(long)]
        json: bool,
        /// Show the period rebuilt from today's counts, labelled a correction.
        #[arg(long)]
        correction: bool,
    },
    /// Build, sign and seal the period's report to a file, for `shopfloor-hub ingest FILE`.
    Build(cli_federation::BuildArgs),
    /// Build the period's report, send it to the hub through the outbox, wait for the receipt.
    Submit(cli_federation::SubmitArgs),
    /// Import the receipt printed by `shopfloor-hub ingest --json` for a report file.
    Receipt {
        /// The receipt (JSON envelope).
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, each once: an I/O error's text already ends its wrapper's.
fn error_text(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn open(dir: &DataDir) -> Result<shopfloor_node::store::Store> {
    if !dir.db_path().exists() {
        bail!(
            "no node in {} (run `shopfloor-node init` or pass --data)",
            dir.root().display()
        );
    }
    Ok(dir.open_store()?)
}

fn password_from_env(var: &str) -> Result<(String, bool)> {
    match std::env::var(var) {
        Ok(p) if !p.is_empty() => Ok((p, false)),
        _ => Ok((users::generate_password()?, true)),
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let dir = DataDir::new(&cli.data);
    match cli.command {
        Command::Init { chapter, state } => {
            let pw = std::env::var("SHOPFLOOR_ADMIN_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty());
            let out = datadir::init(&cli.data, &chapter, &state, pw)?;
            println!(
                "Created node {} ({}) in {}",
                out.card.name,
                out.card.id,
                cli.data.display()
            );
            println!("Fingerprint: {}", out.card.fingerprint());
            println!("Admin user: {}", out.admin_username);
            if let Some(p) = out.generated_password {
                println!("Admin password (shown once, write it down): {p}");
            }
        }
        Command::Import(args) => return import_cmd(&dir, args),
        Command::Export(ExportCommand::Members { out }) => {
            let store = open(&dir)?;
            let n = export::members_csv(&store, &out, &audit::cli_actor())?;
            println!("Wrote {n} members to {}", out.display());
        }
        Command::User(cmd) => user_cmd(&dir, cmd)?,
        Command::Report(ReportCommand::Preview {
            period,
            json,
            correction,
        }) => {
            let period: Period = period.parse()?;
            let store = open(&dir)?;
            let config = dir.config()?;
            let card = dir.card()?;
            let built = store.read(|conn| {
                let mut ctx = report::context(conn, &config, &card, period)?;
                ctx.correction = correction;
                report::build(conn, &ctx)
            })?;
            if json {
                use std::io::Write as _;
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(&report::payload(&built.report))?;
                stdout.flush()?;
            } else {
                print_report(&built);
            }
        }
        Command::Backup { out, to } => {
            let store = open(&dir)?;
            let recipients = if to.is_empty() {
                vec![dir.card()?.age_recipient]
            } else {
                to.iter()
                    .map(|r| AgeRecipient::new(r).with_context(|| format!("--to {r}")))
                    .collect::<Result<Vec<_>>>()?
            };
            let n = backup::backup(&dir, &store, &recipients, &out)?;
            store.write(|tx| {
                audit::record(
                    tx,
                    &audit::cli_actor(),
                    "backup",
                    &out.display().to_string(),
                    &format!("{} recipient(s)", recipients.len()),
                )
            })?;
            println!(
                "Wrote {} ({n} bytes) sealed to {} recipient(s)",
                out.display(),
                recipients.len()
            );
        }
        Command::Restore { file, identity } => {
            backup::restore(&file, &identity, &cli.data)?;
            println!("Restored into {}", cli.data.display());
            let checks = doctor::run(&dir);
            let ok = print_checks(&checks);
            if !ok {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Serve { listen } => serve_cmd(&dir, listen, cli.log_format)?,
        Command::Enroll(args) => return cli_federation::enroll_cmd(&dir, &open(&dir)?, args),
        Command::Guidance(cmd) => cli_federation::guidance_cmd(&open(&dir)?, cmd)?,
        Command::Support(cmd) => cli_federation::support_cmd(&dir, &open(&dir)?, cmd)?,
        Command::Outbox(cmd) => return cli_federation::outbox_cmd(&open(&dir)?, cmd),
        Command::Federation(cmd) => {
            return cli_federation::federation_cmd(&dir, &open(&dir)?, cmd);
        }
        Command::Report(ReportCommand::Build(args)) => {
            cli_federation::report_build_cmd(&dir, &open(&dir)?, args)?;
        }
        Command::Report(ReportCommand::Submit(args)) => {
            return cli_federation::report_submit_cmd(&dir, &open(&dir)?, args);
        }
        Command::Report(ReportCommand::Receipt { file }) => {
            cli_federation::report_receipt_cmd(&open(&dir)?, &file)?;
        }
        Command::Setup(args) => cli_setup::setup_cmd(&cli.data, args)?,
        Command::Doctor { json } => {
            let checks = doctor::run(&dir);
            let ok = checks.iter().all(|c| c.ok);
            if json {
                println!("{}", serde_json::json!({ "ok": ok, "checks": checks }));
            } else {
                print_checks(&checks);
            }
            if !ok {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn serve_cmd(
    dir: &DataDir,
    listen: std::net::SocketAddr,
    log_format: shopfloor_node::logging::LogFormat,
) -> Result<()> {
    shopfloor_node::logging::init(log_format);
    if !dir.db_path().exists() {
        bail!(
            "no node in {} (run `shopfloor-node init` or pass --data)",
            dir.root().display()
        );
    }
    // A data directory made before `age-key.txt` existed gets it now; a rotated key updates it.
    if shopfloor_node::agekey::sync(dir)? {
        tracing::info!("wrote {}", shopfloor_node::agekey::path(dir).display());
    }
    let state = shopfloor_node::web::AppState::open(dir.clone())?;
    let runtime = shopfloor_node::web::serve_runtime()?;
    runtime.block_on(async {
        tracing::info!(%listen, "serving");
        // The monthly report, guidance, the outbox and log checks run beside the web server.
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let background = shopfloor_node::federation::spawn_background(
            state.store().clone(),
            dir.clone(),
            stop_rx,
        );
        let served =
            shopfloor_node::web::serve(state, listen, shopfloor_node::web::shutdown_signal()).await;
        let _ = stop_tx.send(true);
        let _ = background.await;
        served
    })?;
    Ok(())
}

fn print_checks(checks: &[doctor::Check]) -> bool {
    for c in checks {
        println!(
            "[{}] {}: {}",
            if c.ok { " ok " } else { "FAIL" },
            c.name,
            c.detail
        );
    }
    let ok = checks.iter().all(|c| c.ok);
    println!(
        "{}",
        if ok {
            "All checks passed."
        } else {
            "Some checks failed."
        }
    );
    ok
}

fn import_cmd(dir: &DataDir, args: ImportArgs) -> Result<ExitCode> {
    let store = open(dir)?;
    let mut maps = Vec::new();
    for m in &args.map {
        let Some((col, field)) = m.split_once('=') else {
            bail!("--map {m:?}: expected COL=field");
        };
        maps.push((col.trim().to_owned(), field.trim().to_owned()));
    }
    let opts = ImportOptions {
        format: match args.format {
            FormatArg::National => Format::National,
            FormatArg::Generic => Format::Generic,
        },
        maps,
        dry_run: args.dry_run,
        confirm_missing: args.confirm,
    };
    match import::import_file(&store, &args.file, &opts, &audit::cli_actor()) {
        Ok(s) => {
            if args.json {
                println!("{}", serde_json::json!({ "ok": true, "summary": s }));
            } else {
                if s.dry_run {
                    println!("Dry run: nothing was written.");
                }
                println!("Rows read:      {}", s.rows_read);
                println!("Blank rows:     {}", s.blank_rows);
                println!("Created:        {}", s.created);
                println!(
                    "Updated:        {} ({} back on the list)",
                    s.updated, s.returned
                );
                println!("Unchanged:      {}", s.unchanged);
                println!(
                    "Marked missing: {} (of {} on the list before)",
                    s.marked_missing, s.present_before
                );
                println!(
                    "Newly lapsed:   {} ({} lapsed on this list)",
                    s.newly_lapsed, s.lapsed_in_list
                );
                if s.needs_confirmation {
                    println!(
                        "This list marks {} of {} members missing: the real import needs \
                         --confirm.",
                        s.marked_missing, s.present_before
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Import(e)) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({
                        "ok": false,
                        "problems": e.problems,
                        "more_problems": e.more_problems,
                    })
                );
            } else {
                eprintln!("{e}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(Error::ImportUnconfirmed {
            marked_missing,
            present_before,
        }) => {
            let message = format!(
                "import refused, nothing was changed: this list would mark {marked_missing} of \
                 the {present_before} members on the list missing. Check that it is national's \
                 complete list, then run the import again with --confirm."
            );
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({
                        "ok": false,
                        "needs_confirmation": true,
                        "marked_missing": marked_missing,
                        "present_before": present_before,
                        "message": message,
                    })
                );
            } else {
                eprintln!("{message}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

fn user_cmd(dir: &DataDir, cmd: UserCommand) -> Result<()> {
    let store = open(dir)?;
    let actor = audit::cli_actor();
    match cmd {
        UserCommand::Add { username, role } => {
            let (pw, generated) = password_from_env("SHOPFLOOR_PASSWORD")?;
            let hash = users::hash_new_password(&pw, &username)?;
            store.write(|tx| {
                users::add(tx, &username, &role, &hash)?;
                audit::record(tx, &actor, "user.add", &username, &format!("role {role}"))
            })?;
            println!("Added {username} ({role})");
            if generated {
                println!("Password (shown once): {pw}");
            }
        }
        UserCommand::List => {
            for u in store.read(users::list)? {
                println!(
                    "{:<24} {:<10} {}",
                    u.username,
                    u.role,
                    if u.disabled { "disabled" } else { "active" }
                );
            }
        }
        UserCommand::Disable { username, enable } => {
            store.write(|tx| {
                users::set_disabled(tx, &username, !enable)?;
                audit::record(
                    tx,
                    &actor,
                    if enable {
                        "user.enable"
                    } else {
                        "user.disable"
                    },
                    &username,
                    "",
                )
            })?;
            println!("{username} {}", if enable { "enabled" } else { "disabled" });
        }
        UserCommand::Token { username, name } => {
            let token = store.write(|tx| {
                let t = shopfloor_node::web::session::create_token(tx, &username, &name)?;
                audit::record(tx, &actor, "token.create", &username, &name)?;
                Ok(t)
            })?;
            println!("{token}");
        }
        UserCommand::Unlock { username } => {
            let cleared = store.write(|tx| {
                let exists: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1)",
                    [&username],
                    |r| r.get(0),
                )?;
                if !exists {
                    return Err(Error::not_found(format!("user {username}")));
                }
                let n = shopfloor_node::web::throttle::unlock(tx, &username)?;
                audit::record(
                    tx,
                    &actor,
                    "user.unlock",
                    &username,
                    &format!("{n} counters cleared"),
                )?;
                Ok(n)
            })?;
            println!("Unlocked {username} ({cleared} counters cleared)");
        }
        UserCommand::ResetPassword { username } => {
            let (pw, generated) = password_from_env("SHOPFLOOR_PASSWORD")?;
            let hash = users::hash_new_password(&pw, &username)?;
            store.write(|tx| {
                users::set_password_hash(tx, &username, &hash)?;
                audit::record(tx, &actor, "user.reset-password", &username, "")
            })?;
            println!("Password of {username} reset");
            if generated {
                println!("New password (shown once): {pw}");
            }
        }
    }
    Ok(())
}

fn print_report(built: &report::Built) {
    use std::io::Write as _;
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_report(&mut out, built);
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
}

fn write_report(out: &mut String, built: &report::Built) -> std::fmt::Result {
    use std::fmt::Write as _;
    let o = report::overview(built);
    writeln!(
        out,
        "Report {} for {}, revision {}, k = {}",
        o.period, o.recipient, o.revision, o.k
    )?;
    if o.recipient == report::UNENROLLED_RECIPIENT {
        writeln!(
            out,
            "(not enrolled with a hub yet: the recipient is a placeholder)"
        )?;
    }
    writeln!(out, "{}", cli_federation::as_of_line(&o))?;
    writeln!(
        out,
        "{} cells published, {} withheld (primary), {} withheld (complementary)",
        o.published, o.primary_suppressed, o.complementary_suppressed
    )?;
    for (idx, cells) in report::by_metric(&built.report.cells) {
        let label = registry::METRICS.get(idx).map_or("?", |m| m.en);
        writeln!(out, "\n{label}")?;
        for c in cells {
            let dims: Vec<String> = c
                .key
                .dims
                .iter()
                .map(|(d, v)| format!("{} = {}", d.label().0, Dim::value_label(*d, v).0))
                .collect();
            let value = match c.value {
                CellValue::Count(v) => v.to_string(),
                CellValue::Suppressed => "(withheld)".into(),
            };
            let name = if dims.is_empty() {
                "total".to_owned()
            } else {
                dims.join(", ")
            };
            writeln!(out, "  {name:<60} {value:>8}")?;
        }
    }
    let f = &built.report.facts;
    writeln!(
        out,
        "\nFacts: labor committee {}, CLC delegate {}, bylaws {}",
        f.labor_committee, f.clc_delegate, f.bylaws
    )?;
    for c in &built.report.campaigns {
        writeln!(
            out,
            "Public campaign: {} ({}, {})",
            c.title, c.kind, c.status
        )?;
    }
    Ok(())
}
