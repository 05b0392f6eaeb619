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
        Driver::start_in("en-US")
    }

    /// chromedriver whose Chromiums run in the locale `lang` (on Linux, Chromium takes its own
    /// locale, that of its date controls, from `LANGUAGE`; `--lang` alone is not enough).
    pub fn start_in(lang: &str) -> Driver {
        let exe = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(exe)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .env("LANGUAGE", lang.replace('-', "_"))
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
    browser_in(driver, profile, downloads, "en-US").await
}

/// A headless Chromium session whose own language (`--lang`: its date controls, its
/// `Accept-Language`) is `lang`, e.g. `es-US`.
pub async fn browser_in(
    driver: &Driver,
    profile: &Path,
    downloads: Option<&Path>,
    lang: &str,
) -> Client {
    let chromium = tool("CHROMIUM", "/usr/bin/chromium");
    let mut options = serde_json::json!({
        "binary": chromium,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage", format!("--lang={lang}"), "--hide-scrollbars",
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    // `--lang` sets Chromium's own locale (its date controls); the preference sets the
    // languages it asks pages for (`navigator.language`, `Accept-Language`).
    options["prefs"] = serde_json::json!({ "intl.accept_languages": lang });
    if let Some(dir) = downloads {
        options["prefs"]["download.default_directory"] = serde_json::json!(dir);
        options["prefs"]["download.prompt_for_download"] = serde_json::json!(false);
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

/// The page's visible text, leaving out what is an identifier on purpose (hashes, fingerprints
/// and codes are `.mono`, `code`, `pre`, `kbd` or `samp`) and form controls' own text.
const VISIBLE_WORDS: &str = r#"
const body = document.body.cloneNode(true);
for (const e of body.querySelectorAll('.mono, code, pre, kbd, samp, script, style, select, textarea, .visually-hidden')) e.remove();
document.documentElement.appendChild(body);
body.style.position = 'absolute';
const text = body.innerText;
body.remove();
return text;
"#;

/// Every number, percentage and date the page shows was written by the language's formatter
/// (`shopfloor_server::locale`): no Spain-style `24 %` or `1.009`, no ungrouped `2507`, no date as
/// stored (`2025-03-04`); and no message id (`ui-…`, `hub-…`, `err-…`, `rec-…`) or unresolved
/// Fluent placeable is on screen.
pub async fn assert_formatted(c: &Client, what: &str) {
    let text = c.execute(VISIBLE_WORDS, vec![]).await.unwrap();
    let text = text.as_str().unwrap_or_default();
    let found = shopfloor_server::locale::not_formatted_on_page(text);
    assert!(found.is_empty(), "{what}: {}", found.join("; "));
    for word in text.split(|ch: char| ch.is_whitespace() || "()[]«»“”\"',.:;".contains(ch)) {
        let id_like = ["ui-", "hub-", "err-", "rec-"]
            .iter()
            .any(|p| word.starts_with(p) && word.len() > p.len())
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        assert!(!id_like, "{what}: a message id on screen: {word:?}");
    }
    assert!(
        !text.contains("{$") && !text.contains("{ $"),
        "{what}: an unresolved placeable"
    );
}

/// No text runs out of its card (`.card`, the dashboard's `ul.stats li`) or, inside a chart, out
/// of the chart; text in a box that scrolls sideways on purpose (`overflow-x: auto`) is left to
/// that box. Compares each text run's boxes with its card's.
pub async fn assert_text_in_cards(c: &Client, what: &str) {
    const SPILL: &str = r#"
const out = [];
for (const card of document.querySelectorAll('.card, ul.stats li')) {
  const cr = card.getBoundingClientRect();
  if (cr.width === 0) continue;
  const walk = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walk.nextNode())) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !el.checkVisibility() || el.closest('.visually-hidden')) continue;
    let box = cr, a = el, scrolls = false;
    while (a && a !== card) {
      if (a.tagName.toLowerCase() === 'svg') { box = a.getBoundingClientRect(); break; }
      const s = getComputedStyle(a);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll') { scrolls = true; break; }
      a = a.parentElement;
    }
    if (scrolls) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) {
        out.push(JSON.stringify(n.textContent.trim().slice(0, 50)) + ' to ' + Math.round(r.right)
          + ' px, its box ends at ' + Math.round(box.right));
        break;
      }
    }
  }
}
return out.slice(0, 8).join('; ');
"#;
    let v = c.execute(SPILL, vec![]).await.unwrap();
    let spill = v.as_str().unwrap_or_default();
    assert!(spill.is_empty(), "{what}: text out of its card: {spill}");
}

/// No data id the test knows (`ids`: chapter and hub ids, training codes, logins that are not
/// display names) appears as a word of the page's visible text, at any width, in either language.
/// Attributes and addresses may hold ids; what people read names things.
pub async fn assert_no_data_ids(c: &Client, ids: &[String], what: &str) {
    let text = c
        .execute("return document.body.innerText;", vec![])
        .await
        .unwrap();
    let text = text.as_str().unwrap_or_default();
    let words = text.split(|ch: char| !(ch.is_alphanumeric() || "-_.".contains(ch)));
    let mut found: Vec<&str> = words
        .map(|w| w.trim_matches('.'))
        .filter(|w| ids.iter().any(|id| id == w))
        .collect();
    found.sort_unstable();
    found.dedup();
    assert!(found.is_empty(), "{what}: data ids on screen: {found:?}");
}
