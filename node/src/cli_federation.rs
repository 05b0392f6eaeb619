//! The command line's federation commands: `enroll`, `guidance`, `report build|submit|receipt`,
//! `outbox`, `federation`. The work is in the library ([`shopfloor_node::federation`]).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use shopfloor_node::datadir::DataDir;
use shopfloor_node::federation::{self, enroll, guidance, outbox, receipts, reports};
use shopfloor_node::store::Store;
use shopfloor_protocol::{Card, Period};

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// `enroll`.
#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// The hub's address, e.g. https://south.example.org. Omit (with --code) to keep waiting
    /// for a request already made.
    #[arg(long)]
    pub hub: Option<String>,
    /// The one-time invite code from the hub's admin.
    #[arg(long)]
    pub code: Option<String>,
    /// The national root card (JSON file), pinned out of band: lets the node check a regional
    /// hub's chain up to national.
    #[arg(long, value_name = "CARD_FILE")]
    pub root: Option<PathBuf>,
    /// How long to wait for the hub's admin to approve (0: do not wait).
    #[arg(long, default_value_t = 1800)]
    pub wait_secs: u64,
    /// Seconds between polls.
    #[arg(long, default_value_t = 3, hide = true)]
    pub poll_secs: u64,
}

/// `guidance ...`.
#[derive(Debug, Subcommand)]
pub enum GuidanceCommand {
    /// Fetch the hub's guidance, verify it and apply its disclosure policy.
    Fetch,
    /// Show the guidance held.
    Show {
        /// Print it as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `report build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Period, YYYY-MM.
    #[arg(long)]
    pub period: String,
    /// Where to write the sealed report (for `shopfloor-hub ingest FILE`).
    #[arg(long)]
    pub out: PathBuf,
    /// ASCII-armored (for email or copy-paste) instead of binary.
    #[arg(long)]
    pub armor: bool,
    /// Rebuild a closed period from today's counts, labelled a correction (needed for a
    /// period the node recorded no snapshot of; see docs/operate.md §The monthly cycle).
    #[arg(long)]
    pub correction: bool,
}

/// `report submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Period, YYYY-MM.
    #[arg(long)]
    pub period: String,
    /// How long to wait for the hub's receipt (the outbox keeps trying afterwards while
    /// `serve` runs, or on the next `outbox deliver`).
    #[arg(long, default_value_t = 120)]
    pub wait_secs: u64,
    /// Rebuild a closed period from today's counts, labelled a correction (needed for a
    /// period the node recorded no snapshot of; see docs/operate.md §The monthly cycle).
    #[arg(long)]
    pub correction: bool,
}

/// `outbox ...`.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List what is waiting, delivered or refused.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Try to deliver what is due (with --now: everything pending, ignoring the backoff).
    Deliver {
        /// Ignore the backoff.
        #[arg(long)]
        now: bool,
    },
}

/// `federation ...`.
#[derive(Debug, Subcommand)]
pub enum FederationCommand {
    /// Check the hub's log: every receipt's report still in it, every checkpoint a prefix of it.
    Check,
    /// Enrollment, guidance, outbox and alarms at a glance.
    Status,
    /// List alarms (open ones unless --all), or mark one resolved.
    Alarms {
        /// Include resolved alarms.
        #[arg(long)]
        all: bool,
        /// Mark this alarm resolved (after looking into it with the hub's admin).
        #[arg(long, value_name = "ID")]
        resolve: Option<i64>,
    },
    /// Replace the node's keys: the hub certifies the new card through a rotation statement
    /// signed with the current key, and stops accepting the old key from now.
    RotateKeys,
}

