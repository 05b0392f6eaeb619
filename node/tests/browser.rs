//! The web interface in a real headless Chromium, driven through chromedriver (WebDriver) by
//! fantoccini: log in, import a list, add a member with a workplace, move the workplace up the
//! ladder, see the dashboard change, switch to Spanish, preview the report, and check that a pod
//! lead cannot open another pod's member by URL. Screenshots of the main pages in both languages
//! at phone (360×780) and desktop (1280×900) sizes go to `target/screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the
//! test **fails**: it is part of CI, not optional. `CHROMEDRIVER` / `CHROMIUM` override the paths.

// Test code: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod loopback;
mod webdriver;
use loopback::{ADMIN_PASSWORD, Node, start_node};
use webdriver::{
    Driver, assert_formatted, assert_no_data_ids, assert_text_in_cards, browser, browser_in, click,
    js_bool, screenshots_dir, source, wait_for,
};

use std::path::Path;

use fantoccini::{Client, Locator};
use shopfloor_node::domain::{members, pods, users};

const LEAD_PASSWORD: &str = "pod lead passphrase here";

/// Screenshots of the page at `path` at phone and desktop widths.
async fn shoot(c: &Client, base: &str, path: &str, name: &str, lang: &str) {
    let dir = screenshots_dir();
    for (w, h, size) in [(360, 780, "phone"), (1280, 900, "desktop")] {
        c.set_window_size(w, h).await.unwrap();
        c.goto(&format!("{base}{path}")).await.unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}-{lang}-{size}.png")), png).unwrap();
        let what = format!("{path} ({lang}, {size})");
        assert_formatted(c, &what).await;
        assert_text_in_cards(c, &what).await;
        // The chapter's id and the pod lead's login: people read the chapter's name.
        let ids = ["triangle-dsa".to_owned(), "lena".to_owned()];
        assert_no_data_ids(c, &ids, &what).await;
    }
}

/// A raw message id (`ui-…`, `err-…`, `rec-…`) in the visible text.
async fn assert_no_raw_ids(c: &Client, what: &str) {
    let text = c
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for word in text.split(|ch: char| ch.is_whitespace() || ch == '(' || ch == ')') {
        assert!(
            !(word.starts_with("ui-") || word.starts_with("err-") || word.starts_with("rec-")),
            "{what}: raw message id {word:?}"
        );
    }
}

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
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(c, "ul class=\"stats\"").await;
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/", "{user} logged in");
}

/// The number shown next to a label on the dashboard.
async fn stat(c: &Client, label: &str) -> String {
    let items = c.find_all(Locator::Css("ul.stats li")).await.unwrap();
    for li in items {
        let t = li.text().await.unwrap();
        if t.contains(label) {
            return t.split_whitespace().next().unwrap_or("").to_owned();
        }
    }
    panic!("no dashboard number {label:?}");
}

