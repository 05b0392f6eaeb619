//! The steps of `setup` both servers take alike: a value from its flag or a prompt, the first
//! admin's password (from a file, standard input or asked twice without echo), the host name of
//! the public address, starting the packaged systemd unit, and handing the data directory to the
//! package's `shopfloor` user.

use std::io::{BufRead as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};

/// Why a setup step failed.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A required value was neither given as a flag nor answered.
    #[error("{0} is required (standard input is not a terminal to ask on)")]
    Required(String),
    /// A given value is not usable; the text says which and why.
    #[error("{0}")]
    Invalid(String),
    /// Reading the terminal, a file or the data directory failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> SetupError {
    let what = what.into();
    move |source| SetupError::Io { what, source }
}

/// A flag's value, or the answer to `prompt` when standard input is a terminal.
pub fn value(
    flag: Option<String>,
    name: &str,
    prompt: &str,
    interactive: bool,
) -> Result<String, SetupError> {
    if let Some(v) = flag.filter(|v| !v.trim().is_empty()) {
        return Ok(v.trim().to_owned());
    }
    if !interactive {
        return Err(SetupError::Required(name.to_owned()));
    }
    loop {
        print!("{prompt}: ");
        std::io::stdout()
            .flush()
            .map_err(io("writing the prompt"))?;
        let mut line = String::new();
        if std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(io("reading the answer"))?
            == 0
        {
            return Err(SetupError::Required(name.to_owned()));
        }
        if !line.trim().is_empty() {
            return Ok(line.trim().to_owned());
        }
    }
}

/// The password on the first line of `text` (read from the flag `name`).
pub fn first_line(text: &str, name: &str) -> Result<String, SetupError> {
    match text.lines().next().map(|l| l.trim_end_matches('\r')) {
        Some(l) if !l.is_empty() => Ok(l.to_owned()),
        _ => Err(SetupError::Invalid(format!(
            "{name}: no password on the first line"
        ))),
    }
}

/// The first admin's password, from the first place that has one: the first line of
/// `password_file`, the first line of standard input when `from_stdin`, the
/// `SHOPFLOOR_ADMIN_PASSWORD` environment variable, or asked twice on a terminal when
/// `interactive`. `None` when there is none (init then generates one and prints it).
pub fn admin_password(
    password_file: Option<&Path>,
    from_stdin: bool,
    interactive: bool,
) -> Result<Option<String>, SetupError> {
    if let Some(file) = password_file {
        let text = std::fs::read_to_string(file).map_err(io(format!(
            "reading --admin-password-file {}",
            file.display()
        )))?;
        return first_line(&text, "--admin-password-file").map(Some);
    }
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(io("reading --admin-password-stdin"))?;
        return first_line(&line, "--admin-password-stdin").map(Some);
    }
    if let Some(p) = std::env::var("SHOPFLOOR_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Ok(Some(p));
    }
    if interactive {
        return ask_password().map(Some);
    }
    Ok(None)
}

/// Asks for the first admin's password twice without echo (`stty -echo`).
pub fn ask_password() -> Result<String, SetupError> {
    let echo = |on: bool| {
        let _ = Command::new("stty")
            .arg(if on { "echo" } else { "-echo" })
            .stdin(Stdio::inherit())
            .status();
    };
    let read = |prompt: &str| -> Result<String, SetupError> {
        print!("{prompt}");
        std::io::stdout()
            .flush()
            .map_err(io("writing the prompt"))?;
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(io("reading the password"))?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    };
    loop {
        echo(false);
        let a = read("First admin's password (12 characters or more): ");
        let b = a.as_ref().ok().map(|_| read("\nAgain: "));
        echo(true);
        println!();
        let a = a?;
        let b = b.unwrap_or_else(|| Ok(String::new()))?;
        if a.is_empty() {
            return Err(SetupError::Invalid("no password given".into()));
        }
        if a == b {
            return Ok(a);
        }
        println!("The two differ; again.");
    }
}

