//! `shopfloor-node setup`: the one command after installing. Asks for (or takes as flags) the
//! chapter's name, state, public address and the first admin's password, runs `init`, writes
//! `public_url` and `trusted_proxies` into `node.toml`, starts the service when systemd has it,
//! and prints the next steps: the Caddy block for the public host name and the enrollment
//! command with the national root card.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use shopfloor_node::datadir::{self, DataDir};
use shopfloor_server::setup;

/// The `setup` flags. Anything missing is asked for when standard input is a terminal.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The chapter's name, e.g. "Triangle DSA".
    #[arg(long)]
    chapter: Option<String>,
    /// USPS state code, e.g. NC.
    #[arg(long)]
    state: Option<String>,
    /// The address people will reach the node at, e.g. https://shopfloor.example-chapter.org.
    #[arg(long)]
    public_url: Option<String>,
    /// Read the first admin's password from this file (its first line).
    #[arg(long, value_name = "FILE", conflicts_with = "admin_password_stdin")]
    admin_password_file: Option<PathBuf>,
    /// Read the first admin's password from the first line of standard input.
    #[arg(long)]
    admin_password_stdin: bool,
    /// The address `serve` listens on (for the Caddy block printed at the end).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// Do not enable and start the systemd service.
    #[arg(long)]
    no_start: bool,
}

/// The systemd unit the Debian package installs.
const UNIT: &str = "shopfloor-node.service";

pub fn setup_cmd(data: &Path, args: SetupArgs) -> Result<()> {
    let interactive = std::io::stdin().is_terminal() && !args.admin_password_stdin;
    let chapter = setup::value(
        args.chapter,
        "--chapter",
        "Chapter name (e.g. Triangle DSA)",
        interactive,
    )?;
    let state = setup::value(
        args.state,
        "--state",
        "State (USPS code, e.g. NC)",
        interactive,
    )?;
    let public_url = setup::value(
        args.public_url,
        "--public-url",
        "Public address (e.g. https://shopfloor.example-chapter.org)",
        interactive,
    )?;
    let host = setup::host_of(&public_url)?;
    let password = setup::admin_password(
        args.admin_password_file.as_deref(),
        args.admin_password_stdin,
        interactive,
    )?;

    let out = datadir::init(data, &chapter, &state, password)?;
    let dir = DataDir::new(data);
    let mut config = dir.config()?;
    config.public_url = Some(public_url.trim_end_matches('/').to_owned());
    config.trusted_proxies = vec![
        std::net::IpAddr::from([127, 0, 0, 1]),
        std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
    ];
    config.validate()?;
    rewrite_config(&dir, &config)?;
    setup::give_to_service_user(data)?;

    println!(
        "Created node {} ({}) in {}",
        out.card.name,
        out.card.id,
        data.display()
    );
    println!("Fingerprint: {}", out.card.fingerprint());
    println!("Admin user: {}", out.admin_username);
    if let Some(p) = out.generated_password {
        println!("Admin password (shown once, write it down): {p}");
    }
    println!(
        "Wrote public_url and trusted_proxies to {}",
        dir.config_path().display()
    );

    let started = !args.no_start && setup::start_service(UNIT)?;
    println!();
    println!("Next steps:");
    if !started {
        println!(
            "- Start it: sudo systemctl enable --now shopfloor-node (with the package), or\n  \
             shopfloor-node --data {} serve --listen {}",
            data.display(),
            args.listen
        );
    }
    println!("- HTTPS: put this block in /etc/caddy/Caddyfile, then sudo systemctl reload caddy:");
    println!();
    print!("{}", setup::caddy_block(&host, args.listen));
    println!();
    println!(
        "- Enroll with your hub, with the invite code from its admin and the national root card:\n  \
         sudo -u shopfloor shopfloor-node --data {} enroll --hub https://HUB --code CODE --root national.card.json",
        data.display()
    );
    println!(
        "- Check it: shopfloor-node --data {} doctor",
        data.display()
    );
    Ok(())
}

/// `node.toml` again: its comment header, then the settings.
fn rewrite_config(dir: &DataDir, config: &datadir::NodeConfig) -> Result<()> {
    let path = dir.config_path();
    let old = std::fs::read_to_string(&path)?;
    let header: String = old
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let body = toml::to_string_pretty(config)?;
    let staged = path.with_extension("toml.new");
    let _ = std::fs::remove_file(&staged);
    datadir::write_new_file(&staged, format!("{header}{body}").as_bytes(), 0o600)?;
    std::fs::rename(&staged, &path)?;
    Ok(())
}
