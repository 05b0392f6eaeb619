//! The server's defences against an outside attacker, on a real `shopfloor-hub serve` on
//! loopback: stalled connections closed after the header-read timeout, a connection limit the
//! server recovers from, no spinning when it runs out of file descriptors, private data files
//! and the security headers on every answer.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use util::*;

/// A hub whose `[web]` section sets these limits.
fn hub_with_limits(root: &Path, timeout_secs: u64, max_connections: u32) -> HubDir {
    let hub = HubDir::init(root, "limits", "national");
    let path = hub.dir.join("hub.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace(
            "header_read_timeout_secs = 10",
            &format!("header_read_timeout_secs = {timeout_secs}"),
        )
        .replace(
            "max_connections = 256",
            &format!("max_connections = {max_connections}"),
        );
    assert!(text.contains(&format!("max_connections = {max_connections}")));
    std::fs::write(&path, text).unwrap();
    hub
}

fn addr(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_owned()
}

/// A connection that sent `bytes` (part of a request, or nothing) and then stalls.
fn stalled(addr: &str, bytes: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(bytes).unwrap();
    s
}

/// Reads until the server closes the connection; panics if it is still open after `secs`.
fn read_until_closed(s: &mut TcpStream, secs: u64) -> String {
    s.set_read_timeout(Some(Duration::from_secs(secs))).unwrap();
    let mut out = Vec::new();
    match s.read_to_end(&mut out) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server kept the connection open ({e}); read so far: {out:?}"),
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `GET path` on a fresh connection; the whole answer.
fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_until_closed(&mut s, 30)
}

/// `GET path` from another thread; the answer arrives on the channel.
fn get_in_background(addr: &str, path: &str) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let (addr, path) = (addr.to_owned(), path.to_owned());
    std::thread::spawn(move || {
        let _ = tx.send(get(&addr, &path));
    });
    rx
}

#[test]
fn hub_closes_connections_that_stall_before_finishing_their_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub_with_limits(tmp.path(), 1, 256);
    let server = Server::start(&hub, &tmp.path().join("serve.log"));
    let addr = addr(&server);

    let start = Instant::now();
    let mut half = stalled(
        &addr,
        b"GET /api/v1/card HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
    );
    let mut silent = stalled(&addr, b"");
    // A keep-alive connection that got its answer and then idles.
    let mut idle = stalled(
        &addr,
        b"GET /api/v1/card HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    );

    assert_eq!(read_until_closed(&mut half, 20), "");
    assert_eq!(read_until_closed(&mut silent, 20), "");
    let answer = read_until_closed(&mut idle, 20);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "closed before the timeout"
    );
    // Still serving.
    assert!(get(&addr, "/api/v1/card").starts_with("HTTP/1.1 200"));
}

#[test]
fn hub_answers_again_as_soon_as_stalled_connections_at_the_limit_drop() {
    let tmp = tempfile::tempdir().unwrap();
    // A long timeout: only the limit and the clients leaving are at work here.
    let hub = hub_with_limits(tmp.path(), 300, 4);
    let server = Server::start(&hub, &tmp.path().join("serve.log"));
    let addr = addr(&server);

    // Below the limit a fresh request is answered beside the stalled connections.
    let mut held: Vec<TcpStream> = (0..3).map(|_| stalled(&addr, b"GE")).collect();
    let answer = get(&addr, "/api/v1/card");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // At the limit the next request waits in the listen queue, and is not lost.
    held.push(stalled(&addr, b""));
    let waiting = get_in_background(&addr, "/api/v1/card");
    assert!(
        waiting.recv_timeout(Duration::from_secs(1)).is_err(),
        "a fifth connection was served although max_connections = 4"
    );
    drop(held.pop());
    let answer = waiting.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    drop(held);
    for _ in 0..8 {
        assert!(get(&addr, "/api/v1/card").starts_with("HTTP/1.1 200"));
    }
}

