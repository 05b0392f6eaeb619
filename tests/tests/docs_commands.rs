//! Every command in the docs runs as written (issue 16). This test reads the fenced `sh` blocks of
//! docs/deploy.md and docs/operate.md, checks that docs/es/ holds the same commands (comments
//! aside) and the same marks, and runs every block not marked `<!-- not-run: REASON -->` (the
//! line just before its fence) in document order, deploy.md then operate.md, against a
//! temporary directory, with the `shopfloor-node` and `shopfloor-hub` binaries built from this
//! workspace (target/<profile>/, built by `./test`, i.e. `cargo test --workspace`; alone:
//! `cargo build -p shopfloor-node -p shopfloor-hub`). Each block must exit 0. A block marked
//! `<!-- doc-test: isolated -->` runs in a fresh temporary directory of its own (an alternative
//! to the block before it, such as `init` beside `setup`); one marked `<!-- doc-test: on
//! national -->` runs in a fresh one where national's hub was initialised in
//! /var/lib/shopfloor/hub (a command national's admin runs). Marked blocks are few and each says
//! why.
//!
//! The commands stay verbatim; the test changes only these placeholders (also listed in a
//! comment at the top of docs/deploy.md):
//! - `/var/lib/shopfloor` and `/tmp/`: directories under the temporary directory (the first is
//!   created 0700, as section 3's `adduser` would);
//! - `age1officerone...`, `age1officertwo...`, `age1...`: the public keys of `officer.key` and a
//!   second key made with `age-keygen` (the `age` package; `./test` installs it);
//! - `2026-11-25` in a backup's name: today (`date +%F`), the day the backups were made;
//! - `127.0.0.1:8091`: a free port. A block that runs `serve` is started, must answer HTTP on its
//!   port within 60 s, and is then stopped.
//!
//! `sudo -u shopfloor CMD` runs CMD as the test's user (any other `sudo` fails the block), and
//! `cargo run [--release] -p PKG [--bin BIN] -- ARGS` runs the binary already built (a nested
//! cargo would wait for the lock this test's own build holds). The working directory holds
//! `admin-password.txt`, `officer.key` and, before each block, a copy of every `.age` file in
//! the backups directory (the officer's copy, "off the server").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[derive(Debug, Clone, PartialEq)]
enum Mark {
    Run,
    Isolated,
    /// On national's server: a fresh temporary directory with a national hub in
    /// /var/lib/shopfloor/hub.
    National,
    NotRun(String),
}

#[derive(Debug, Clone)]
struct Block {
    file: &'static str,
    line: usize,
    text: String,
    mark: Mark,
}

/// The fenced `sh` blocks of a doc, each with the mark on the last non-blank line before it.
fn blocks(file: &'static str) -> Vec<Block> {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let fence = lines[i].trim_start();
        if !fence.starts_with("```") {
            i += 1;
            continue;
        }
        let lang = fence.trim_start_matches('`').trim();
        let start = i;
        i += 1;
        let mut body = Vec::new();
        while i < lines.len() && !lines[i].trim_start().starts_with("```") {
            body.push(lines[i]);
            i += 1;
        }
        i += 1;
        if lang != "sh" {
            continue;
        }
        let before = lines[..start]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim())
            .unwrap_or("");
        let mark = if let Some(reason) = before
            .strip_prefix("<!-- not-run:")
            .and_then(|r| r.strip_suffix("-->"))
        {
            Mark::NotRun(reason.trim().to_owned())
        } else if before == "<!-- doc-test: isolated -->" {
            Mark::Isolated
        } else if before == "<!-- doc-test: on national -->" {
            Mark::National
        } else {
            assert!(
                !before.starts_with("<!--"),
                "{file}:{}: unknown mark {before}",
                start + 1
            );
            Mark::Run
        };
        out.push(Block {
            file,
            line: start + 1,
            text: body.join("\n"),
            mark,
        });
    }
    out
}

