//! Shared helpers: running the real binary, serving on loopback, and a stand-in chapter node.

#![allow(dead_code)]

pub mod browser;
pub mod ceremony;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use shopfloor_hub::Hub;
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::report::{ChapterFacts, REPORT_SCHEMA};
use shopfloor_protocol::{
    Card, Cell, CellKey, Digest, DisclosurePolicy, Envelope, Kind, PartyId, Period, Report,
    SealFormat, SecretKeys, seal,
};

pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_shopfloor-hub")
}

/// Runs the binary with `--data dir` and the given arguments.
pub fn hub_cmd(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--data")
        .arg(dir)
        .args(args)
        .env("SHOPFLOOR_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("SHOPFLOOR_USER_PASSWORD", "viewer password 123")
        .output()
        .expect("run shopfloor-hub")
}

/// Runs and asserts success; returns stdout.
pub fn hub_ok(dir: &Path, args: &[&str]) -> String {
    let out = hub_cmd(dir, args);
    assert!(
        out.status.success(),
        "shopfloor-hub {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn hub_json(dir: &Path, args: &[&str]) -> Value {
    let text = hub_ok(dir, args);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{args:?} printed non-JSON ({e}): {text}"))
}

/// A hub's data directory.
pub struct HubDir {
    pub dir: PathBuf,
    pub card: Card,
}

impl HubDir {
    pub fn init(root: &Path, name: &str, level: &str) -> HubDir {
        let dir = root.join(name);
        hub_ok(&dir, &["init", "--level", level, "--name", name]);
        // Fast background checks for tests.
        let toml_path = dir.join("hub.toml");
        let text = std::fs::read_to_string(&toml_path).unwrap();
        let text = text.replace("check_interval_secs = 60", "check_interval_secs = 1");
        std::fs::write(&toml_path, text).unwrap();
        let card = Card::from_json(&std::fs::read(dir.join("card.json")).unwrap()).unwrap();
        HubDir { dir, card }
    }
}

/// A running `shopfloor-hub serve` on an ephemeral loopback port, killed on drop.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    pub fn start(hub: &HubDir, log: &Path) -> Server {
        let log = std::fs::File::create(log).unwrap();
        let mut child = Command::new(bin())
            .arg("--data")
            .arg(&hub.dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "info,shopfloor_hub=debug")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server { child, url }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::Client {
    shopfloor_hub::forward::client().unwrap()
}

pub async fn login(server: &Server, name: &str, password: &str) -> String {
    let resp = client()
        .post(server.api("/api/v1/login"))
        .json(&serde_json::json!({"name": name, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "login {name}");
    let v: Value = resp.json().await.unwrap();
    v["token"].as_str().unwrap().to_owned()
}

/// Polls `f` until it returns Some, or panics after `secs`.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A stand-in for a chapter node: keys, card, and the chain of its accepted reports.
pub struct Chapter {
    pub keys: SecretKeys,
    pub card: Card,
    /// A note that lives only on the node (member-level detail): must never reach a hub.
    pub node_note: String,
}

impl Chapter {
    pub fn new(id: &str, name: &str, state: &str, canary: &str) -> Chapter {
        let keys = SecretKeys::generate().unwrap();
        let card = keys
            .card(PartyId::new(id).unwrap(), Kind::Chapter, name, Some(state))
            .unwrap();
        Chapter {
            keys,
            card,
            node_note: format!("member {canary} works at the warehouse on 5th street"),
        }
    }

    /// A report that passes `Report::validate`: members total and by sector (counts ≥ 5), reserve
    /// organizers by language and skill.
    pub fn report(
        &self,
        recipient: &PartyId,
        period: Period,
        revision: u32,
        previous: Option<Digest>,
        members: u64,
    ) -> Envelope {
        self.report_with(
            recipient,
            period,
            revision,
            previous,
            standard_cells(members),
        )
    }

    /// A signed report of these cells (they must pass the hub's disclosure check).
    pub fn report_with(
        &self,
        recipient: &PartyId,
        period: Period,
        revision: u32,
        previous: Option<Digest>,
        cells: Vec<Cell>,
    ) -> Envelope {
        let report = Report {
            schema: REPORT_SCHEMA.into(),
            chapter: self.card.id.clone(),
            recipient: recipient.clone(),
            period,
            revision,
            previous,
            generated_at: jiff::Timestamp::now(),
            policy: DisclosurePolicy { k: 5 },
            cells,
            facts: ChapterFacts::default(),
            campaigns: vec![],
            as_of: None,
            correction: false,
            encrypted: Vec::new(),
            joint_key: None,
        };
        report.validate().unwrap();
        Envelope::sign(&report, &self.keys)
    }

    /// Enrolls this chapter at `hub` through the library (invite, submit, approve), as a hub
    /// admin would with the command line. Returns the enrollment request id.
    pub fn enroll_directly(&self, hub: &shopfloor_hub::Hub) -> String {
        let inv =
            shopfloor_hub::enroll::invite(hub, &self.card.name, Kind::Chapter, "test").unwrap();
        let sub = shopfloor_hub::enroll::submit(
            hub,
            &shopfloor_hub::enroll::EnrollBody {
                card: self.card.clone(),
                code: inv.code,
            },
        )
        .unwrap();
        shopfloor_hub::enroll::approve(hub, &sub.id, "test").unwrap();
        sub.id
    }

    pub fn seal_to(&self, envelope: &Envelope, hub: &Card) -> Vec<u8> {
        seal(
            envelope,
            std::slice::from_ref(&hub.age_recipient),
            SealFormat::Binary,
        )
        .unwrap()
    }
}

/// The period to report: last month (it has started, and is the usual one to report).
pub fn last_month() -> Period {
    Period::containing(jiff::Timestamp::now())
        .unwrap()
        .previous()
        .unwrap()
}

/// Every file under a directory, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The cells [`Chapter::report`] sends: `members` (at least 10) in sector 62 but 5 unknown, and
/// 5 in each reserve metric.
pub fn standard_cells(members: u64) -> Vec<Cell> {
    assert!(members >= 10);
    vec![
        Cell::count(CellKey::total("members"), members),
        Cell::count(CellKey::new("members", &[(Dim::Sector, "62")]), members - 5),
        Cell::count(CellKey::new("members", &[(Dim::Sector, "unknown")]), 5),
        Cell::count(CellKey::total("reserve-languages"), 5),
        Cell::count(
            CellKey::new("reserve-languages", &[(Dim::Language, "es")]),
            5,
        ),
        Cell::count(CellKey::total("reserve-skills"), 5),
        Cell::count(
            CellKey::new("reserve-skills", &[(Dim::Skill, "one-on-ones")]),
            5,
        ),
    ]
}

// The web interface on loopback: a served hub, and what form posts need.

/// A hub served in-process on a loopback port until [`Served::stop`].
pub struct Served {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Served {
    pub async fn start(hub: &Hub) -> Served {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let hub = hub.clone();
        let task = tokio::spawn(async move {
            shopfloor_hub::web::serve(hub, listener, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Served {
            url,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

/// Percent-encodes a form value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The CSRF token of the first form of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}