#[test]
fn hub_keeps_accepting_after_running_out_of_file_descriptors() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub_with_limits(tmp.path(), 300, 256);
    let log = tmp.path().join("serve.log");
    // 64 descriptors: far fewer than max_connections, so accept() fails with EMFILE.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 64 && exec "$0" --data "$1" serve --listen 127.0.0.1:0"#)
        .arg(bin())
        .arg(&hub.dir)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();

    let held: Vec<TcpStream> = (0..100).map(|_| stalled(&addr, b"")).collect();
    let waiting = get_in_background(&addr, "/api/v1/card");
    std::thread::sleep(Duration::from_secs(2));
    drop(held);
    let answer = waiting.recv_timeout(Duration::from_secs(30));
    let again = get(&addr, "/api/v1/card");
    let errors = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter(|l| l.contains("accept error"))
        .count();
    let _ = child.kill();
    let _ = child.wait();
    let answer = answer.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
    assert!(errors > 0, "the server never ran out of descriptors");
    // Two seconds out of descriptors: a pause after each error, not thousands of retries.
    assert!(
        errors < 200,
        "{errors} accept errors: the accept loop spins"
    );
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Runs the binary under `umask 022`, as a shell or a plain systemd unit would.
fn hub_umask_022(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"umask 022 && exec "$@""#)
        .arg("sh")
        .arg(bin())
        .arg("--data")
        .arg(dir)
        .args(args)
        .env("SHOPFLOOR_ADMIN_PASSWORD", ADMIN_PASSWORD);
    cmd
}

#[tokio::test]
async fn hub_data_files_are_private_after_init_serving_and_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hub");
    let out = hub_umask_022(&dir, &["init", "--level", "national", "--name", "Modes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    for f in ["hub.toml", "keys.txt", "hub.db"] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f} after init");
    }
    assert_eq!(mode(&dir), 0o700);

    // Serve and write: the WAL and shared-memory files appear, private too.
    let mut child = hub_umask_022(&dir, &["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let resp = client()
        .post(format!("{url}/api/v1/login"))
        .json(&serde_json::json!({"name": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    for f in ["hub.db", "hub.db-wal", "hub.db-shm", "hub.toml"] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f} while serving");
    }
    let _ = child.kill();
    let _ = child.wait();

    let backup = tmp.path().join("hub.backup");
    let out = hub_umask_022(&dir, &["backup", "--out", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(mode(&backup), 0o600);

    // A data directory made before files were private: opening the hub narrows them, and
    // doctor names the loose ones until then.
    for f in ["hub.toml", "hub.db"] {
        std::fs::set_permissions(dir.join(f), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let out = hub_cmd(&dir, &["doctor", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"configuration permissions"), "{v}");
    assert!(failed.contains(&"database permissions"), "{v}");
    hub_ok(&dir, &["card"]);
    for f in ["hub.toml", "hub.db"] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f} after opening");
    }
    assert!(hub_cmd(&dir, &["doctor"]).status.success());
}

/// The security headers every answer must carry.
fn assert_security_headers(what: &str, h: &reqwest::header::HeaderMap) {
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_owned()
    };
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert!(
        get("content-security-policy").contains("frame-ancestors 'none'"),
        "{what}"
    );
    assert!(
        get("content-security-policy").contains("default-src 'none'"),
        "{what}"
    );
    assert_eq!(get("referrer-policy"), "same-origin", "{what}");
}

#[tokio::test]
async fn hub_api_answers_and_errors_carry_security_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = HubDir::init(tmp.path(), "headers", "national");
    let server = Server::start(&hub, &tmp.path().join("serve.log"));
    let c = client();
    let cases = [
        (reqwest::Method::GET, "/api/v1/card", 200),
        (reqwest::Method::GET, "/api/v1/log/checkpoint", 200),
        (reqwest::Method::GET, "/api/v1/status", 401),
        (reqwest::Method::GET, "/api/v1/no-such-route", 404),
        (reqwest::Method::PUT, "/api/v1/card", 405),
        (reqwest::Method::POST, "/api/v1/reports", 400),
        (reqwest::Method::GET, "/ui/login", 200),
        (reqwest::Method::GET, "/ui/assets/style.css", 200),
    ];
    for (method, path, status) in cases {
        let resp = c
            .request(method.clone(), server.api(path))
            .send()
            .await
            .unwrap();
        let what = format!("{method} {path}");
        assert_eq!(resp.status().as_u16(), status, "{what}");
        assert_security_headers(&what, resp.headers());
        if path.starts_with("/api/") {
            assert_eq!(
                resp.headers()["cache-control"],
                "no-store",
                "{what}: API answers are not cached"
            );
        }
    }

    // 413: a body one byte over the limit, sent whole so the answer is not lost to a reset.
    // (`POST /api/v1/reports` takes larger bodies at national: a region's sealed bundle.)
    let too_big = vec![b'x'; shopfloor_hub::web::BODY_LIMIT + 1];
    let resp = c
        .post(server.api("/api/v1/enroll"))
        .body(too_big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert_security_headers("POST /api/v1/enroll (too large)", resp.headers());
}
