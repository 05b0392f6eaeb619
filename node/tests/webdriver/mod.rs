//! A real headless Chromium for the browser tests: Debian's `chromedriver` on a free loopback
//! port, a Chromium session with its own profile, and the few steps every walk takes (read the
//! page, wait for what the next page shows, click, ask the page a question). Shared by the node's
//! browser tests (`mod webdriver;`) and the testbed's hub walk (by path, since the node cannot
//! depend on the testbed).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`./test` installs them); `CHROMIUM` and
//! `CHROMEDRIVER` point elsewhere. Screenshots go to `target/screenshots/`.

#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// A tool's path from `var`, else `default`; fails saying how to install it.
pub fn tool(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "{} not found: install Debian's chromium and chromium-driver \
         (apt-get install -y chromium chromium-driver, or run ./test) or set {var}",
        path.display()
    );
    path
}

/// chromedriver on a free loopback port, killed when dropped.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    pub fn start() -> Driver {
        let exe = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(exe)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session with its own `profile` directory; downloads go to `downloads`
/// when given.
pub async fn browser(driver: &Driver, profile: &Path, downloads: Option<&Path>) -> Client {
    let chromium = tool("CHROMIUM", "/usr/bin/chromium");
    let mut options = serde_json::json!({
        "binary": chromium,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage", "--lang=en-US", "--hide-scrollbars",
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    if let Some(dir) = downloads {
        options["prefs"] = serde_json::json!({
            "download.default_directory": dir,
            "download.prompt_for_download": false,
        });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session")
}

/// `target/screenshots/`, created.
pub fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    );
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The page's HTML as the browser has it now.
pub async fn source(c: &Client) -> String {
    c.source().await.unwrap()
}

/// Waits (up to 10 s) for the page to contain `text`, e.g. after a form submission; returns the
/// page, or fails showing what the browser has instead. Wait for something only the next page
/// shows: a confirmation page that repeats the form's values would match too early.
pub async fn wait_for(c: &Client, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let html = source(c).await;
        if html.contains(text) {
            return html;
        }
        if Instant::now() > deadline {
            panic!("page never showed {text:?}; it shows:\n{html}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks the element `css` finds (a button submits its form).
pub async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Runs `script` in the page; it must return a boolean.
pub async fn js_bool(c: &Client, script: &str) -> bool {
    c.execute(script, Vec::new())
        .await
        .unwrap()
        .as_bool()
        .unwrap_or_else(|| panic!("{script} did not return a boolean"))
}
