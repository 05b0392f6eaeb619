//! `shopfloor-hub`: the hub's command line. Glue only: every operation lives in the library.

mod cli_setup;
mod trustee_cli;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand};
use serde_json::json;
use shopfloor_hub::config::{self, InitOptions, Level};
use shopfloor_hub::users::Role;
use shopfloor_hub::web::ui::i18n::{Lang, LangExt as _};
use shopfloor_hub::{
    Hub, backup, doctor, enroll, forward, guidance, ingest, publish, rollups, users,
};
use shopfloor_protocol::{AgeRecipient, Card, Kind, Period, SecretKeys};

/// Shopfloor hub: enrollment, verified ingest of sealed reports, receipts, rollups, guidance.
#[derive(Debug, Parser)]
#[command(name = "shopfloor-hub", version, about)]
struct Cli {
    /// Data directory (keys, configuration, database).
    #[arg(
        long,
        global = true,
        env = "SHOPFLOOR_HUB_DATA",
        default_value = "./shopfloor-hub-data"
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
    log_format: shopfloor_hub::logging::LogFormat,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the data directory: keys, card, configuration, database, first admin.
    ///
    /// The admin password comes from SHOPFLOOR_ADMIN_PASSWORD, or is generated and printed once.
    Init {
        /// national or regional.
        #[arg(long)]
        level: Level,
        /// Display name; the hub's id is derived from it.
        #[arg(long)]
        name: String,
        /// USPS state code, for a hub in one state.
        #[arg(long)]
        state: Option<String>,
    },
    /// Serve the API until SIGTERM or Ctrl-C.
    Serve {
        /// Address to listen on (default from hub.toml, 127.0.0.1:8090).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Print this hub's public card and fingerprint.
    Card {
        /// Print the card as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make a one-time invite code for a chapter (or, at national, a regional hub).
    Invite {
        /// Who the code is for.
        #[arg(long)]
        name: String,
        /// chapter or regional.
        #[arg(long)]
        kind: Kind,
        /// Print `{"code": ...}`.
        #[arg(long)]
        json: bool,
    },
    /// List pending enrollment requests with both fingerprints.
    Pending {
        /// Print a JSON list.
        #[arg(long)]
        json: bool,
    },
    /// Approve an enrollment request: sign the child's certificate.
    Approve {
        /// Request id (from `pending`).
        id: String,
    },
    /// Reject an enrollment request.
    Reject {
        /// Request id (from `pending`).
        id: String,
    },
    /// Revoke a child's certificate and publish a new signed revocation list.
    Revoke {
        /// The child's id.
        id: String,
        /// Why, in a few words (never name people).
        #[arg(long)]
        reason: String,
    },
    /// Enroll this regional hub at its parent (national) and wait for approval.
    Enroll {
        /// The parent's base URL, e.g. https://national.example.org.
        #[arg(long)]
        parent: String,
        /// The invite code the parent's admin gave you.
        #[arg(long)]
        code: String,
        /// Seconds between polls.
        #[arg(long, default_value_t = 5)]
        poll_secs: u64,
        /// Give up after this many seconds (default: wait forever).
        #[arg(long)]
        timeout_secs: Option<u64>,
    },
    /// Take in a sealed report (or rollup) carried by hand; prints the receipt.
    Ingest {
        /// The sealed file.
        file: PathBuf,
        /// Print the receipt envelope as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build, sign and store the period's rollup.
    Rollup {
        /// Period, YYYY-MM.
        #[arg(long)]
        period: Period,
        /// Write a bundle (rollup, this hub's chain, revocations, and every signed document of
        /// the tree, each once) for offline verification.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print a JSON summary.
        #[arg(long)]
        json: bool,
    },
    /// Publish the period's figures for viewers now: a signed, immutable publication. Changes
    /// after a publication go into a new one only when they cannot single out a chapter.
    Publish {
        /// Period, YYYY-MM.
        period: Period,
        /// Print a JSON summary.
        #[arg(long)]
        json: bool,
    },
    /// Forward the period's rollup to the parent, retrying until a verified receipt.
    Forward {
        /// Period, YYYY-MM.
        #[arg(long)]
        period: Period,
        /// Give up after this many attempts (0: never).
        #[arg(long, default_value_t = 0)]
        max_attempts: u32,
        /// Print a JSON summary.
        #[arg(long)]
        json: bool,
    },
    /// Verify a rollup bundle, sealed file or envelope against the national root card, offline.
    Verify {
        /// The file.
        file: PathBuf,
        /// The pinned national root card (card.json).
        #[arg(long)]
        root: PathBuf,
        /// Key file to open a sealed file with.
        #[arg(long)]
        identity: Option<PathBuf>,
        /// Print `{"ok": ..., ...}`.
        #[arg(long)]
        json: bool,
        /// A witness's cosigner vkey (repeatable): its cosignatures count towards the quorum.
        #[arg(long = "witness")]
        witnesses: Vec<String>,
        /// Valid cosignatures (from the --witness keys) each log checkpoint the bundle relies on
        /// must carry; 0 checks no witnessing (docs/protocol.md §18.6).
        #[arg(long, default_value_t = 0)]
        witness_quorum: usize,
    },
    /// Show reporting completeness for a period.
    Completeness {
        /// Period, YYYY-MM.
        #[arg(long)]
        period: Period,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sign and publish guidance from a JSON draft (trainings, criteria, goals, links, policy).
    PublishGuidance {
        /// The draft.
        file: PathBuf,
        /// Print the signed envelope as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the hub: permissions, keys and card, hub.toml, database integrity and schema, the
    /// transparency log against its receipts, the aggregates the pages read against the stored
    /// signed documents, and an enabled admin. Exits 1 if any check fails.
    Doctor {
        /// Print `{"ok": ..., "checks": [...]}`.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the aggregates the pages read from the stored signed documents, in one
    /// transaction (after `doctor` reports a difference).
    Reindex {
        /// Print `{"periods": ..., "documents": ...}`.
        #[arg(long)]
        json: bool,
    },
    /// Write an encrypted backup (a consistent database snapshot, hub.toml, keys.txt, card.json,
    /// the trustee folder) sealed with age. Never writes plaintext; refuses to overwrite FILE.
    Backup {
        /// The backup file to create (mode 0600).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// age recipient (age1...) to seal to; repeat for each officer. Default: the hub's own
        /// key, which is useless if the server is lost.
        #[arg(long = "to", value_name = "AGE_RECIPIENT")]
        to: Vec<String>,
    },
    /// Restore a backup into an empty or new data directory (--data), then run doctor.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// A file with an age identity (AGE-SECRET-KEY-1...) the backup was sealed to, such as
        /// an officer's `age-keygen` file or the hub's keys.txt.
        #[arg(long, value_name = "KEYFILE")]
        identity: PathBuf,
    },
    /// The trustees' key ceremony for encrypted small cells: init, round2, round3, finish, show.
    /// Works in any data directory (an officer needs no hub).
    #[command(subcommand)]
    Trustee(trustee_cli::TrusteeCommand),
    /// Set up a new hub in one step after installing: asks for (or takes as flags) the level,
    /// name, public address and admin password, runs init, writes hub.toml, starts the service
    /// and prints the next steps (Caddy, the root card or the enrollment at national).
    Setup(cli_setup::SetupArgs),
    /// Write the period's newest publication with the rollup bundle its exact rare counts were
    /// decrypted from, for `verify` to check offline (every signature, tally, range proof and
    /// decryption proof back to the root card).
    ExportPublication {
        /// Period, YYYY-MM.
        period: Period,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password comes from SHOPFLOOR_USER_PASSWORD or is generated and printed.
    Add {
        /// Login name.
        name: String,
        /// admin or viewer.
        #[arg(long, default_value = "viewer")]
        role: String,
    },
    /// List users.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disable a user and end its sessions and tokens.
    Disable {
        /// Login name.
        name: String,
    },
    /// Clear the login locks and failure counts of a user (all addresses, its browsers), so
    /// it can log in again right away. The running server sees it at once.
    Unlock {
        /// Login name.
        name: String,
    },
    /// Create an API token for scripts (shown once).
    Token {
        /// Login name.
        name: String,
        /// What the token is for.
        #[arg(long, default_value = "script")]
        label: String,
        /// Print `{"token": ...}`.
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            match e.downcast_ref::<shopfloor_hub::Error>().map(|e| e.code()) {
                // Password refusals in the catalogue's words, in the terminal's language.
                Some(code @ ("password-weak" | "password-length")) => {
                    let lang = terminal_lang();
                    eprintln!(
                        "error: {} {}",
                        lang.t(&format!("err-{code}")),
                        lang.t(&format!("rec-{code}"))
                    );
                }
                _ => eprintln!("error: {}", error_text(&e)),
            }
            std::process::exit(1);
        }
    }
}

/// Spanish if the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first one set) is, else English.
fn terminal_lang() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    if locale.starts_with("es") {
        Lang::Es
    } else {
        Lang::En
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

fn open(dir: &Path) -> Result<Hub> {
    if !dir.join(config::CONFIG_FILE).exists() {
        bail!(
            "no hub in {} (run `shopfloor-hub init`, or pass --data DIR or set SHOPFLOOR_HUB_DATA)",
            dir.display()
        );
    }
    Hub::open(dir).with_context(|| format!("opening the hub in {}", dir.display()))
}

fn print_json(v: &serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn run(cli: Cli) -> Result<i32> {
    let dir = cli.data;
    match cli.command {
        Command::Init { level, name, state } => {
            let created = config::init(
                &dir,
                &InitOptions {
                    level,
                    name,
                    state,
                    admin_password: std::env::var("SHOPFLOOR_ADMIN_PASSWORD")
                        .ok()
                        .filter(|p| !p.is_empty()),
                },
            )?;
            println!(
                "Created {} hub {} in {}",
                created.card.kind,
                created.card.id,
                dir.display()
            );
            println!("Fingerprint: {}", created.card.fingerprint());
            if level == Level::National {
                println!(
                    "This hub's card.json is the national root card: give it to every chapter and hub."
                );
            } else {
                println!(
                    "Next: enroll at national with `shopfloor-hub enroll --parent URL --code CODE`."
                );
            }
            match created.generated_password {
                Some(p) => println!(
                    "Admin user: {} (password: {p} — shown once)",
                    created.admin_user
                ),
                None => println!(
                    "Admin user: {} (password from SHOPFLOOR_ADMIN_PASSWORD)",
                    created.admin_user
                ),
            }
        }
        Command::Serve { listen } => {
            let hub = open(&dir)?;
            let addr = listen.unwrap_or_else(|| hub.config().listen.clone());
            shopfloor_hub::logging::init(cli.log_format);
            // A data directory made before `age-key.txt` existed gets it now.
            if shopfloor_hub::agekey::sync(&dir)? {
                tracing::info!("wrote {}", shopfloor_hub::agekey::path(&dir).display());
            }
            runtime()?.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&addr)
                    .await
                    .with_context(|| format!("binding {addr}"))?;
                println!("listening on http://{}", listener.local_addr()?);
                std::io::stdout().flush()?;
                shopfloor_hub::web::serve(hub, listener, shutdown_signal()).await?;
                Ok::<_, anyhow::Error>(())
            })?;
        }
        Command::Card { json } => {
            let hub = open(&dir)?;
            if json {
                println!("{}", hub.card().to_json());
            } else {
                let c = hub.card();
                println!("{} ({}, {})", c.name, c.id, c.kind);
                println!("Fingerprint: {}", c.fingerprint());
            }
        }
        Command::Invite { name, kind, json } => {
            let hub = open(&dir)?;
            let inv = enroll::invite(&hub, &name, kind, "cli")?;
            if json {
                print_json(
                    &json!({"code": inv.code, "name": inv.name, "kind": inv.kind, "expires_at": inv.expires_at}),
                )?;
            } else {
                println!("Invite code for {} ({}): {}", inv.name, inv.kind, inv.code);
                println!("Single use; expires {}.", inv.expires_at);
            }
        }
        Command::Pending { json } => {
            let hub = open(&dir)?;
            let list = enroll::pending(&hub)?;
            if json {
                print_json(&serde_json::to_value(&list)?)?;
            } else if list.is_empty() {
                println!("No pending enrollment requests.");
            } else {
                for p in list {
                    println!(
                        "{}  {} ({}, {}) invited as {:?}",
                        p.id, p.party, p.kind, p.name, p.invite_name
                    );
                    println!("    their fingerprint: {}", p.fingerprint);
                    println!("    our fingerprint:   {}", p.hub_fingerprint);
                }
            }
        }
        Command::Approve { id } => {
            let hub = open(&dir)?;
            let child = enroll::approve(&hub, &id, "cli")?;
            println!(
                "Approved {} ({}), certificate serial {}.",
                child.id, child.kind, child.serial
            );
        }
        Command::Reject { id } => {
            let hub = open(&dir)?;
            enroll::reject(&hub, &id, "cli")?;
            println!("Rejected {id}.");
        }
        Command::Revoke { id, reason } => {
            let hub = open(&dir)?;
            enroll::revoke(&hub, &id, &reason, "cli")?;
            println!("Revoked {id}; a new signed revocation list is published.");
        }
        Command::Enroll {
            parent,
            code,
            poll_secs,
            timeout_secs,
        } => {
            let hub = open(&dir)?;
            runtime()?.block_on(async {
                let s = forward::start_enrollment(&hub, &parent, &code).await?;
                println!("Enrollment request {} sent to {} ({}).", s.id, s.hub_card.name, s.hub_card.id);
                println!("Parent fingerprint: {}", s.hub_fingerprint);
                println!("Our fingerprint:    {}", hub.card().fingerprint());
                println!("Compare both with the parent's admin (phone or Signal). Waiting for approval...");
                std::io::stdout().flush()?;
                forward::wait_for_approval(&hub, Duration::from_secs(poll_secs.max(1)), timeout_secs.map(Duration::from_secs)).await?;
                println!("Approved: certificate stored; {} is now this hub's parent and root.", s.hub_card.id);
                Ok::<_, anyhow::Error>(())
            })?;
        }
        Command::Ingest { file, json } => {
            let hub = open(&dir)?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let got = ingest::ingest(&hub, &bytes)?;
            if json {
                println!("{}", String::from_utf8_lossy(&got.receipt.to_json()));
            } else {
                println!(
                    "{} {} from {} for {} revision {}{}; log entry {}.",
                    if got.duplicate {
                        "Already held:"
                    } else {
                        "Accepted"
                    },
                    got.kind,
                    got.child,
                    got.period,
                    got.revision,
                    if got.duplicate { " (same receipt)" } else { "" },
                    got.digest
                );
            }
        }
        Command::Rollup { period, out, json } => {
            let hub = open(&dir)?;
            let built = rollups::build(&hub, period)?;
            if let Some(out) = &out {
                // The bundle carries the log's witnessed checkpoint: gather cosignatures first.
                runtime()?.block_on(shopfloor_hub::witness::gather_if_short(&hub));
                let bundle = rollups::bundle(&hub, built.envelope.clone())?;
                // Streamed to the file: a national bundle is tens of megabytes.
                let file = std::fs::File::create(out)
                    .with_context(|| format!("creating {}", out.display()))?;
                let mut w = std::io::BufWriter::new(file);
                bundle
                    .write_json(&mut w)
                    .and_then(|()| std::io::Write::flush(&mut w))
                    .with_context(|| format!("writing {}", out.display()))?;
            }
            if json {
                print_json(&json!({
                    "period": built.period, "revision": built.revision, "digest": built.digest,
                    "new": built.new, "completeness": built.completeness, "out": out,
                }))?;
            } else {
                let c = &built.completeness;
                println!(
                    "Rollup {} revision {}{}: {} of {} children reported ({} late, {} missing).",
                    period,
                    built.revision,
                    if built.new { "" } else { " (unchanged)" },
                    c.reported.len(),
                    c.expected.len(),
                    c.late.len(),
                    c.missing.len()
                );
                if let Some(out) = out {
                    println!("Bundle written to {}.", out.display());
                }
            }
        }
        Command::Publish { period, json } => {
            let hub = open(&dir)?;
            let outcome = publish::publish(&hub, period, publish::Trigger::Command)?;
            let (status, sequence, digest, reasons) = match &outcome {
                publish::Outcome::Published(s) => (
                    "published",
                    Some(s.publication.sequence),
                    Some(s.digest.to_hex()),
                    Vec::new(),
                ),
                publish::Outcome::Unchanged(s) => (
                    "unchanged",
                    Some(s.publication.sequence),
                    Some(s.digest.to_hex()),
                    Vec::new(),
                ),
                publish::Outcome::HeldBack { previous, reasons } => {
                    ("held-back", Some(*previous), None, reasons.clone())
                }
                publish::Outcome::NothingReported => ("nothing-reported", None, None, Vec::new()),
            };
            if json {
                print_json(&json!({
                    "period": period, "outcome": status, "sequence": sequence,
                    "digest": digest, "reasons": reasons,
                }))?;
            } else {
                match (status, sequence) {
                    ("published", Some(n)) => println!("Published {period}, publication {n}."),
                    ("unchanged", Some(n)) => println!(
                        "Publication {n} of {period} already covers every report held; nothing to publish."
                    ),
                    ("held-back", Some(n)) => {
                        println!(
                            "Held back: publishing the changes since publication {n} of {period} would single out chapters. Viewers keep seeing publication {n}."
                        );
                        for r in &reasons {
                            println!("  {r}");
                        }
                    }
                    _ => println!("No reports for {period}; nothing to publish."),
                }
            }
        }
        Command::Forward {
            period,
            max_attempts,
            json,
        } => {
            let hub = open(&dir)?;
            let (built, receipt) =
                runtime()?.block_on(forward::forward(&hub, period, max_attempts))?;
            if json {
                print_json(
                    &json!({"period": built.period, "revision": built.revision, "digest": built.digest, "receipt": receipt}),
                )?;
            } else {
                println!(
                    "Forwarded rollup {} revision {}; the parent's receipt verifies.",
                    built.period, built.revision
                );
            }
        }
        Command::Verify {
            file,
            root,
            identity,
            json,
            witnesses,
            witness_quorum,
        } => {
            let policy =
                shopfloor_protocol::rollup::WitnessPolicy::new(&witnesses, witness_quorum)?;
            return verify(&file, &root, identity.as_deref(), json, &policy);
        }
        Command::Completeness { period, json } => {
            let hub = open(&dir)?;
            let c = rollups::completeness(&hub, period)?;
            if json {
                print_json(&serde_json::to_value(&c)?)?;
            } else {
                println!(
                    "{period}: expected {}, reported {} (on time {}, late {}), missing {}",
                    c.expected.len(),
                    c.reported.len(),
                    c.on_time.len(),
                    c.late.len(),
                    c.missing.len()
                );
                for m in &c.missing {
                    println!("  missing: {m}");
                }
            }
        }
        Command::PublishGuidance { file, json } => {
            let hub = open(&dir)?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let draft: guidance::Draft =
                serde_json::from_slice(&bytes).context("the guidance draft")?;
            let inherited = if hub.level() == Level::Regional {
                runtime()?.block_on(forward::fetch_parent_guidance(&hub))?
            } else {
                None
            };
            let env = guidance::publish(&hub, draft, inherited)?;
            if json {
                println!("{}", String::from_utf8_lossy(&env.to_json()));
            } else {
                println!("Guidance signed and published at /api/v1/guidance.");
            }
        }
        Command::User(cmd) => user(&dir, cmd)?,
        Command::Doctor { json } => return doctor(&dir, json),
        Command::Reindex { json } => {
            let hub = open(&dir)?;
            let done = hub.reindex()?;
            if json {
                print_json(&json!(done))?;
            } else {
                println!(
                    "Rebuilt the aggregates of {} document(s) over {} period(s) from the signed documents.",
                    done.documents, done.periods
                );
            }
        }
        Command::Backup { out, to } => {
            let hub = open(&dir)?;
            let own_key_only = to.is_empty();
            let recipients = if own_key_only {
                vec![hub.keys().age_recipient()]
            } else {
                to.iter()
                    .map(|r| AgeRecipient::new(r).with_context(|| format!("--to {r}")))
                    .collect::<Result<Vec<_>>>()?
            };
            let n = backup::backup(&hub, &recipients, &out)?;
            println!(
                "Wrote {} ({n} bytes), sealed to {} recipient(s).",
                out.display(),
                recipients.len()
            );
            if own_key_only {
                eprintln!(
                    "warning: no --to given, so this backup is sealed only to the hub's own key: \
                     it is useless if the server (and its keys.txt) is lost. \
                     Seal backups to officers' keys with --to age1..."
                );
            }
        }
        Command::Setup(args) => cli_setup::setup_cmd(&dir, args)?,
        Command::Restore { file, identity } => {
            backup::restore(&file, &identity, &dir)?;
            println!("Restored {} into {}.", file.display(), dir.display());
            return doctor(&dir, false);
        }
        Command::Trustee(cmd) => trustee_cli::run(&dir, cmd)?,
        Command::ExportPublication { period, out } => {
            let hub = open(&dir)?;
            let (bundle, released) = shopfloor_hub::decryption::export(&hub, period)?;
            let bytes = serde_json::to_vec(&bundle)?;
            std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "Wrote publication {period} with its rollup bundle to {} ({} released aggregates).",
                out.display(),
                released.len()
            );
        }
    }
    Ok(0)
}

fn doctor(dir: &Path, json: bool) -> Result<i32> {
    let checks = doctor::run(dir);
    let ok = doctor::all_ok(&checks);
    if json {
        print_json(&json!({"ok": ok, "checks": checks}))?;
    } else {
        for c in &checks {
            println!("{} {}: {}", if c.ok { "✓" } else { "✗" }, c.name, c.detail);
        }
        let failed = checks.iter().filter(|c| !c.ok).count();
        if ok {
            println!("All checks passed.");
        } else {
            println!("{failed} check(s) failed.");
        }
    }
    Ok(if ok { 0 } else { 1 })
}

fn user(dir: &Path, cmd: UserCommand) -> Result<()> {
    let hub = open(dir)?;
    match cmd {
        UserCommand::Add { name, role } => {
            let role: Role = role.parse()?;
            let (password, generated) = match std::env::var("SHOPFLOOR_USER_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty())
            {
                Some(p) => (p, false),
                None => (shopfloor_hub::secret::random_code(20), true),
            };
            users::add(hub.store(), &name, role, &password)?;
            if generated {
                println!("Added {role:?} {name} (password: {password} — shown once).");
            } else {
                println!("Added {role:?} {name}.");
            }
        }
        UserCommand::List { json } => {
            let list = users::list(hub.store())?;
            if json {
                print_json(&serde_json::to_value(&list)?)?;
            } else {
                for u in list {
                    println!(
                        "{}\t{}{}",
                        u.name,
                        u.role.as_str(),
                        if u.disabled { "\tdisabled" } else { "" }
                    );
                }
            }
        }
        UserCommand::Disable { name } => {
            users::disable(hub.store(), &name)?;
            println!("Disabled {name}.");
        }
        UserCommand::Unlock { name } => {
            let n = users::unlock(hub.store(), &name)?;
            println!("Unlocked {name} ({n} counters cleared).");
        }
        UserCommand::Token { name, label, json } => {
            let token = users::create_token(hub.store(), &name, &label)?;
            if json {
                print_json(&json!({"token": token}))?;
            } else {
                println!("{token}");
            }
        }
    }
    Ok(())
}

fn verify(
    file: &Path,
    root: &Path,
    identity: Option<&Path>,
    json: bool,
    policy: &shopfloor_protocol::rollup::WitnessPolicy,
) -> Result<i32> {
    let root_bytes = std::fs::read(root).with_context(|| format!("reading {}", root.display()))?;
    let root = Card::from_json(&root_bytes).context("the root card")?;
    if root.kind != Kind::National {
        bail!("the root card is not a national card");
    }
    let keys = match identity {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Some(SecretKeys::from_text(&text)?)
        }
        None => None,
    };
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    if let Ok(bundle) =
        serde_json::from_slice::<shopfloor_hub::decryption::PublicationBundle>(&bytes)
    {
        return verify_publication(&bundle, &root, json);
    }
    let verified = if policy.quorum == 0 && policy.witnesses.is_empty() {
        shopfloor_protocol::rollup::verify_bytes(&bytes, &root, keys.as_ref())
    } else {
        shopfloor_protocol::rollup::verify_bytes_witnessed(&bytes, &root, keys.as_ref(), policy)
    };
    let verified = verified.map(|summary| (summary.to_string(), json!(summary)));
    print_verification(verified, json)
}

fn verify_publication(
    bundle: &shopfloor_hub::decryption::PublicationBundle,
    root: &Card,
    json: bool,
) -> Result<i32> {
    let verified =
        shopfloor_hub::decryption::verify_publication_bundle(bundle, root).map(|s| {
            let line = format!(
                "publication {} #{} of {}: {} chapter reports and {} released aggregates verified (signatures, tallies, range proofs, decryption proofs, the release rule)",
                s.period, s.sequence, s.hub, s.chapters, s.released
            );
            (line, json!(s))
        });
    print_verification(verified, json)
}

/// Prints what `verify` found, as a sentence or JSON: the summary and its details, or every
/// reason with its code. The exit status: 0 verified, 1 refused.
fn print_verification(
    verified: std::result::Result<(String, serde_json::Value), Vec<shopfloor_protocol::Error>>,
    json: bool,
) -> Result<i32> {
    match verified {
        Ok((summary, details)) => {
            if json {
                print_json(&json!({"ok": true, "summary": summary, "details": details}))?;
            } else {
                println!("{summary}");
            }
            Ok(0)
        }
        Err(errors) => {
            if json {
                let reasons: Vec<_> = errors
                    .iter()
                    .map(|e| json!({"code": e.reason().code(), "message": e.to_string()}))
                    .collect();
                print_json(&json!({"ok": false, "reasons": reasons}))?;
            } else {
                println!("FAILED: {} reason(s)", errors.len());
                for e in &errors {
                    println!("{}: {}", e.reason().code(), e.detail());
                }
            }
            Ok(1)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