/// At 360 px the page at `path` is no wider than the window (tables included: the members' rows
/// are cards), the menu is folded and opens, and the members' filters are folded unless a filter
/// is in use; at 1280 px the menu is a plain bar.
async fn fits_a_phone(c: &Client, base: &str, path: &str) {
    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&format!("{base}{path}")).await.unwrap();
    assert!(
        js_bool(
            c,
            "return !document.querySelector('nav.main details').open \
             && document.querySelector('nav.main a').checkVisibility() \
             && !document.querySelector('nav.main summary').checkVisibility();"
        )
        .await,
        "{path}: at 1280 px the menu is a bar"
    );
    c.set_window_size(360, 780).await.unwrap();
    c.goto(&format!("{base}{path}")).await.unwrap();
    assert!(
        js_bool(
            c,
            "return document.documentElement.scrollWidth <= window.innerWidth \
             && [...document.querySelectorAll('.table-wrap:has(table.cards)')] \
                .every(e => e.scrollWidth <= e.clientWidth);"
        )
        .await,
        "{path}: wider than a 360 px phone"
    );
    if path == "/members" {
        assert!(
            js_bool(
                c,
                "return !document.querySelector('details.filters-box').open \
                 && document.querySelector('table.cards tbody tr').getBoundingClientRect().top \
                    < window.innerHeight;"
            )
            .await,
            "members: the filters start folded and the first row is on the first screen"
        );
        c.goto(&format!("{base}/members?q=Rosa")).await.unwrap();
        assert!(
            js_bool(
                c,
                "return document.querySelector('details.filters-box').open;"
            )
            .await,
            "members: a search in use keeps the filters open"
        );
        c.goto(&format!("{base}{path}")).await.unwrap();
    }
    assert!(
        js_bool(
            c,
            "return !document.querySelector('nav.main a').checkVisibility();"
        )
        .await,
        "{path}: the menu starts folded on a phone"
    );
    click(c, "nav.main summary").await;
    assert!(
        js_bool(
            c,
            "return document.querySelector('nav.main details').open \
             && [...document.querySelectorAll('nav.main a')].every(a => a.checkVisibility()) \
             && document.documentElement.scrollWidth <= window.innerWidth;"
        )
        .await,
        "{path}: the menu opens, every item shown, within the screen"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chapters_monthly_work_in_a_real_browser() {
    let driver = Driver::start();
    let node = start_node().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path(), None).await;
    let base = node.base.clone();
    let missing = shopfloor_node::web::ui::i18n::missing_lookups();
    let result = run(&c, &node, &base).await;
    let _ = c.close().await;
    assert_eq!(
        shopfloor_node::web::ui::i18n::missing_lookups(),
        missing,
        "a page looked up a message the catalogue lacks"
    );
    result
}

