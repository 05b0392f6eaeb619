//! `shopfloor-hub setup`: the one command after installing. Asks for (or takes as flags) the
//! hub's level, name, public address and the first admin's password, runs `init`, writes
//! `behind_tls` and `trusted_proxies` into `hub.toml`, starts the service when systemd has it,
//! and prints the next steps: the Caddy block for the public host name, and the root card
//! (national) or the enrollment at national (regional).

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Args;
use shopfloor_hub::config::{self, InitOptions, Level};
use shopfloor_server::setup;

/// The `setup` flags. Anything missing is asked for when standard input is a terminal.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// national or regional.
    #[arg(long)]
    level: Option<Level>,
    /// Display name, e.g. "Southern Region"; the hub's id is derived from it.
    #[arg(long)]
    name: Option<String>,
    /// USPS state code, for a hub in one state.
    #[arg(long)]
    state: Option<String>,
    /// The address people will reach the hub at, e.g. https://hub.example-region.org.
    #[arg(long)]
    public_url: Option<String>,
    /// Read the first admin's password from this file (its first line).
    #[arg(long, value_name = "FILE", conflicts_with = "admin_password_stdin")]
    admin_password_file: Option<PathBuf>,
    /// Read the first admin's password from the first line of standard input.
    #[arg(long)]
    admin_password_stdin: bool,
    /// The address `serve` listens on (for the Caddy block printed at the end).
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: std::net::SocketAddr,
    /// Do not enable and start the systemd service.
    #[arg(long)]
    no_start: bool,
}

/// The systemd unit the Debian package installs.
const UNIT: &str = "shopfloor-hub.service";

pub fn setup_cmd(data: &Path, args: SetupArgs) -> Result<()> {
    let interactive = std::io::stdin().is_terminal() && !args.admin_password_stdin;
    let level: Level = match args.level {
        Some(l) => l,
        None => setup::value(None, "--level", "Level (national or regional)", interactive)?
            .parse()
            .context("--level")?,
    };
    let name = setup::value(
        args.name,
        "--name",
        "Hub name (e.g. Southern Region)",
        interactive,
    )?;
    let public_url = setup::value(
        args.public_url,
        "--public-url",
        "Public address (e.g. https://hub.example-region.org)",
        interactive,
    )?;
    let host = setup::host_of(&public_url)?;
    let password = setup::admin_password(
        args.admin_password_file.as_deref(),
        args.admin_password_stdin,
        interactive,
    )?;

    let created = config::init(
        data,
        &InitOptions {
            level,
            name,
            state: args.state.filter(|s| !s.trim().is_empty()),
            admin_password: password,
        },
    )?;
    let mut hub_config = config::Config::load(data)?;
    hub_config.listen = args.listen.to_string();
    hub_config.web.behind_tls = public_url.starts_with("https://");
    hub_config.web.trusted_proxies = vec![
        std::net::IpAddr::from([127, 0, 0, 1]),
        std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
    ];
    rewrite_config(data, &hub_config)?;
    setup::give_to_service_user(data)?;

    println!(
        "Created {} hub {} in {}",
        created.card.kind,
        created.card.id,
        data.display()
    );
    println!("Fingerprint: {}", created.card.fingerprint());
    println!("Admin user: {}", created.admin_user);
    if let Some(p) = created.generated_password {
        println!("Admin password (shown once, write it down): {p}");
    }
    println!(
        "Wrote listen, behind_tls and trusted_proxies to {}",
        data.join(config::CONFIG_FILE).display()
    );

    let started = !args.no_start && setup::start_service(UNIT)?;
    println!();
    println!("Next steps:");
    if !started {
        println!(
            "- Start it: sudo systemctl enable --now shopfloor-hub (with the package), or\n  \
             shopfloor-hub --data {} serve --listen {}",
            data.display(),
            args.listen
        );
    }
    println!("- HTTPS: put this block in /etc/caddy/Caddyfile, then sudo systemctl reload caddy:");
    println!();
    print!("{}", setup::caddy_block(&host, args.listen));
    println!();
    if level == Level::National {
        println!(
            "- The root card: give this file, and the fingerprint above, to every chapter and hub:\n  \
             sudo -u shopfloor shopfloor-hub --data {} card --json > national.card.json",
            data.display()
        );
    } else {
        println!(
            "- Enroll at national, with the invite code from national's admin:\n  \
             sudo -u shopfloor shopfloor-hub --data {} enroll --parent https://NATIONAL --code CODE",
            data.display()
        );
    }
    println!(
        "- Invite chapters: sudo -u shopfloor shopfloor-hub --data {} invite --name NAME --kind chapter",
        data.display()
    );
    println!("- Check it: shopfloor-hub --data {} doctor", data.display());
    Ok(())
}

/// `hub.toml` again, in a new file renamed over the old one.
fn rewrite_config(data: &Path, hub_config: &config::Config) -> Result<()> {
    let path = data.join(config::CONFIG_FILE);
    let staged = path.with_extension("toml.new");
    let _ = std::fs::remove_file(&staged);
    config::write_secret(&staged, hub_config.to_toml()?.as_bytes())?;
    std::fs::rename(&staged, &path)?;
    Ok(())
}
