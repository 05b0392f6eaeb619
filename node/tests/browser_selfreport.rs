//! Members map their own workplaces (issue 18) in a real headless Chromium: an organizer makes
//! self-report links for a pod and downloads the CSV; a member opens their link on a 360 px
//! phone, in Spanish (their stored language), answers in two steps (county and industry picked
//! from lists, no JavaScript); the organizer accepts the answer; the member's workplace appears
//! with its sector and county; the dashboard's mapped share moves; the next report's counts
//! include the member; and the used link gets the "cannot be used" page.
//!
//! Needs Debian's `chromium` and `chromium-driver`, like `browser.rs`; both drive it with the
//! helpers in `tests/webdriver/`. Screenshots go to `target/screenshots/`.

// Test code: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod loopback;
mod webdriver;
use loopback::{ADMIN_PASSWORD, Node, start_node};
use webdriver::{
    Driver, assert_formatted, assert_text_in_cards, browser, click, js_bool, screenshots_dir,
    wait_for,
};

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use shopfloor_node::domain::members::{self, ListFields};
use shopfloor_node::domain::pods;
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::{CellKey, CellValue, Period};

async fn login(c: &Client, base: &str, user: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    click(c, "main form button[type=submit]").await;
    wait_for(c, "ul class=\"stats\"").await;
}

