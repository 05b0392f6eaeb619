//! `shopfloor-hub trustee …`: the command line of the key ceremony ([`shopfloor_hub::trustee`]).
//! Glue only: parse, call the library, print what to read aloud.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Subcommand;
use serde_json::json;
use shopfloor_hub::trustee::{self, Status, Step};
use shopfloor_protocol::threshold::Ceremony;
use shopfloor_protocol::{Digest, PartyId};

/// The steps of the trustees' key ceremony.
#[derive(Debug, Subcommand)]
pub enum TrusteeCommand {
    /// Step 1: start a ceremony as one of its trustees; writes the round 1 message to share.
    Init {
        /// The ceremony's name, the same for every trustee (e.g. federation-2027).
        #[arg(long)]
        ceremony: String,
        /// Every trustee's id, comma-separated, in the same order for everyone.
        #[arg(long, value_delimiter = ',', required = true)]
        trustees: Vec<String>,
        /// This trustee's id (one of --trustees).
        #[arg(long = "as", value_name = "ID")]
        me: String,
        /// How many trustees must cooperate to decrypt (at least 2).
        #[arg(long)]
        threshold: u16,
        /// Folder to write the message to.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Step 2: take the others' round 1 messages; writes the round 2 message to share.
    Round2 {
        /// The ceremony's name.
        #[arg(long)]
        ceremony: String,
        /// The round 1 messages (this trustee's own is skipped).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Folder to write the message to.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Step 3: take the others' round 2 messages; writes one sealed secret share per trustee.
    Round3 {
        /// The ceremony's name.
        #[arg(long)]
        ceremony: String,
        /// The round 2 messages (this trustee's own is skipped).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Folder to write the sealed shares to.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Step 4: take the shares sealed to this trustee; writes the trustee file (0600).
    Finish {
        /// The ceremony's name.
        #[arg(long)]
        ceremony: String,
        /// The sealed shares (files sealed to other trustees are skipped).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// National only: publish a ceremony's joint key in new signed guidance (regional hubs
    /// relay it; chapters pin it). A different key later is published only as a rotation.
    PublishKey {
        /// The ceremony whose key file (DATA/trustee/NAME.key.json) to publish.
        #[arg(long, required_unless_present = "key", conflicts_with = "key")]
        ceremony: Option<String>,
        /// The joint key file (NAME.key.json from `trustee finish`) to publish.
        #[arg(long)]
        key: Option<PathBuf>,
        /// On a rotation: the id of the key published now, which the new one replaces.
        #[arg(long, value_name = "KEY_ID")]
        replaces: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show where a ceremony stands, or the finished joint key's fingerprint.
    Show {
        /// The ceremony's name.
        #[arg(long)]
        ceremony: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a trustee command against the data directory `dir`.
pub fn run(dir: &Path, cmd: TrusteeCommand) -> Result<()> {
    match cmd {
        TrusteeCommand::Init {
            ceremony,
            trustees,
            me,
            threshold,
            out,
            json,
        } => {
            let ids = trustees
                .iter()
                .map(|t| PartyId::new(t.trim()).with_context(|| format!("--trustees {t}")))
                .collect::<Result<Vec<_>>>()?;
            let me = PartyId::new(&me).with_context(|| format!("--as {me}"))?;
            let ceremony = Ceremony::new(&ceremony, ids, threshold).context("the ceremony")?;
            let step = trustee::init(dir, ceremony.clone(), &me, &out)?;
            if json {
                print_step(&step)?;
            } else {
                println!(
                    "Ceremony {} ({} of {}): fingerprint {}",
                    ceremony.name(),
                    ceremony.threshold(),
                    ceremony.size(),
                    step.ceremony
                );
                println!("You are trustee {} ({me}).", step.index);
                print_written(&step);
                print_own(&step, 1);
                println!(
                    "Every trustee reads both fingerprints aloud; the ceremony's must be the same for all."
                );
                println!("Next: `shopfloor-hub trustee round2` with the others' round 1 files.");
            }
        }
        TrusteeCommand::Round2 {
            ceremony,
            files,
            out,
            json,
        } => {
            let step = trustee::round2(dir, &ceremony, &files, &out)?;
            if json {
                print_step(&step)?;
            } else {
                print_received(&step, 1);
                print_written(&step);
                print_own(&step, 2);
                println!("Next: `shopfloor-hub trustee round3` with the others' round 2 files.");
            }
        }
        TrusteeCommand::Round3 {
            ceremony,
            files,
            out,
            json,
        } => {
            let step = trustee::round3(dir, &ceremony, &files, &out)?;
            if json {
                print_step(&step)?;
            } else {
                print_received(&step, 2);
                println!("Each polynomial opens the commitment its trustee read aloud in round 1.");
                print_written(&step);
                println!(
                    "Each share is sealed to its trustee's round 1 key: give each file to the trustee named after 'to'."
                );
                println!("Next: `shopfloor-hub trustee finish` with the shares sealed to you.");
            }
        }
        TrusteeCommand::Finish {
            ceremony,
            files,
            json,
        } => {
            let done = trustee::finish(dir, &ceremony, &files)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&done)?);
            } else {
                for (i, id) in &done.received {
                    println!("Share from trustee {i} ({id}): checked against its polynomial.");
                }
                if !done.skipped.is_empty() {
                    println!(
                        "Skipped {} file(s) not sealed to this trustee.",
                        done.skipped.len()
                    );
                }
                println!(
                    "Trustee file (secret, mode 0600): {}",
                    done.trustee_file.display()
                );
                println!(
                    "Joint public key (give it to the national hub): {}",
                    done.key_file.display()
                );
                println!("Joint key fingerprint: {}", done.fingerprint);
                println!("Every trustee reads this fingerprint aloud: all must be the same.");
            }
        }
        TrusteeCommand::PublishKey {
            ceremony,
            key,
            replaces,
            json,
        } => {
            let file = match (key, ceremony) {
                (Some(k), _) => k,
                (None, Some(name)) => {
                    trustee::check_name(&name)?;
                    trustee::key_path(dir, &name)
                }
                (None, None) => anyhow::bail!("give --ceremony or --key"),
            };
            let replaces = replaces
                .map(|r| Digest::from_hex(&r).with_context(|| format!("--replaces {r}")))
                .transpose()?;
            let hub = shopfloor_hub::Hub::open(dir)
                .with_context(|| format!("opening the hub in {}", dir.display()))?;
            let done = trustee::publish_key(&hub, &file, replaces, "cli")?;
            if json {
                println!("{}", serde_json::to_string_pretty(&done)?);
            } else {
                match &done.replaces {
                    Some(r) => println!("Joint key {} published, replacing {r}.", done.key_id),
                    None => println!("Joint key {} published.", done.key_id),
                }
                println!("Joint key fingerprint: {}", done.fingerprint);
                println!(
                    "Guidance signed and published at /api/v1/guidance; regional hubs relay it and chapters pin it."
                );
            }
        }
        TrusteeCommand::Show { ceremony, json } => match trustee::status(dir, &ceremony)? {
            Status::Done(t) => {
                let key = t.joint_key();
                if json {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&json!({
                            "ceremony": key.ceremony().name(), "done": true,
                            "index": t.index(), "trustee": t.id(),
                            "threshold": key.ceremony().threshold(),
                            "trustees": key.ceremony().trustees(),
                            "fingerprint": key.fingerprint().as_str(), "key_id": key.id(),
                        }))?
                    );
                } else {
                    println!(
                        "Ceremony {} finished: trustee {} ({}) of {}, threshold {}.",
                        key.ceremony().name(),
                        t.index(),
                        t.id(),
                        key.ceremony().size(),
                        key.ceremony().threshold()
                    );
                    println!("Joint key fingerprint: {}", key.fingerprint());
                }
            }
            Status::InProgress { next, ceremony: fp } => {
                if json {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(
                            &json!({"ceremony": ceremony, "done": false, "next": next, "fingerprint": fp.as_str()})
                        )?
                    );
                } else {
                    println!(
                        "Ceremony {ceremony} (fingerprint {fp}) in progress; next step: `shopfloor-hub trustee {next}`."
                    );
                }
            }
        },
    }
    Ok(())
}

fn print_step(step: &Step) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(step)?);
    Ok(())
}

fn print_written(step: &Step) {
    for f in &step.wrote {
        println!("Wrote {}", f.display());
    }
}

fn print_own(step: &Step, round: u8) {
    if let Some(fp) = &step.fingerprint {
        println!("Your round {round} fingerprint: {fp}");
    }
}

fn print_received(step: &Step, round: u8) {
    for (i, id, fp) in &step.received {
        match fp {
            Some(fp) => println!("Round {round} message from trustee {i} ({id}): {fp}"),
            None => println!("Round {round} message from trustee {i} ({id})"),
        }
    }
    if round == 1 {
        println!("Compare each fingerprint with what its trustee read aloud; stop if one differs.");
    }
}