/// `support ...`.
#[derive(Debug, Subcommand)]
pub enum SupportCommand {
    /// Ask the hub for organizers with these skills or this language; it relays the request to
    /// chapters whose reports show such reserve capacity, and they answer you at --reply-to.
    Ask {
        /// A skill code (repeatable): one-on-ones, mapping, committee-building, ...
        #[arg(long = "skill", value_name = "SKILL")]
        skills: Vec<String>,
        /// An ISO 639 language code, e.g. es.
        #[arg(long)]
        language: Option<String>,
        /// The NAICS sector of the campaign, e.g. 62.
        #[arg(long)]
        sector: Option<String>,
        /// What you need, in a few sentences. Never name people.
        #[arg(long)]
        message: String,
        /// How other chapters reach you (a Signal group link, a role email address).
        #[arg(long)]
        reply_to: String,
        /// How urgent: low, normal or urgent.
        #[arg(long, default_value = "normal")]
        urgency: String,
    },
    /// Mark one of this chapter's requests met or unmet (every hub holding it learns it).
    Close {
        /// The request id (from `support inbox`).
        id: String,
        /// `met` or `unmet`.
        #[arg(long)]
        status: String,
    },
    /// Requests relayed to this chapter, and its own open requests.
    Inbox {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `support ...`.
pub fn support_cmd(dir: &DataDir, store: &Store, cmd: SupportCommand) -> Result<()> {
    use shopfloor_node::federation::support;
    match cmd {
        SupportCommand::Ask {
            skills,
            language,
            sector,
            message,
            reply_to,
            urgency,
        } => {
            let Some(urgency) = shopfloor_protocol::support::Urgency::parse(&urgency) else {
                bail!("--urgency is low, normal or urgent");
            };
            let body = shopfloor_protocol::support::SupportBody {
                skills,
                language,
                sector,
                message,
                reply_to,
                urgency,
                chapter: None,
            };
            let posted = runtime()?.block_on(support::ask(store, dir, &body))?;
            println!(
                "Request {} sent; the hub relayed it to {} chapter(s) with matching reserve capacity.",
                posted.id, posted.relayed_to
            );
        }
        SupportCommand::Close { id, status } => {
            use shopfloor_protocol::support::Status;
            let status = match Status::parse(&status) {
                Some(s @ (Status::Met | Status::Unmet)) => s,
                _ => bail!("--status is met or unmet"),
            };
            runtime()?.block_on(support::set_status(store, dir, &id, status))?;
            println!("Request {id} marked {}.", status.as_str());
        }
        SupportCommand::Inbox { json } => {
            let inbox = runtime()?.block_on(support::inbox(store, dir))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&inbox)?);
            } else {
                if inbox.for_you.is_empty() {
                    println!("No requests relayed to this chapter.");
                }
                for r in &inbox.for_you {
                    println!(
                        "{} from {} ({}, {}, {}): {}\n    skills: {}; language: {}; reply to: {}",
                        r.id,
                        r.from,
                        r.created_at,
                        r.body.urgency.as_str(),
                        r.status.as_str(),
                        r.body.message,
                        r.body.skills.join(", "),
                        r.body.language.as_deref().unwrap_or("-"),
                        r.body.reply_to
                    );
                }
                println!(
                    "{} open request(s) of yours.",
                    inbox
                        .yours
                        .iter()
                        .filter(|p| p.status == shopfloor_protocol::support::Status::Open)
                        .count()
                );
                for p in &inbox.yours {
                    println!("yours: {} ({})", p.id, p.status.as_str());
                }
            }
        }
    }
    Ok(())
}

fn fmt_time(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(|_| secs.to_string(), |t| t.to_string())
}

