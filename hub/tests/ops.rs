//! Running the hub as an operator does: the age identity in its own standard file (opened with
//! the stock age tool's parser), request logs from the real binary on loopback, backups into a
//! directory that does not exist yet.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use std::io::{BufRead as _, BufReader, Read as _};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use util::*;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The identities in a file, parsed as the stock `age -i FILE` parses them.
fn stock_identities(path: &Path) -> std::io::Result<Vec<Box<dyn age::Identity + Send + Sync>>> {
    let file = age::IdentityFile::from_buffer(BufReader::new(std::fs::File::open(path)?))?;
    file.into_identities()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

#[test]
fn init_writes_the_age_identity_in_the_stock_format_and_it_opens_a_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = HubDir::init(tmp.path(), "national", "national");
    let key = hub.dir.join("age-key.txt");
    assert_eq!(mode(&key), 0o600);
    let text = std::fs::read_to_string(&key).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 1, "{text}");
    let id = <age::x25519::Identity as std::str::FromStr>::from_str(lines[0]).unwrap();
    assert_eq!(id.to_public().to_string(), hub.card.age_recipient.as_str());
    assert!(stock_identities(&hub.dir.join("keys.txt")).is_err());
    let ids = stock_identities(&key).unwrap();

    // A backup into a directory nothing has made yet (the backup timer's first run).
    let out = tmp.path().join("backups/hub.age");
    let o = hub_cmd(&hub.dir, &["backup", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(out.parent().unwrap()), 0o700);
    let sealed = std::fs::read(&out).unwrap();
    let mut plain = Vec::new();
    age::Decryptor::new(&sealed[..])
        .unwrap()
        .decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    assert!(plain.starts_with(b"SHOPFLOOR-HUB-BACKUP-1\n"));
}

/// `shopfloor-hub serve` on an ephemeral port with its stderr in `log`; returns its URL.
fn serve(dir: &Path, log: &Path, json: bool) -> (std::process::Child, String) {
    let mut cmd = Command::new(bin());
    cmd.arg("--data")
        .arg(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .env_remove("SHOPFLOOR_LOG_FORMAT")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap());
    if json {
        cmd.env("SHOPFLOOR_LOG_FORMAT", "json");
    }
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, url)
}

fn get(url: &str) -> u16 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { client().get(url).send().await.unwrap().status().as_u16() })
}

fn log_lines_with(log: &Path, needle: &str) -> Vec<String> {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(needle) || start.elapsed() > Duration::from_secs(20) {
            return text.lines().map(str::to_owned).collect();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_migrates_an_old_key_layout_and_logs_requests_without_their_values() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = HubDir::init(tmp.path(), "national", "national");
    let key = hub.dir.join("age-key.txt");
    let expected = std::fs::read_to_string(&key).unwrap();
    std::fs::remove_file(&key).unwrap();

    let log = tmp.path().join("serve.log");
    let (mut child, url) = serve(&hub.dir, &log, false);
    assert_eq!(std::fs::read_to_string(&key).unwrap(), expected);
    assert_eq!(mode(&key), 0o600);
    assert_eq!(get(&format!("{url}/api/v1/card?member=Zelda")), 200);
    assert_eq!(get(&format!("{url}/api/v1/enroll/zelda-chapter")), 404);
    let lines = log_lines_with(&log, "status=404");
    let _ = child.kill();
    let _ = child.wait();
    let all = lines.join("\n");
    assert!(!all.contains('\u{1b}'), "colour codes in a log file: {all}");
    assert!(
        !all.to_lowercase().contains("zelda"),
        "a value was logged: {all}"
    );
    assert!(
        lines.iter().any(|l| l.contains("INFO")
            && l.contains("method=GET")
            && l.contains("route=/api/v1/card")
            && l.contains("status=200")
            && l.contains(" ms=")),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("route=/api/v1/enroll/{id}") && l.contains("status=404")),
        "{all}"
    );

    let log = tmp.path().join("serve.json.log");
    let (mut child, url) = serve(&hub.dir, &log, true);
    assert_eq!(get(&format!("{url}/api/v1/card")), 200);
    let lines = log_lines_with(&log, "\"status\":200");
    let _ = child.kill();
    let _ = child.wait();
    let events: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let request = events
        .iter()
        .find(|e| e["route"] == "/api/v1/card")
        .unwrap_or_else(|| panic!("no request event: {lines:?}"));
    assert_eq!(request["method"], "GET");
    assert_eq!(request["status"], 200);
    assert!(request["ms"].is_u64());
}

#[test]
fn a_command_without_a_hub_says_so_once() {
    let tmp = tempfile::tempdir().unwrap();
    let o = hub_cmd(&tmp.path().join("nothing"), &["pending"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("no hub in"), "{err}");
    assert!(err.contains("--data"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn setup_without_a_terminal_takes_flags_and_the_hub_it_makes_answers() {
    use std::io::Write as _;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hub");
    let o = Command::new(bin())
        .arg("--data")
        .arg(&dir)
        .args(["setup", "--level", "regional", "--no-start"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--name is required"), "{}", stderr(&o));
    assert!(!dir.exists());

    let password_file = tmp.path().join("pw");
    std::fs::write(&password_file, format!("{ADMIN_PASSWORD}\n")).unwrap();
    let o = Command::new(bin())
        .arg("--data")
        .arg(&dir)
        .args(["setup", "--level", "regional", "--name", "Southern Region"])
        .args([
            "--public-url",
            "https://hub.example-region.org",
            "--no-start",
        ])
        .arg("--admin-password-file")
        .arg(&password_file)
        .env_remove("SHOPFLOOR_ADMIN_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{out}{}", stderr(&o));
    assert!(out.contains("hub.example-region.org {"), "{out}");
    assert!(out.contains("reverse_proxy 127.0.0.1:8090"), "{out}");
    assert!(out.contains("enroll --parent"), "{out}");
    assert!(!out.contains("shown once"), "{out}");
    let toml_text = std::fs::read_to_string(dir.join("hub.toml")).unwrap();
    assert!(toml_text.contains("behind_tls = true"), "{toml_text}");
    assert!(toml_text.contains("127.0.0.1"), "{toml_text}");
    assert_eq!(mode(&dir.join("hub.toml")), 0o600);
    assert_eq!(mode(&dir.join("age-key.txt")), 0o600);
    let hub = shopfloor_hub::Hub::open(&dir).unwrap();
    let (_, admin) = shopfloor_hub::users::login(hub.store(), "admin", ADMIN_PASSWORD).unwrap();
    assert_eq!(admin.name, "admin");
    drop(hub);
    hub_ok(&dir, &["doctor"]);

    let log = tmp.path().join("serve.log");
    let (mut child, url) = serve(&dir, &log, false);
    let status = get(&format!("{url}/api/v1/card"));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200);

    // A national hub's next step is its root card.
    let national = tmp.path().join("national");
    let mut child = Command::new(bin())
        .arg("--data")
        .arg(&national)
        .args(["setup", "--level", "national", "--name", "National"])
        .args(["--public-url", "https://national.example.org"])
        .args(["--admin-password-stdin", "--no-start"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{ADMIN_PASSWORD}\n").as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{out}{}", stderr(&o));
    assert!(out.contains("card --json > national.card.json"), "{out}");
}
