//! Running the node as an operator does: the age identity in its own standard file (opened with
//! the stock age tool's parser), request logs from the real binary on loopback, and backups
//! that never replace a file.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use shopfloor_node::agekey;
use shopfloor_node::datadir::DataDir;

use crate::util::{bin, cli_node, run, stderr, stdout};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The identities in a file, parsed as the stock `age -i FILE` parses them.
fn stock_identities(path: &Path) -> std::io::Result<Vec<Box<dyn age::Identity + Send + Sync>>> {
    let file = age::IdentityFile::from_buffer(BufReader::new(std::fs::File::open(path)?))?;
    file.into_identities()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

#[test]
fn init_writes_the_age_identity_in_the_stock_format_and_it_opens_a_backup() {
    let (tmp, data) = cli_node();
    let key = data.join("age-key.txt");
    assert_eq!(mode(&key), 0o600);
    let text = std::fs::read_to_string(&key).unwrap();
    let card = DataDir::new(&data).card().unwrap();
    // One identity line, in the form `age-keygen` writes, for this node's recipient.
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 1, "{text}");
    let id = <age::x25519::Identity as std::str::FromStr>::from_str(lines[0]).unwrap();
    assert_eq!(id.to_public().to_string(), card.age_recipient.as_str());
    assert!(text.contains(&format!("# public key: {}", card.age_recipient)));
    // keys.txt is not something the stock tool can read; age-key.txt is.
    assert!(stock_identities(&data.join("keys.txt")).is_err());
    let ids = stock_identities(&key).unwrap();
    assert_eq!(ids.len(), 1);

    // A default backup (sealed to the node's own key) opens with that file alone.
    let out = tmp.path().join("backup.age");
    let o = run(bin(&data).arg("backup").arg("--out").arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let sealed = std::fs::read(&out).unwrap();
    let decryptor = age::Decryptor::new(&sealed[..]).unwrap();
    let mut plain = Vec::new();
    decryptor
        .decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    assert!(plain.starts_with(b"SHOPFLOOR-BACKUP-1\n"));
    // And `restore --identity age-key.txt` works too.
    let restored = tmp.path().join("restored");
    let o = run(bin(&restored)
        .arg("restore")
        .arg(&out)
        .arg("--identity")
        .arg(&key));
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn backup_refuses_an_existing_file_and_creates_its_directory() {
    let (tmp, data) = cli_node();
    let out = tmp.path().join("backups/daily/node.age");
    let o = run(bin(&data).arg("backup").arg("--out").arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(out.parent().unwrap()), 0o700);
    let first = std::fs::read(&out).unwrap();
    let o = run(bin(&data).arg("backup").arg("--out").arg(&out));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("already exists; refusing to overwrite"),
        "{err}"
    );
    assert_eq!(err.matches("already exists").count(), 1, "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), first);
    assert!(!tmp.path().join("backups/daily/node.age.partial").exists());
}

/// A port free a moment ago on loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `shopfloor-node serve` with stderr to `log`; returns once the health endpoint answers.
fn serve(data: &Path, log: &Path, json: bool) -> (Served, String) {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut cmd = bin(data);
    cmd.args(["serve", "--listen", &addr])
        .env("RUST_LOG", "info")
        .env_remove("SHOPFLOOR_LOG_FORMAT")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
    if json {
        cmd.env("SHOPFLOOR_LOG_FORMAT", "json");
    }
    let child = Served(cmd.spawn().unwrap());
    let start = Instant::now();
    loop {
        if get(&addr, "/api/v1/health").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
            return (child, addr);
        }
        if start.elapsed() > Duration::from_secs(60) {
            drop(child);
            panic!(
                "serve did not answer: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn get(addr: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

/// The log's lines once one of them contains `needle` (log lines are written after the
/// response, so a little after the client has it).
fn log_lines_with(log: &Path, needle: &str) -> Vec<String> {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(needle) || start.elapsed() > Duration::from_secs(20) {
            return BufReader::new(text.as_bytes())
                .lines()
                .map(Result::unwrap)
                .collect();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running server, killed when dropped (also when a test fails).
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn stop(child: Served) {
    drop(child);
}

#[test]
fn serve_migrates_an_old_key_layout_and_logs_requests_without_their_values() {
    let (tmp, data) = cli_node();
    // A data directory from before age-key.txt: only the combined keys.txt.
    let key = data.join("age-key.txt");
    let expected = std::fs::read_to_string(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let log = tmp.path().join("serve.log");
    let (child, addr) = serve(&data, &log, false);
    assert_eq!(std::fs::read_to_string(&key).unwrap(), expected);
    assert_eq!(mode(&key), 0o600);
    assert_eq!(
        agekey::file_text(&std::fs::read_to_string(data.join("keys.txt")).unwrap()).unwrap(),
        expected
    );

    let answer = get(&addr, "/api/v1/health?member=Zelda%20Quartermaine").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let answer = get(&addr, "/no/such/page/Zelda").unwrap();
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    let lines = log_lines_with(&log, "status=404");
    stop(child);
    let all = lines.join("\n");
    assert!(!all.contains('\u{1b}'), "colour codes in a log file: {all}");
    assert!(
        !all.contains("Zelda"),
        "a query or path value was logged: {all}"
    );
    let health = lines
        .iter()
        .find(|l| l.contains("route=/api/v1/health") && l.contains("status=200"))
        .unwrap_or_else(|| panic!("no request line for the health check: {all}"));
    assert!(
        health.contains("INFO") && health.contains("method=GET"),
        "{health}"
    );
    assert!(health.contains(" ms="), "{health}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("route=(no route)") && l.contains("status=404")),
        "{all}"
    );

    // The same with SHOPFLOOR_LOG_FORMAT=json: every line is a JSON object.
    let log = tmp.path().join("serve.json.log");
    let (child, addr) = serve(&data, &log, true);
    let answer = get(&addr, "/api/v1/health?member=Zelda").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let lines = log_lines_with(&log, "\"status\":200");
    stop(child);
    let events: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let request = events
        .iter()
        .find(|e| e["route"] == "/api/v1/health")
        .unwrap_or_else(|| panic!("no request event: {lines:?}"));
    assert_eq!(request["method"], "GET");
    assert_eq!(request["status"], 200);
    assert_eq!(request["level"], "INFO");
    assert!(request["ms"].is_u64());
    assert!(!lines.join("\n").contains("Zelda"));
}

#[test]
fn setup_without_a_terminal_takes_flags_and_the_node_it_makes_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("node");
    // Missing flags and no terminal to ask on: refused, nothing made.
    let o = run(bin(&data)
        .args(["setup", "--chapter", "Triangle DSA", "--no-start"])
        .stdin(Stdio::null()));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--state is required"), "{}", stderr(&o));
    assert!(!data.exists());

    let mut child = bin(&data)
        .args([
            "setup",
            "--chapter",
            "Triangle DSA",
            "--state",
            "nc",
            "--public-url",
            "https://shopfloor.example-chapter.org/",
            "--admin-password-stdin",
            "--no-start",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{}\n", crate::util::ADMIN_PASSWORD).as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("shopfloor.example-chapter.org {"), "{out}");
    assert!(out.contains("reverse_proxy 127.0.0.1:8080"), "{out}");
    assert!(out.contains("--root national.card.json"), "{out}");
    assert!(!out.contains("Admin password (shown once"), "{out}");
    assert!(!out.contains("Content-Security-Policy"), "{out}");

    let dir = DataDir::new(&data);
    let config = dir.config().unwrap();
    assert_eq!(
        config.public_url.as_deref(),
        Some("https://shopfloor.example-chapter.org")
    );
    assert_eq!(config.state, "NC");
    assert_eq!(config.trusted_proxies.len(), 2);
    assert_eq!(mode(&dir.config_path()), 0o600);
    assert!(
        std::fs::read_to_string(dir.config_path())
            .unwrap()
            .starts_with("# Shopfloor chapter node configuration.")
    );
    assert_eq!(mode(&data.join("age-key.txt")), 0o600);
    let store = dir.open_store().unwrap();
    assert!(
        store
            .read(|c| shopfloor_node::domain::users::authenticate(
                c,
                "admin",
                crate::util::ADMIN_PASSWORD
            ))
            .unwrap()
            .is_some()
    );
    drop(store);
    assert!(run(bin(&data).arg("doctor")).status.success());

    // The node it made serves.
    let log = tmp.path().join("serve.log");
    let (served, addr) = serve(&data, &log, false);
    let answer = get(&addr, "/login").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    stop(served);

    // Setup never touches an existing node.
    let o = run(bin(&data)
        .args(["setup", "--chapter", "Other", "--state", "NC"])
        .args(["--public-url", "https://x.example.org", "--no-start"])
        .stdin(Stdio::null()));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
}