async fn run(c: &Client, node: &Node, base: &str) {
    c.set_window_size(1280, 900).await.unwrap();
    shoot(c, base, "/login", "login", "en").await;

    // Log in.
    login(c, base, "admin", ADMIN_PASSWORD).await;
    let majority_before = stat(c, "Workplaces with majority support").await;
    assert_eq!(majority_before, "0");

    // Import the national list: upload, dry run, confirm.
    c.goto(&format!("{base}/import")).await.unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/national_current.csv");
    c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    click(c, "form[action='/import'] button[type=submit]").await;
    wait_for(c, "What this import would do").await;
    let screenshot_dry = c.screenshot().await.unwrap();
    std::fs::write(
        screenshots_dir().join("import-dry-run-en-desktop.png"),
        screenshot_dry,
    )
    .unwrap();
    click(c, "form[action='/import/confirm'] button[type=submit]").await;
    wait_for(c, "The list has been imported.").await;
    let imported: i64 = node
        .store
        .read(|conn| Ok(conn.query_row("SELECT count(*) FROM members", [], |r| r.get(0))?))
        .unwrap();
    assert!(imported > 0);

    // A spreadsheet with a column the import does not know: the page offers a mapping (each
    // column to a member field or "ignore"), the kind of list stays chosen, the page fits a
    // phone, and the mapped list reaches the dry run.
    let sheet_dir = tempfile::tempdir().unwrap();
    let sheet = sheet_dir.path().join("sheet.csv");
    std::fs::write(
        &sheet,
        "email,first_name,last_name,Town,Shirt size\nzoe@example.org,Zoe,Quinn,Durham,M\n",
    )
    .unwrap();
    c.goto(&format!("{base}/import")).await.unwrap();
    c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&sheet.display().to_string())
        .await
        .unwrap();
    c.find(Locator::Id("format"))
        .await
        .unwrap()
        .select_by_value("generic")
        .await
        .unwrap();
    click(c, "form[action='/import'] button[type=submit]").await;
    let html = wait_for(c, "Map the columns we do not recognize").await;
    assert!(html.contains("Shirt size"));
    assert!(
        js_bool(
            c,
            "return document.querySelector('#format').value === 'generic';"
        )
        .await,
        "the kind of list stays chosen"
    );
    assert_no_raw_ids(c, "/import (mapping)").await;
    let dir = screenshots_dir();
    for (w, h, size) in [(360, 780, "phone"), (1280, 900, "desktop")] {
        c.set_window_size(w, h).await.unwrap();
        assert!(
            js_bool(
                c,
                "return document.documentElement.scrollWidth <= window.innerWidth;"
            )
            .await,
            "the mapping form fits {w} px"
        );
        let png = c.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("import-map-en-{size}.png")), png).unwrap();
    }
    c.find(Locator::Id("map-1"))
        .await
        .unwrap()
        .select_by_value("city")
        .await
        .unwrap();
    c.find(Locator::Id("map-2"))
        .await
        .unwrap()
        .select_by_value("ignore")
        .await
        .unwrap();
    click(c, "form[action='/import/map'] button[type=submit]").await;
    wait_for(c, "What this import would do").await;
    c.find(Locator::Css(
        "form[action='/import/confirm'] a.button.secondary",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();

    // Add a member with a new workplace.
    c.goto(&format!("{base}/members/new")).await.unwrap();
    for (id, v) in [
        ("name", "Rosa"),
        ("last_name", "Parra"),
        ("employer", "Harbor Logistics"),
        ("site", "Warehouse 4"),
        ("job_title", "Picker"),
    ] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(v)
            .await
            .unwrap();
    }
    c.find(Locator::Id("sector"))
        .await
        .unwrap()
        .select_by_value("48-49")
        .await
        .unwrap();
    click(c, "form[action='/members/new'] button[type=submit]").await;
    let html = wait_for(c, "Rosa Parra").await;
    assert!(html.contains("Harbor Logistics"));
    let member_path = c.current_url().await.unwrap().path().to_owned();

    // Move the workplace up the ladder to a committee with majority support.
    c.find(Locator::LinkText("Harbor Logistics · Warehouse 4"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let workplace_path = c.current_url().await.unwrap().path().to_owned();
    c.find(Locator::Id("stage"))
        .await
        .unwrap()
        .select_by_value("3")
        .await
        .unwrap();
    c.find(Locator::Id("note"))
        .await
        .unwrap()
        .send_keys("Committee signed up 23 of 40")
        .await
        .unwrap();
    click(c, "form[action$='/stage'] button[type=submit]").await;
    // A jump of three stages is confirmed first, on a page naming the workplace.
    let html = wait_for(c, "Confirm the move on the ladder").await;
    assert!(html.contains("Harbor Logistics · Warehouse 4"));
    assert!(
        html.contains("workforce: Not known; supporters: 0"),
        "the jump page says the numbers show no majority"
    );
    click(c, "form[action$='/stage'] button[type=submit]").await;
    // The confirmation page repeats the note, so wait for what only the workplace page shows
    // after the move: the warning that the numbers do not show a majority.
    wait_for(c, "so it does not count as having majority support").await;
    let current = c
        .find(Locator::Css("ol.ladder li.current"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        current.contains("3 · Committee with majority support"),
        "{current}"
    );
    assert!(source(c).await.contains("Committee signed up 23 of 40"));

    // The stage alone does not count as majority support; the numbers do.
    c.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(stat(c, "Workplaces with majority support").await, "0");
    c.goto(&format!("{base}{workplace_path}/edit"))
        .await
        .unwrap();
    for (id, v) in [("workforce_size", "40"), ("supporters", "23")] {
        let input = c.find(Locator::Id(id)).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(v).await.unwrap();
    }
    click(c, "main form button[type=submit]").await;
    wait_for(c, "Supporters: 57% of the workforce").await;

    // The dashboard follows.
    c.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(stat(c, "Workplaces with majority support").await, "1");
    assert!(source(c).await.contains("1 reached"));

    // English screenshots of the main pages.
    for (path, name) in [
        ("/", "dashboard"),
        ("/members", "members"),
        (member_path.as_str(), "member"),
        (workplace_path.as_str(), "workplace"),
        ("/reports", "reports"),
        ("/import", "import"),
    ] {
        shoot(c, base, path, name, "en").await;
        assert_no_raw_ids(c, path).await;
    }
    for path in ["/", "/members", workplace_path.as_str()] {
        fits_a_phone(c, base, path).await;
    }
    c.set_window_size(1280, 900).await.unwrap();

    // The report preview: exactly what leaves, small cells withheld.
    c.goto(&format!("{base}/reports")).await.unwrap();
    let html = source(c).await;
    assert!(html.contains("Exactly what leaves the chapter"));
    assert!(html.contains("fewer than 5"));
    assert!(
        !html.contains("Rosa") && !html.contains("Harbor"),
        "no member data in the report"
    );

    // Switch to Spanish with the switcher and check the pages.
    c.goto(&format!("{base}/")).await.unwrap();
    click(c, "form.langs button[value='es']").await;
    let html = wait_for(c, "Centros con apoyo mayoritario").await;
    assert!(html.contains("<html lang=\"es\">"), "Spanish page");
    assert!(html.contains("Centros con apoyo mayoritario"));
    for (path, name, words) in [
        ("/", "dashboard", "Lo que requiere atención"),
        ("/members", "members", "Buscar y filtrar miembros"),
        (member_path.as_str(), "member", "Centro de trabajo"),
        (
            workplace_path.as_str(),
            "workplace",
            "Escalera de organización",
        ),
        ("/reports", "reports", "menos de 5"),
        ("/import", "import", "Importar la lista nacional"),
    ] {
        shoot(c, base, path, name, "es").await;
        let html = source(c).await;
        assert!(html.contains(words), "{path}: {words}");
        assert!(html.contains("<html lang=\"es\">"));
        assert_no_raw_ids(c, path).await;
    }
    for path in ["/", "/members", workplace_path.as_str()] {
        fits_a_phone(c, base, path).await;
    }
    c.set_window_size(1280, 900).await.unwrap();

    // A pod lead sees their pod's members and cannot open another pod's member by URL.
    let (own, other) = node
        .store
        .write(|tx| {
            let own = members::create(
                tx,
                &members::ListFields {
                    first_name: "Lena".into(),
                    last_name: "Lead".into(),
                    ..members::ListFields::default()
                },
            )?;
            let mate = members::create(
                tx,
                &members::ListFields {
                    first_name: "Mateo".into(),
                    last_name: "Mate".into(),
                    ..members::ListFields::default()
                },
            )?;
            let other = members::create(
                tx,
                &members::ListFields {
                    first_name: "Olga".into(),
                    last_name: "Otherpod".into(),
                    ..members::ListFields::default()
                },
            )?;
            let p1 = pods::create(tx, "Warehouse pod", Some("48-49"))?;
            let p2 = pods::create(tx, "Health pod", Some("62"))?;
            pods::add_member(tx, p1, own, true)?;
            pods::add_member(tx, p1, mate, false)?;
            pods::add_member(tx, p2, other, false)?;
            let hash = users::hash_password(LEAD_PASSWORD)?;
            let uid = users::add(tx, "lena", "pod_lead", &hash)?;
            tx.execute(
                "UPDATE users SET member_id = ?2 WHERE id = ?1",
                rusqlite::params![uid, own],
            )?;
            Ok((mate, other))
        })
        .unwrap();
    click(c, "header form[action='/logout'] button").await;
    wait_for(c, "id=\"username\"").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/login");
    login(c, base, "lena", LEAD_PASSWORD).await;
    c.goto(&format!("{base}/members/{own}")).await.unwrap();
    assert!(source(c).await.contains("Mateo Mate"));
    c.goto(&format!("{base}/members/{other}")).await.unwrap();
    let html = source(c).await;
    assert!(
        !html.contains("Otherpod"),
        "pod lead saw another pod's member"
    );
    assert!(
        html.contains("This page does not exist") || html.contains("Esta página no existe"),
        "a not-found page"
    );
    c.goto(&format!("{base}/members")).await.unwrap();
    let html = source(c).await;
    assert!(html.contains("Mateo") && !html.contains("Otherpod"));
    c.goto(&format!("{base}/settings")).await.unwrap();
    assert!(
        !source(c).await.contains("Users and roles"),
        "pod lead cannot open settings"
    );
}

/// Date fields in a Chromium whose own language is US English or US Spanish (`--lang`), on pages
/// in the same language: the date control takes the date in the browser's own
/// order (month first in en-US, day first in es-US) and sends it as year-month-day, and no
/// label next to a date control claims a format the control does not show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn date_fields_follow_the_browsers_language_and_claim_no_format() {
    let node = start_node().await;
    let id = node
        .store
        .write(|tx| {
            members::create(
                tx,
                &members::ListFields {
                    first_name: "Ana".into(),
                    last_name: "Ruiz".into(),
                    ..members::ListFields::default()
                },
            )
        })
        .unwrap();
    for (browser_lang, page_lang, typed) in
        [("en-US", "en", "03042025"), ("es-US", "es", "04032025")]
    {
        let driver = Driver::start_in(browser_lang);
        let profile = tempfile::tempdir().unwrap();
        let c = browser_in(&driver, profile.path(), None, browser_lang).await;
        c.set_window_size(1280, 900).await.unwrap();
        login(&c, &node.base, "admin", ADMIN_PASSWORD).await;
        // The user's stored language wins over the browser's: choose the page's language too,
        // unless the page is in it already. Clicking then would leave the form's redirect
        // pending while the member page loads, and the redirect could land last and replace it
        // (a run once found no date field on the member page).
        let lang_tag = format!("<html lang=\"{page_lang}\">");
        if !source(&c).await.contains(&lang_tag) {
            click(&c, &format!("form.langs button[value='{page_lang}']")).await;
            wait_for(&c, &lang_tag).await;
        }
        c.goto(&format!("{}/members/{id}", node.base))
            .await
            .unwrap();
        let html = source(&c).await;
        assert!(html.contains(&format!("<html lang=\"{page_lang}\">")));
        let nav = c
            .execute("return navigator.language;", vec![])
            .await
            .unwrap();
        assert_eq!(
            nav.as_str(),
            Some(browser_lang),
            "Chromium runs in {browser_lang}"
        );
        let labels = c
            .execute(
                "return [...document.querySelectorAll('input[type=date]')]\
                 .map(i => (i.labels[0] || {innerText: ''}).innerText + ' ' \
                 + (i.closest('.field') || i.parentElement).innerText).join(' | ');",
                vec![],
            )
            .await
            .unwrap();
        let labels = labels.as_str().unwrap().to_lowercase();
        assert!(!labels.trim().is_empty(), "the member page has date fields");
        for claim in [
            "yyyy",
            "aaaa",
            "mm/dd",
            "dd/mm",
            "año-mes",
            "year-month",
            "(año",
            "(year",
            "-mm-",
        ] {
            assert!(
                !labels.contains(claim),
                "{browser_lang}: a label claims {claim:?}: {labels}"
            );
        }
        // Chromium draws its controls in a language only with its locale file (Debian's
        // chromium-l10n); without it every control is en-US and the order cannot be checked.
        let pak = std::path::Path::new("/usr/lib/chromium/locales").join(if page_lang == "es" {
            "es-419.pak"
        } else {
            "en-US.pak"
        });
        if pak.exists() {
            let since = c.find(Locator::Id("since")).await.unwrap();
            since.send_keys(typed).await.unwrap();
            assert!(
                js_bool(
                    &c,
                    "return document.getElementById('since').value === '2025-03-04';"
                )
                .await,
                "{browser_lang}: {typed} typed in the browser's order is 4 March 2025"
            );
        } else {
            eprintln!(
                "{} missing: the date control's order in {browser_lang} is not checked",
                pak.display()
            );
        }
        c.execute(
            "document.getElementById('since').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await
        .unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(
            screenshots_dir().join(format!("member-date-{page_lang}-desktop.png")),
            png,
        )
        .unwrap();
        let _ = c.close().await;
    }
}