/// The host name of an `https://` (or `http://`) address.
pub fn host_of(url: &str) -> Result<String, SetupError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            SetupError::Invalid(format!("--public-url {url:?} must start with https://"))
        })?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(SetupError::Invalid(format!(
            "--public-url {url:?} has no host name"
        )));
    }
    Ok(host.to_owned())
}

/// The Caddy site block for `host` in front of a server listening on `listen`. It adds HSTS and
/// drops `Server`, and sets no other header: the app's own CSP and security headers pass through
/// unchanged.
pub fn caddy_block(host: &str, listen: std::net::SocketAddr) -> String {
    format!(
        "{host} {{\n    encode gzip\n    header {{\n        Strict-Transport-Security \"max-age=31536000; includeSubDomains\"\n        -Server\n    }}\n    reverse_proxy {listen}\n}}\n"
    )
}

/// Enables and starts the packaged `unit` when systemd runs and knows it. Whether it started.
pub fn start_service(unit: &str) -> Result<bool, SetupError> {
    let known = Path::new("/run/systemd/system").exists()
        && Command::new("systemctl")
            .args(["cat", unit])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !known {
        return Ok(false);
    }
    let status = Command::new("systemctl")
        .args(["enable", "--now", unit])
        .status()
        .map_err(io(format!("systemctl enable --now {unit}")))?;
    if !status.success() {
        return Err(SetupError::Invalid(format!(
            "systemctl enable --now {unit} failed ({status})"
        )));
    }
    println!("Started {unit}.");
    Ok(true)
}

/// Run as root (`sudo … setup`) on a machine with the package's `shopfloor` system user: hands
/// the data directory and its files to that user, whom the service runs as. Does nothing
/// otherwise.
pub fn give_to_service_user(data: &Path) -> Result<(), SetupError> {
    use std::os::unix::fs::MetadataExt as _;
    if std::fs::metadata("/proc/self").map(|m| m.uid()).ok() != Some(0) {
        return Ok(());
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let Some((uid, gid)) = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        match f.as_slice() {
            [name, _, uid, gid, ..] if *name == "shopfloor" => {
                Some((uid.parse::<u32>().ok()?, gid.parse::<u32>().ok()?))
            }
            _ => None,
        }
    }) else {
        return Ok(());
    };
    std::os::unix::fs::chown(data, Some(uid), Some(gid))
        .map_err(io(format!("chown {}", data.display())))?;
    for entry in std::fs::read_dir(data).map_err(io(format!("reading {}", data.display())))? {
        let path = entry
            .map_err(io(format!("reading {}", data.display())))?
            .path();
        std::os::unix::fs::chown(&path, Some(uid), Some(gid))
            .map_err(io(format!("chown {}", path.display())))?;
    }
    println!("Gave {} to the shopfloor user.", data.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_come_from_https_addresses_only() {
        assert_eq!(
            host_of("https://shopfloor.example.org/x").unwrap(),
            "shopfloor.example.org"
        );
        assert!(host_of("ftp://x").is_err());
        assert!(host_of("https://").is_err());
        assert!(host_of("https://a b").is_err());
    }

    #[test]
    fn the_caddy_block_names_the_host_and_sets_no_csp() {
        let b = caddy_block("shopfloor.example.org", "127.0.0.1:8080".parse().unwrap());
        assert!(b.starts_with("shopfloor.example.org {\n"));
        assert!(b.contains("    reverse_proxy 127.0.0.1:8080\n"));
        assert!(!b.contains("Content-Security-Policy"));
        assert!(b.ends_with("}\n"));
    }

    #[test]
    fn a_flag_wins_and_a_missing_value_is_required_without_a_terminal() {
        assert_eq!(
            value(Some(" NC ".into()), "--state", "State", false).unwrap(),
            "NC"
        );
        let e = value(None, "--state", "State", false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--state is required (standard input is not a terminal to ask on)"
        );
        assert_eq!(first_line("pw\r\nmore", "--f").unwrap(), "pw");
        assert!(first_line("\n", "--f").is_err());
    }
}