async fn type_in(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn choose(c: &Client, id: &str, value: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

/// The dashboard's mapped share, as shown.
async fn mapped_share(c: &Client, base: &str) -> String {
    c.goto(&format!("{base}/")).await.unwrap();
    let html = wait_for(c, "ul class=\"stats\"").await;
    let at = html
        .find("Current members with a workplace recorded</dt><dd>")
        .expect("the dashboard shows the mapped share");
    let rest = &html[at..];
    let start = rest.find("<dd>").unwrap() + 4;
    let end = rest.find("</dd>").unwrap();
    rest[start..end].to_owned()
}

/// The members metric's raw count in one cell of this period (what the next report counts
/// before suppression).
fn members_cell(node: &Node, dim: Dim, value: &str) -> u64 {
    let period = Period::containing(jiff::Timestamp::now()).unwrap();
    let cells = node
        .store
        .read(|c| shopfloor_node::report::raw_cells(c, period))
        .unwrap();
    let key = CellKey {
        metric: "members".into(),
        dims: BTreeMap::from([(dim, value.to_owned())]),
    };
    cells
        .iter()
        .find(|c| c.key == key)
        .map_or(0, |c| match c.value {
            CellValue::Count(n) => n,
            CellValue::Suppressed => 0,
        })
}

fn member(first: &str, last: &str, email: &str, lang: Option<&str>) -> ListFields {
    ListFields {
        first_name: first.into(),
        last_name: last.into(),
        email: Some(email.into()),
        membership_status: "Member in Good Standing".into(),
        state: "NC".into(),
        preferred_language: lang.map(str::to_owned),
        ..ListFields::default()
    }
}

/// Waits (up to 10 s) for a file to appear in `dir`; returns its text.
async fn downloaded(dir: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(entry) = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "csv"))
        {
            return std::fs::read_to_string(entry.path()).unwrap();
        }
        assert!(Instant::now() < deadline, "the CSV was never downloaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_maps_their_workplace_from_a_phone_in_spanish() {
    let driver = Driver::start();
    let node = start_node().await;
    let (rosa, pod) = node
        .store
        .write(|tx| {
            let rosa = members::create(
                tx,
                &member("Rosa", "Quintero", "rosa@example.org", Some("es")),
            )?;
            let ana = members::create(tx, &member("Ana", "Lee", "ana@example.org", None))?;
            members::create(tx, &member("Bo", "Diaz", "bo@example.org", None))?;
            let pod = pods::create(tx, "Health care", Some("62"))?;
            pods::add_member(tx, pod, rosa, false)?;
            pods::add_member(tx, pod, ana, false)?;
            Ok((rosa, pod))
        })
        .unwrap();
    let base = node.base.clone();
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let org = browser(&driver, profile.path(), Some(downloads.path())).await;
    let member_profile = tempfile::tempdir().unwrap();
    let phone = browser(&driver, member_profile.path(), Some(downloads.path())).await;
    let result = run(&org, &phone, &node, &base, downloads.path(), rosa, pod).await;
    let _ = org.close().await;
    let _ = phone.close().await;
    result
}

async fn run(
    org: &Client,
    phone: &Client,
    node: &Node,
    base: &str,
    downloads: &Path,
    rosa: i64,
    pod: i64,
) {
    org.set_window_size(1280, 900).await.unwrap();
    login(org, base, "admin", ADMIN_PASSWORD).await;
    assert_eq!(mapped_share(org, base).await, "0% (0 of 3)");
    assert_eq!(members_cell(node, Dim::County, "37063"), 0);

    // The organizer makes links for the pod from the dashboard's link.
    click(org, "a[href=\"/self-report\"]").await;
    wait_for(org, "Make links and download the CSV").await;
    click(org, "input[name=selection][value=pod]").await;
    choose(org, "pod", &pod.to_string()).await;
    click(
        org,
        "form[action=\"/self-report/links\"] button[type=submit]",
    )
    .await;
    let csv = downloaded(downloads).await;
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("member_id,email,first_name,link"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    let row = rows
        .iter()
        .find(|r| r.starts_with(&format!("{rosa},")))
        .expect("Rosa's link");
    assert!(row.contains(",rosa@example.org,Rosa,"), "{row}");
    let link = row.rsplit(',').next().unwrap().to_owned();
    assert!(link.starts_with(&format!("{base}/r/")), "{link}");

    // Rosa opens it on her phone: Spanish (her stored language), her first name only.
    phone.set_window_size(360, 780).await.unwrap();
    phone.goto(&link).await.unwrap();
    let html = wait_for(phone, "Hola, Rosa.").await;
    assert!(html.contains("<html lang=\"es\">"));
    assert!(!html.contains("Quintero") && !html.contains("rosa@example.org"));
    assert!(html.contains("Solo los organizadores de este capítulo ven sus respuestas"));
    assert!(
        js_bool(
            phone,
            "return document.documentElement.scrollWidth <= window.innerWidth;"
        )
        .await,
        "the form is wider than a 360 px phone"
    );
    let shots = screenshots_dir();
    std::fs::write(
        shots.join("self-report-es-phone.png"),
        phone.screenshot().await.unwrap(),
    )
    .unwrap();
    assert_formatted(phone, "self-report-es-phone.png").await;
    assert_text_in_cards(phone, "self-report-es-phone.png").await;
    type_in(phone, "employer", "Duke Regional Hospital").await;
    type_in(phone, "city", "Durham").await;
    choose(phone, "state", "NC").await;
    type_in(phone, "industry", "enfermera").await;
    type_in(phone, "job_title", "Enfermera").await;
    click(phone, "input[name=union_status][value=organizing]").await;
    click(phone, "input[name=interest][value=ready]").await;
    click(phone, "input[name=languages][value=es]").await;
    click(phone, "input[name=consent]").await;
    click(phone, "main form button[type=submit]").await;
    // Step two (only it says "Revise"): the state's counties, the industries the word found.
    let html = wait_for(phone, "Revise sus respuestas").await;
    assert!(
        html.contains("Atención médica y asistencia social"),
        "{html}"
    );
    assert!(
        js_bool(
            phone,
            "return document.querySelector('input[name=sector][value=\"62\"]').checked \
             && document.documentElement.scrollWidth <= window.innerWidth;"
        )
        .await,
        "the word found health care, and the page fits the phone"
    );
    choose(phone, "county_fips", "37063").await;
    std::fs::write(
        shots.join("self-report-step2-es-phone.png"),
        phone.screenshot().await.unwrap(),
    )
    .unwrap();
    assert_formatted(phone, "self-report-step2-es-phone.png").await;
    assert_text_in_cards(phone, "self-report-step2-es-phone.png").await;
    click(phone, "main form button[type=submit]").await;
    wait_for(phone, "Recibimos sus respuestas").await;

    // Nothing is recorded before review.
    assert_eq!(mapped_share(org, base).await, "0% (0 of 3)");

    // The organizer accepts it into a new workplace.
    org.goto(&format!("{base}/self-report/review"))
        .await
        .unwrap();
    wait_for(org, "Duke Regional Hospital").await;
    click(org, "button[name=decision][value=accept]").await;
    wait_for(org, "No answers wait for review.").await;

    // The member's page shows the workplace; the workplace its sector and county.
    org.goto(&format!("{base}/members/{rosa}")).await.unwrap();
    wait_for(org, "Duke Regional Hospital").await;
    click(org, "#main a[href^=\"/workplaces/\"]").await;
    let html = wait_for(org, "Health care and social assistance").await;
    assert!(html.contains("37063"), "the county is recorded: {html}");

    // The dashboard's share moved, and the next report counts Rosa in the county and sector.
    assert_eq!(mapped_share(org, base).await, "33% (1 of 3)");
    assert_eq!(members_cell(node, Dim::County, "37063"), 1);
    assert_eq!(members_cell(node, Dim::Sector, "62"), 1);

    // The used link: one clear page, nothing about Rosa, not even her language (the page
    // follows the browser, English here).
    phone.goto(&link).await.unwrap();
    let html = wait_for(phone, "This link cannot be used").await;
    assert!(!html.contains("Rosa"));
}