/// A block's commands without comments, for comparing a doc with its translation.
fn commands(text: &str) -> String {
    text.lines()
        .map(|l| match l.find(" #") {
            Some(i) if !l[..i].contains('\'') => l[..i].trim_end(),
            _ => l.trim_end(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn kind(m: &Mark) -> &'static str {
    match m {
        Mark::Run => "run",
        Mark::Isolated => "isolated",
        Mark::National => "on national",
        Mark::NotRun(_) => "not-run",
    }
}

#[test]
fn the_spanish_docs_hold_the_same_commands_and_marks() {
    for (en, es) in [
        ("docs/deploy.md", "docs/es/deploy.md"),
        ("docs/operate.md", "docs/es/operate.md"),
    ] {
        let (a, b) = (blocks(en), blocks(es));
        assert_eq!(
            a.len(),
            b.len(),
            "{en} has {} shell blocks, {es} {}",
            a.len(),
            b.len()
        );
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                commands(&x.text),
                commands(&y.text),
                "{en}:{} and {es}:{} differ",
                x.line,
                y.line
            );
            assert_eq!(
                kind(&x.mark),
                kind(&y.mark),
                "{en}:{} and {es}:{} are marked differently",
                x.line,
                y.line
            );
        }
    }
}

#[test]
fn marked_blocks_are_few_and_say_why() {
    let all: Vec<Block> = ["docs/deploy.md", "docs/operate.md"]
        .into_iter()
        .chain(["docs/es/deploy.md", "docs/es/operate.md"])
        .flat_map(blocks)
        .collect();
    let mut not_run = 0;
    for b in &all {
        if let Mark::NotRun(reason) = &b.mark {
            not_run += 1;
            assert!(
                reason.split_whitespace().count() >= 3,
                "{}:{}: a not-run mark says why in a few words, not {reason:?}",
                b.file,
                b.line
            );
        }
    }
    // Root, systemd, apt, the network or a second machine: the package steps are proved by
    // packaging/ci-check instead. Fewer than half of the blocks.
    assert!(
        not_run * 2 < all.len(),
        "{not_run} of {} shell blocks are not run",
        all.len()
    );
}

/// The directory the workspace's binaries are built into: the test executable's grandparent.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    for bin in ["shopfloor-node", "shopfloor-hub"] {
        assert!(
            dir.join(bin).is_file(),
            "{} is missing: run ./test (cargo test --workspace), or \
             cargo build -p shopfloor-node -p shopfloor-hub first",
            dir.join(bin).display()
        );
    }
    dir
}

/// National's server, for blocks marked `<!-- doc-test: on national -->`.
const NATIONAL: &str = "SHOPFLOOR_ADMIN_PASSWORD='choose-a-long-passphrase' shopfloor-hub \
    --data /var/lib/shopfloor/hub init --level national --name 'National Labor Commission'";

const SUDO: &str = r#"#!/bin/sh
# The doc test's sudo: `sudo -u shopfloor CMD` runs CMD as the test's user; nothing else runs.
if [ "$1" = "-u" ] && [ "$2" = "shopfloor" ]; then shift 2; exec "$@"; fi
echo "doc test: 'sudo $*' needs root: mark its block <!-- not-run: ... -->" >&2
exit 97
"#;

const CARGO: &str = r#"#!/bin/sh
# The doc test's cargo: `cargo run [--release] -p PKG [--bin BIN] -- ARGS` runs the built binary.
[ "$1" = "run" ] || { echo "doc test: 'cargo $*' is not run here" >&2; exit 97; }
shift
pkg=""; bin=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case "$1" in
    -p) pkg=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --release|--locked|-q) shift ;;
    *) echo "doc test: cargo run $1 is not understood" >&2; exit 97 ;;
  esac
done
[ "$1" = "--" ] && shift
exec "$(dirname "$0")/${bin:-$pkg}" "$@"
"#;

/// A temporary "server and officer's laptop": the shims and binaries, /var/lib/shopfloor, /tmp
/// and the working directory with the files the docs assume.
struct Sandbox {
    _dir: tempfile::TempDir,
    root: PathBuf,
    recipients: [String; 2],
}