/// `enroll`.
pub fn enroll_cmd(dir: &DataDir, store: &Store, args: EnrollArgs) -> Result<ExitCode> {
    let rt = runtime()?;
    let card = dir.card()?;
    let root = args
        .root
        .as_ref()
        .map(|p| -> Result<Card> {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            Card::from_json(&bytes).with_context(|| format!("{} is not a card", p.display()))
        })
        .transpose()?;
    rt.block_on(async {
        match (&args.hub, &args.code) {
            (Some(hub), Some(code)) => {
                let s = enroll::start(store, dir, hub, code, root).await?;
                println!(
                    "Enrollment requested at {} (request {}).",
                    s.hub_url, s.request_id
                );
                println!();
                println!("  This node: {} ({})", card.name, card.id);
                println!("    fingerprint: {}", s.node_fingerprint);
                println!(
                    "  The hub:   {} ({}, {})",
                    s.hub_card.name, s.hub_card.id, s.hub_card.kind
                );
                println!("    fingerprint: {}", s.hub_fingerprint);
                println!();
                println!(
                    "Call the hub's admin by phone or Signal and read both fingerprints to each \
                     other. They must match what their screen shows exactly; if either differs, \
                     do not approve: someone may be in the middle."
                );
            }
            (None, None) => {
                let pending = store.read(enroll::is_pending)?;
                if !pending {
                    bail!("no enrollment request is waiting: pass --hub URL --code CODE");
                }
                println!("Resuming the enrollment request already made.");
            }
            _ => bail!("pass both --hub and --code (or neither, to keep waiting)"),
        }
        if args.wait_secs == 0 {
            println!("Not waiting. Run `shopfloor-node enroll` again later to finish.");
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "Waiting for the hub's admin to approve (up to {} s)...",
            args.wait_secs
        );
        let opts = enroll::WaitOptions {
            poll: Duration::from_secs(args.poll_secs.max(1)),
            timeout: Some(Duration::from_secs(args.wait_secs)),
        };
        match enroll::wait(store, dir, &opts).await {
            Ok(e) => {
                println!(
                    "Approved by {} ({}): certificate serial {}, valid until {}.",
                    e.hub_card.name, e.hub_card.id, e.serial, e.not_after
                );
                if e.chain_verified {
                    println!("The hub's chain of certificates verifies up to the national root.");
                }
                for w in &e.warnings {
                    println!("Warning: {w}");
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(federation::Error::Timeout(m)) => {
                eprintln!("{m}");
                Ok(ExitCode::from(2))
            }
            Err(e) => Err(e.into()),
        }
    })
}

/// `guidance ...`.
pub fn guidance_cmd(store: &Store, cmd: GuidanceCommand) -> Result<()> {
    match cmd {
        GuidanceCommand::Fetch => {
            let got = runtime()?.block_on(guidance::fetch(store))?;
            match got {
                None => println!("The hub has published no guidance yet."),
                Some(f) => {
                    let g = &f.guidance;
                    println!(
                        "Guidance from {} issued {}{}: minimum cell size k = {}; {} trainings, {} campaign criteria, {} goals, {} links.",
                        g.issuer,
                        g.issued_at,
                        if f.changed { " (new)" } else { " (unchanged)" },
                        f.policy_k,
                        g.trainings.len(),
                        g.criteria.len(),
                        g.goals.len(),
                        g.links.len()
                    );
                    if !f.inherited_verified {
                        println!(
                            "Warning: it relays national guidance that could not be verified \
                             (no national root card pinned; enroll with --root)."
                        );
                    }
                }
            }
        }
        GuidanceCommand::Show { json } => {
            let Some(s) = store.read(guidance::current)? else {
                println!("No guidance held: run `shopfloor-node guidance fetch`.");
                return Ok(());
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
                return Ok(());
            }
            let g = &s.guidance;
            println!(
                "Guidance from {} issued {} (k = {})",
                g.issuer, g.issued_at, s.policy_k
            );
            for t in &g.trainings {
                println!("  training {}: {} / {}", t.code, t.title_en, t.title_es);
            }
            for c in &g.criteria {
                println!("  criterion {}: {} / {}", c.code, c.title_en, c.title_es);
            }
            for goal in &g.goals {
                println!(
                    "  goal: {} {} by {}{}",
                    goal.metric,
                    goal.target,
                    goal.by,
                    goal.sector
                        .as_ref()
                        .map(|s| format!(" (sector {s})"))
                        .unwrap_or_default()
                );
            }
            for l in &g.links {
                println!("  link: {} / {}", l.title_en, l.title_es);
            }
        }
    }
    Ok(())
}

/// `report build --out FILE`.
pub fn report_build_cmd(dir: &DataDir, store: &Store, args: BuildArgs) -> Result<()> {
    let period: Period = args.period.parse()?;
    let s = reports::build_file_as(store, dir, period, &args.out, args.armor, args.correction)?;
    println!(
        "Wrote {} ({} bytes): report for {} revision {} to {}, sealed; digest {}.",
        args.out.display(),
        s.sealed.len(),
        s.period,
        s.revision,
        s.overview.recipient,
        s.digest
    );
    println!(
        "{} cells published, {} withheld; k = {}.",
        s.overview.published,
        s.overview.primary_suppressed + s.overview.complementary_suppressed,
        s.overview.k
    );
    println!("{}", as_of_line(&s.overview));
    println!(
        "Give the file to the hub's admin (`shopfloor-hub ingest FILE --json`), then import the \
         receipt they send back: `shopfloor-node report receipt RECEIPT_FILE`."
    );
    Ok(())
}

/// How the report's counts are dated, for people: `report build` and `report preview`.
pub fn as_of_line(o: &shopfloor_node::report::Overview) -> String {
    let when = o.as_of.as_deref().unwrap_or("?");
    if o.correction {
        format!(
            "CORRECTION: counts as of {when}, rebuilt from today's records, not as {} stood \
             when it ended.",
            o.period
        )
    } else if o.to_date {
        format!(
            "Counts to date, as of {when}: {} has not ended yet.",
            o.period
        )
    } else {
        format!("Counts as of {when}, when {} closed.", o.period)
    }
}

/// `report submit`.
pub fn report_submit_cmd(dir: &DataDir, store: &Store, args: SubmitArgs) -> Result<ExitCode> {
    let period: Period = args.period.parse()?;
    let q = reports::enqueue_as(store, dir, period, args.correction)?;
    if q.new {
        println!(
            "Built the report for {} revision {} (digest {}); sending it to the hub...",
            q.period, q.revision, q.digest
        );
    } else {
        println!(
            "The report for {} revision {} is already in the outbox; sending it...",
            q.period, q.revision
        );
    }
    let it = runtime()?.block_on(outbox::wait_for(
        store,
        q.outbox_id,
        Duration::from_secs(args.wait_secs),
    ))?;
    match it.status.as_str() {
        "delivered" => {
            let r = store
                .read(receipts::list)?
                .into_iter()
                .find(|r| r.digest == it.digest)
                .context("receipt missing after delivery")?;
            println!(
                "Accepted by {}: log index {}, checkpoint size {} root {}. Receipt verified and kept.",
                r.log, r.log_index, r.checkpoint_size, r.checkpoint_root
            );
            Ok(ExitCode::SUCCESS)
        }
        "failed" => {
            eprintln!(
                "The hub refused the report ({}): {}",
                it.error_code.as_deref().unwrap_or("?"),
                it.last_error.as_deref().unwrap_or("")
            );
            Ok(ExitCode::FAILURE)
        }
        _ => {
            eprintln!(
                "No receipt yet after {} attempt(s) (last error: {}). The report stays in the \
                 outbox and is retried with backoff while `serve` runs, or with \
                 `shopfloor-node outbox deliver`. Next attempt at {}.",
                it.attempts,
                it.last_error.as_deref().unwrap_or("none"),
                fmt_time(it.next_attempt_at)
            );
            Ok(ExitCode::from(2))
        }
    }
}

/// `report receipt FILE`.
pub fn report_receipt_cmd(store: &Store, file: &std::path::Path) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let r = receipts::import(store, &bytes)?;
    println!(
        "Receipt verified and kept: {} revision {} is entry {} of {}'s log (checkpoint size {}).",
        r.period, r.revision, r.log_index, r.log, r.checkpoint_size
    );
    Ok(())
}

/// `outbox ...`.
pub fn outbox_cmd(store: &Store, cmd: OutboxCommand) -> Result<ExitCode> {
    match cmd {
        OutboxCommand::List { json } => {
            let items = store.read(outbox::list)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&items)?);
            } else if items.is_empty() {
                println!("The outbox is empty.");
            } else {
                for i in items {
                    println!(
                        "#{} {} rev {} {:<9} attempts {}{}{}",
                        i.id,
                        i.period,
                        i.revision,
                        i.status,
                        i.attempts,
                        if i.status == "pending" {
                            format!(", next {}", fmt_time(i.next_attempt_at))
                        } else {
                            String::new()
                        },
                        i.last_error
                            .map(|e| format!(", last error: {e}"))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        OutboxCommand::Deliver { now } => {
            if now {
                store.write(|tx| outbox::retry_now(tx))?;
            }
            let outcomes = runtime()?.block_on(outbox::deliver_due(store))?;
            if outcomes.is_empty() {
                println!("Nothing due.");
            }
            let mut ok = true;
            for o in outcomes {
                match o {
                    outbox::Outcome::Delivered {
                        id,
                        log_index,
                        checkpoint_size,
                        ..
                    } => println!(
                        "#{id} delivered: log index {log_index}, checkpoint size {checkpoint_size}"
                    ),
                    outbox::Outcome::Retry {
                        id,
                        attempts,
                        next_attempt_at,
                        error,
                    } => {
                        ok = false;
                        println!(
                            "#{id} not delivered (attempt {attempts}): {error}; next at {}",
                            fmt_time(next_attempt_at)
                        );
                    }
                    outbox::Outcome::Failed { id, code, error } => {
                        ok = false;
                        println!("#{id} refused for good ({code}): {error}");
                    }
                }
            }
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// `federation ...`.
pub fn federation_cmd(dir: &DataDir, store: &Store, cmd: FederationCommand) -> Result<ExitCode> {
    match cmd {
        FederationCommand::RotateKeys => {
            let old = dir.card()?.fingerprint();
            let rotated = runtime()?.block_on(federation::rotate::rotate_keys(store, dir))?;
            println!(
                "Keys rotated. Old fingerprint {old}; new fingerprint {}.\n\
                 Tell your hub's admin the new fingerprint, and take a new backup: older backups hold the old key.",
                rotated.card.fingerprint()
            );
            Ok(ExitCode::SUCCESS)
        }
        FederationCommand::Check => match runtime()?.block_on(receipts::check_consistency(
            store,
            &dir.config()?.witness_policy()?,
        )) {
            Ok(c) => {
                println!(
                    "The hub's log is consistent: checkpoint size {} root {}; {} held checkpoint(s) are prefixes of it and {} accepted report(s) are in it.",
                    c.checkpoint.size, c.checkpoint.root, c.checkpoints_checked, c.receipts_checked
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e @ federation::Error::Alarm { .. }) => {
                eprintln!("{e}");
                eprintln!(
                    "Recorded as an alarm (`shopfloor-node federation alarms`). Tell the hub's admin and your officers."
                );
                Ok(ExitCode::FAILURE)
            }
            Err(e) => Err(e.into()),
        },
        FederationCommand::Status => {
            let (link, pending) =
                store.read(|c| Ok((federation::hub_link(c)?, enroll::is_pending(c)?)))?;
            match &link {
                Some(l) => println!(
                    "Enrolled with {} ({}, {}) at {}; fingerprint {}; chain {}.",
                    l.card.name,
                    l.card.id,
                    l.card.kind,
                    l.url,
                    l.card.fingerprint(),
                    if l.chain_verified {
                        "verified to the national root"
                    } else {
                        "not verified to a root"
                    }
                ),
                None if pending => println!(
                    "Enrollment requested; waiting for the hub's approval (`shopfloor-node enroll`)."
                ),
                None => println!("Not enrolled with a hub."),
            }
            if let Some(g) = store.read(guidance::current)? {
                println!(
                    "Guidance from {} issued {}; k = {}; fetched {}.",
                    g.guidance.issuer,
                    g.guidance.issued_at,
                    g.policy_k,
                    fmt_time(g.fetched_at)
                );
            }
            let items = store.read(outbox::list)?;
            let count = |s: &str| items.iter().filter(|i| i.status == s).count();
            println!(
                "Outbox: {} pending, {} delivered, {} refused.",
                count("pending"),
                count("delivered"),
                count("failed")
            );
            let n = store.read(receipts::list)?.len();
            println!("Receipts kept: {n}.");
            let alarms = store.read(|c| federation::alarms(c, false))?;
            println!("Open alarms: {}.", alarms.len());
            Ok(if alarms.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        FederationCommand::Alarms { all, resolve } => {
            if let Some(id) = resolve {
                if store.write(|tx| federation::resolve_alarm(tx, id))? {
                    println!("Alarm {id} marked resolved.");
                } else {
                    bail!("no open alarm {id}");
                }
                return Ok(ExitCode::SUCCESS);
            }
            let alarms = store.read(|c| federation::alarms(c, all))?;
            if alarms.is_empty() {
                println!("No {}alarms.", if all { "" } else { "open " });
            }
            for a in alarms {
                println!(
                    "#{} {} {}{}: {}",
                    a.id,
                    fmt_time(a.at),
                    a.kind,
                    a.resolved_at
                        .map(|t| format!(" (resolved {})", fmt_time(t)))
                        .unwrap_or_default(),
                    a.detail
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