fn write_exec(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn age_keygen(out: &Path) -> String {
    let done = Command::new("age-keygen")
        .arg("-o")
        .arg(out)
        .output()
        .expect("age-keygen (the `age` package; ./test installs it)");
    assert!(done.status.success(), "age-keygen: {done:?}");
    let key = std::fs::read_to_string(out).unwrap();
    key.lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned()
}

impl Sandbox {
    fn new() -> Sandbox {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let bin = root.join("bin");
        for d in ["bin", "var/lib/shopfloor", "tmp", "work"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::set_permissions(
            root.join("var/lib/shopfloor"),
            std::fs::Permissions::from_mode(0o700),
        )
        .unwrap();
        let built = bin_dir();
        for b in ["shopfloor-node", "shopfloor-hub"] {
            std::os::unix::fs::symlink(built.join(b), bin.join(b)).unwrap();
        }
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_shopfloor-demo"),
            bin.join("shopfloor-demo"),
        )
        .unwrap();
        write_exec(&bin.join("sudo"), SUDO);
        write_exec(&bin.join("cargo"), CARGO);
        let work = root.join("work");
        std::fs::write(
            work.join("admin-password.txt"),
            "a long passphrase for the doc test\n",
        )
        .unwrap();
        let one = age_keygen(&work.join("officer.key"));
        let two = age_keygen(&root.join("tmp/officer-two.key"));
        Sandbox {
            _dir: dir,
            root,
            recipients: [one, two],
        }
    }

    /// The block with the placeholders replaced.
    fn script(&self, text: &str, port: u16, today: &str) -> String {
        let r = self.root.display().to_string();
        // `/tmp/` first: the temporary directory's own path starts with /tmp/.
        text.replace("/tmp/", &format!("{r}/tmp/"))
            .replace("/var/lib/shopfloor", &format!("{r}/var/lib/shopfloor"))
            .replace("age1officerone...", &self.recipients[0])
            .replace("age1officertwo...", &self.recipients[1])
            .replace("age1...", &self.recipients[0])
            .replace("2026-11-25", today)
            .replace("127.0.0.1:8091", &format!("127.0.0.1:{port}"))
    }

    /// The officer copies the backups off the server.
    fn fetch_backups(&self) {
        let dir = self.root.join("var/lib/shopfloor/backups");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "age") {
                let _ = std::fs::copy(&p, self.root.join("work").join(p.file_name().unwrap()));
            }
        }
    }

    fn command(&self, script: &str) -> Command {
        let path = format!(
            "{}:{}",
            self.root.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut c = Command::new("bash");
        c.arg("-euo")
            .arg("pipefail")
            .arg("-c")
            .arg(script)
            .current_dir(self.root.join("work"))
            .env("PATH", path)
            .env("TMPDIR", self.root.join("tmp"))
            .env_remove("SHOPFLOOR_DATA")
            .env_remove("SHOPFLOOR_HUB_DATA")
            .env_remove("SHOPFLOOR_ADMIN_PASSWORD")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        c
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn today() -> String {
    let out = Command::new("date").arg("+%F").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Runs one block to completion (15 minutes at most); returns its exit status and output.
fn run(sb: &Sandbox, script: &str) -> (bool, String) {
    let dir = sb.root.join("tmp");
    let (out_path, err_path) = (dir.join("block.out"), dir.join("block.err"));
    let mut child = sb
        .command(script)
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(900);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = std::fs::read_to_string(&out_path).unwrap_or_default();
    let err = std::fs::read_to_string(&err_path).unwrap_or_default();
    let ok = status.is_some_and(|s| s.success());
    (
        ok,
        format!("status {status:?}\n--- stdout\n{out}\n--- stderr\n{err}"),
    )
}

/// Starts a `serve` block, waits until its port answers HTTP, then stops it.
fn serve(sb: &Sandbox, script: &str, port: u16) -> (bool, String) {
    use std::os::unix::process::CommandExt as _;
    let mut child = sb
        .command(script)
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut answered = None;
    while Instant::now() < deadline && answered.is_none() {
        if let Some(s) = child.try_wait().unwrap() {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            return (false, format!("serve exited with {s}: {err}"));
        }
        answered = http_status(port);
        std::thread::sleep(Duration::from_millis(200));
    }
    let pgid = child.id();
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg("--")
        .arg(format!("-{pgid}"))
        .status();
    let _ = child.wait();
    match answered {
        Some(line) => (true, line),
        None => (false, format!("nothing answered on port {port} in 60 s")),
    }
}

/// The status line of `GET /` on the port, if it answers.
fn http_status(port: u16) -> Option<String> {
    use std::io::Write as _;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    text.starts_with("HTTP/1.1 ")
        .then(|| text.lines().next().unwrap_or("").to_owned())
}

#[test]
fn every_unmarked_command_in_deploy_and_operate_runs_as_written() {
    let today = today();
    let main = Sandbox::new();
    let mut ran = 0;
    let mut failures = Vec::new();
    for b in blocks("docs/deploy.md")
        .into_iter()
        .chain(blocks("docs/operate.md"))
    {
        let port = free_port();
        let fresh;
        let sb = match &b.mark {
            Mark::NotRun(_) => continue,
            Mark::Isolated => {
                fresh = Sandbox::new();
                &fresh
            }
            Mark::National => {
                fresh = Sandbox::new();
                let (ok, log) = run(&fresh, &fresh.script(NATIONAL, port, &today));
                assert!(ok, "making national's hub: {log}");
                &fresh
            }
            Mark::Run => &main,
        };
        sb.fetch_backups();
        let script = sb.script(&b.text, port, &today);
        let (ok, log) = if b.text.contains(" serve") {
            serve(sb, &script, port)
        } else {
            run(sb, &script)
        };
        eprintln!(
            "{}:{}: {}",
            b.file,
            b.line,
            if ok { "ran" } else { "FAILED" }
        );
        ran += 1;
        if !ok {
            failures.push(format!("{}:{}:\n{}\n{log}", b.file, b.line, b.text));
        }
    }
    assert!(ran >= 10, "only {ran} blocks ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} doc blocks failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
