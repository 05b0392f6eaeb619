//! The guidance editor on a real loopback hub: an admin previews (nothing is published), fixes
//! the problem shown by its field in Spanish, publishes, and the chapters' API serves the new
//! guidance verifying under the hub's key; viewers see it but cannot publish; a regional hub's
//! guidance published from the browser still carries national's.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use util::browser::Browser;

use std::path::Path;
use std::time::Duration;

use shopfloor_hub::config::{self, InitOptions, Level};
use shopfloor_hub::users::{self, Role};
use shopfloor_hub::{Hub, enroll, forward, guidance};
use shopfloor_protocol::{Envelope, Kind};
use util::{ADMIN_PASSWORD, Served, csrf_of};

const VIEWER_PASSWORD: &str = "viewer password 123";

fn init_hub(root: &Path, name: &str, level: Level) -> Hub {
    let dir = root.join(name.replace(' ', "-"));
    config::init(
        &dir,
        &InitOptions {
            level,
            name: name.into(),
            state: None,
            admin_password: Some(ADMIN_PASSWORD.into()),
        },
    )
    .unwrap();
    let path = dir.join("hub.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("auto_forward = true", "auto_forward = false");
    std::fs::write(&path, text).unwrap();
    let hub = Hub::open(&dir).unwrap();
    users::add(hub.store(), "vera", Role::Viewer, VIEWER_PASSWORD).unwrap();
    hub
}

// A small browser: cookies by hand, no redirects followed.
/// Writes a page under `$SHOPFLOOR_UI_DUMP` (to look at, or to screenshot), if set.
fn dump(name: &str, html: &str) {
    if let Some(dir) = std::env::var_os("SHOPFLOOR_UI_DUMP") {
        std::fs::write(Path::new(&dir).join(format!("{name}.html")), html).unwrap();
    }
}

/// The text of the problem shown next to a field (`<span class="why" id="NAME-why">`).
fn problem_of(html: &str, field: &str) -> Option<String> {
    let marker = format!("id=\"{field}-why\">");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('<').next()?.to_owned())
}

/// A draft as the form posts it: one training, one criterion with one metric, one goal, one link.
fn draft_form<'a>(csrf: &'a str, goal_sector: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("nt", "2"),
        ("t.0.code", "one-on-ones"),
        ("t.0.title_en", "One-on-ones"),
        ("t.0.title_es", "Conversaciones uno a uno"),
        ("t.0.url_en", "https://example.org/en/1on1"),
        ("t.0.url_es", ""),
        // An empty row is left out.
        ("t.1.code", ""),
        ("t.1.title_en", ""),
        ("t.1.title_es", ""),
        ("nc", "1"),
        ("c.0.code", "winnable"),
        ("c.0.title_en", "Winnable"),
        ("c.0.title_es", "Ganable"),
        ("c.0.nm", "2"),
        ("c.0.m.0.name_en", "Majority support"),
        ("c.0.m.0.name_es", "Apoyo mayoritario"),
        ("c.0.m.0.target", "50"),
        ("ng", "1"),
        ("g.0.metric", "trainings-completed"),
        ("g.0.sector", goal_sector),
        ("g.0.region", "NC"),
        ("g.0.target", "300"),
        ("g.0.by", "2027-06-30"),
        ("g.0.from", "2026-07"),
        ("nl", "1"),
        ("l.0.title_en", "Handbook"),
        ("l.0.title_es", "Manual"),
        ("l.0.url_en", "https://example.org/en"),
        ("l.0.url_es", "https://example.org/es"),
    ]
}

async fn fetch_guidance(base: &str) -> (u16, Vec<u8>) {
    let resp = util::client()
        .get(format!("{base}/api/v1/guidance"))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.bytes().await.unwrap().to_vec())
}

fn audited(hub: &Hub, actor: &str, action: &str) -> i64 {
    hub.store()
        .read(|db| {
            Ok(db.query_row(
                "SELECT COUNT(*) FROM audit WHERE actor = ?1 AND action = ?2",
                [actor, action],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_previews_fixes_the_error_shown_in_spanish_and_publishes() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = init_hub(tmp.path(), "National Labor Commission", Level::National);
    let served = Served::start(&hub).await;
    let mut admin = Browser::new(&served.url)
        .logged_in("admin", ADMIN_PASSWORD)
        .await;
    admin.spanish().await;

    // Nothing published yet: the page says so, and the editor starts with one empty row each.
    let p = admin.get("/ui/guidance").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("<html lang=\"es\">"));
    assert!(
        p.body
            .contains("Este hub aún no ha publicado orientaciones.")
    );
    assert!(p.body.contains("name=\"nt\" value=\"1\""), "{}", p.body);
    assert!(p.body.contains("formaction=\"/ui/guidance/publish\""));
    assert!(!p.body.contains("hub-") && !p.body.contains("err-"));
    let csrf = csrf_of(&p.body);

    // "Add a row" draws the form again with what was typed and one more row.
    let p = admin
        .post(
            "/ui/guidance/preview",
            &[
                ("csrf", &csrf),
                ("nt", "1"),
                ("t.0.code", "stewards"),
                ("add", "t"),
            ],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("name=\"nt\" value=\"2\""));
    assert!(p.body.contains("name=\"t.1.code\""));
    assert!(p.body.contains("value=\"stewards\""));

    // A goal on a dimension its metric lacks: refused, the problem next to the sector field,
    // in Spanish; everything typed is still there; nothing is published.
    let p = admin
        .post("/ui/guidance/preview", &draft_form(&csrf, "62"))
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    dump("guidance-problem-es", &p.body);
    let why = problem_of(&p.body, "g.0.sector").expect("a problem by the sector field");
    assert!(why.contains("no se publica por sector"), "{why}");
    assert!(problem_of(&p.body, "g.0.metric").is_none());
    assert!(problem_of(&p.body, "t.0.code").is_none());
    assert!(
        p.body.contains("Un campo necesita corrección"),
        "{}",
        p.body
    );
    assert!(p.body.contains("value=\"Conversaciones uno a uno\""));
    assert!(p.body.contains("value=\"Apoyo mayoritario\""));
    assert!(p.body.contains("<option value=\"62\" selected>"));
    assert!(!p.body.contains("Vista previa: lo que verán"));
    assert!(guidance::current(&hub).unwrap().is_none());
    // Publishing the same draft is refused the same way.
    let p = admin
        .post("/ui/guidance/publish", &draft_form(&csrf, "62"))
        .await;
    assert_eq!(p.status, 422);
    assert!(problem_of(&p.body, "g.0.sector").is_some());
    assert!(guidance::current(&hub).unwrap().is_none());

    // More problems, each by its field.
    let mut bad = draft_form(&csrf, "");
    bad.retain(|(k, _)| !["t.0.code", "t.0.url_en", "c.0.m.0.target"].contains(k));
    bad.extend([
        ("t.0.code", "One On Ones"),
        ("t.0.url_en", "example.org"),
        ("c.0.m.0.target", "fifty"),
    ]);
    let p = admin.post("/ui/guidance/preview", &bad).await;
    assert_eq!(p.status, 422);
    assert!(
        problem_of(&p.body, "t.0.code")
            .unwrap()
            .contains("minúsculas")
    );
    assert!(
        problem_of(&p.body, "t.0.url_en")
            .unwrap()
            .contains("https://")
    );
    assert!(
        problem_of(&p.body, "c.0.m.0.target")
            .unwrap()
            .contains("número entero")
    );
    assert!(p.body.contains("3 campos necesitan corrección"));

    // Fixed: the preview shows what chapters will see in both languages; still nothing signed.
    let p = admin
        .post("/ui/guidance/preview", &draft_form(&csrf, ""))
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    dump("guidance-preview-es", &p.body);
    assert!(p.body.contains("Vista previa: lo que verán los capítulos"));
    let preview = &p.body[p.body.find("class=\"preview\"").unwrap()..];
    assert!(preview.contains("<section lang=\"en\">") && preview.contains("<section lang=\"es\">"));
    assert!(preview.contains("One-on-ones") && preview.contains("Conversaciones uno a uno"));
    assert!(preview.contains("Apoyo mayoritario: 50") && preview.contains("Majority support: 50"));
    assert!(
        preview.contains("desde julio de 2026 hasta el 30 jun 2027"),
        "{preview}"
    );
    // Spanish material missing: chapters link to the English one, and so does the preview.
    let es = &preview[preview.find("<section lang=\"es\">").unwrap()..];
    assert!(
        es.contains("<a href=\"https://example.org/en/1on1\""),
        "{es}"
    );
    assert!(
        preview.contains("from July 2026 through Jun 30, 2027"),
        "{preview}"
    );
    assert!(guidance::current(&hub).unwrap().is_none());
    assert_eq!(fetch_guidance(&served.url).await.0, 404);

    // Published: signed, stored, audited under the admin's name, and shown.
    let p = admin
        .post("/ui/guidance/publish", &draft_form(&csrf, ""))
        .await;
    assert_eq!(
        (p.status, p.location.as_deref()),
        (303, Some("/ui/guidance?done=published")),
        "{}",
        p.body
    );
    assert_eq!(audited(&hub, "admin", "publish-guidance"), 1);
    let p = admin.get("/ui/guidance?done=published").await;
    assert!(
        p.body
            .contains("Las orientaciones se firmaron y publicaron.")
    );
    assert!(
        p.body
            .contains("Publicadas por National Labor Commission (este hub)")
    );
    // The editor starts from what was published.
    assert!(p.body.contains("value=\"one-on-ones\""));
    assert!(p.body.contains("name=\"nt\" value=\"2\""));

    // What a chapter fetches verifies under the hub's key and holds the draft.
    let (status, bytes) = fetch_guidance(&served.url).await;
    assert_eq!(status, 200);
    let g = guidance::verify(&Envelope::from_json(&bytes).unwrap(), hub.card(), None).unwrap();
    assert_eq!(g.trainings.len(), 1, "the empty row was left out");
    assert_eq!(g.trainings[0].title_es, "Conversaciones uno a uno");
    assert_eq!(g.trainings[0].url_es, None);
    assert_eq!(g.criteria[0].metrics[0].target, 50);
    assert_eq!(g.goals[0].metric, "trainings-completed");
    assert_eq!(g.goals[0].sector, None);
    assert_eq!(g.goals[0].region.as_deref(), Some("NC"));
    assert_eq!(
        g.goals[0].from.map(|p| p.to_string()).as_deref(),
        Some("2026-07")
    );
    assert_eq!(g.links[0].url_es.as_deref(), Some("https://example.org/es"));
    assert!(g.inherited.is_none());
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_see_the_guidance_but_cannot_preview_or_publish() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = init_hub(tmp.path(), "National Labor Commission", Level::National);
    let served = Served::start(&hub).await;
    let mut admin = Browser::new(&served.url)
        .logged_in("admin", ADMIN_PASSWORD)
        .await;
    let csrf = admin.csrf().await;
    let p = admin
        .post("/ui/guidance/publish", &draft_form(&csrf, ""))
        .await;
    assert_eq!(p.status, 303, "{}", p.body);

    let mut viewer = Browser::new(&served.url)
        .logged_in("vera", VIEWER_PASSWORD)
        .await;
    let p = viewer.get("/ui/guidance").await;
    assert_eq!(p.status, 200);
    assert!(
        p.body
            .contains("Published by National Labor Commission (this hub)")
    );
    assert!(p.body.contains("Conversaciones uno a uno") && p.body.contains("Handbook"));
    assert!(
        !p.body.contains("/ui/guidance/preview"),
        "no editor for viewers"
    );
    assert!(!p.body.contains("name=\"t.0.code\""));
    let vcsrf = viewer.csrf().await;
    let mut changed = draft_form(&vcsrf, "");
    changed.retain(|(k, _)| *k != "t.0.title_en");
    changed.push(("t.0.title_en", "Changed by a viewer"));
    for path in ["/ui/guidance/publish", "/ui/guidance/preview"] {
        let p = viewer.post(path, &changed).await;
        assert_eq!(p.status, 403, "{path}");
        assert!(p.body.contains("This page is for admins."));
    }
    // An admin's form without the token is refused too.
    changed.retain(|(k, _)| *k != "csrf");
    let p = admin.post("/ui/guidance/publish", &changed).await;
    assert_eq!(p.status, 403);
    let (_, bytes) = fetch_guidance(&served.url).await;
    let g = guidance::verify(&Envelope::from_json(&bytes).unwrap(), hub.card(), None).unwrap();
    assert_eq!(g.trainings[0].title_en, "One-on-ones");
    assert_eq!(audited(&hub, "admin", "publish-guidance"), 1);
    assert_eq!(audited(&hub, "vera", "publish-guidance"), 0);
    // Anonymous visitors are sent to the login page.
    let p = Browser::new(&served.url).get("/ui/guidance").await;
    assert_eq!(p.status, 303);
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regional_hub_publishes_from_the_browser_and_still_relays_national() {
    let tmp = tempfile::tempdir().unwrap();
    let national = init_hub(tmp.path(), "National Labor Commission", Level::National);
    let nat = Served::start(&national).await;
    let south = init_hub(tmp.path(), "Southern Region", Level::Regional);
    let invite = enroll::invite(&national, "South", Kind::Regional, "test").unwrap();
    forward::start_enrollment(&south, &nat.url, &invite.code)
        .await
        .unwrap();
    let request = enroll::pending(&national).unwrap().remove(0);
    enroll::approve(&national, &request.id, "test").unwrap();
    forward::wait_for_approval(
        &south,
        Duration::from_millis(200),
        Some(Duration::from_secs(30)),
    )
    .await
    .unwrap();
    let draft: guidance::Draft = serde_json::from_value(serde_json::json!({
        "trainings": [{"code": "power-mapping", "title_en": "Power mapping", "title_es": "Mapeo de poder"}],
        "goals": [{"metric": "members", "target": 20000, "by": "2027-01-01"}]
    }))
    .unwrap();
    guidance::publish(&national, draft, None).unwrap();

    let reg = Served::start(&south).await;
    let mut admin = Browser::new(&reg.url)
        .logged_in("admin", ADMIN_PASSWORD)
        .await;
    let csrf = admin.csrf().await;
    // The region's own goal may name the region itself.
    let region = south.card().id.as_str().to_owned();
    let mut form = draft_form(&csrf, "");
    form.retain(|(k, _)| *k != "g.0.region");
    form.push(("g.0.region", &region));
    let p = admin.post("/ui/guidance/publish", &form).await;
    assert_eq!(p.status, 303, "{}", p.body);

    let (status, bytes) = fetch_guidance(&reg.url).await;
    assert_eq!(status, 200);
    let g = guidance::verify(
        &Envelope::from_json(&bytes).unwrap(),
        south.card(),
        Some(national.card()),
    )
    .unwrap();
    assert_eq!(g.trainings[0].code, "one-on-ones");
    assert_eq!(g.goals[0].region.as_deref(), Some(region.as_str()));
    let inherited = g.inherited.expect("national's guidance relayed");
    let inner: guidance::Guidance = inherited
        .open_document(&national.card().signing_key)
        .unwrap();
    assert_eq!(inner.trainings[0].code, "power-mapping");

    // The page shows both, each under its publisher.
    let p = admin.get("/ui/guidance").await;
    dump("guidance-region-en", &p.body);
    assert!(p.body.contains("Published by Southern Region (this hub)"));
    assert!(
        p.body
            .contains("Published by National Labor Commission on "),
        "{}",
        p.body
    );
    assert!(p.body.contains("relayed unchanged by this hub"));
    assert!(p.body.contains("Mapeo de poder"));
    // A region outside this hub's tree is refused by its field.
    let mut form = draft_form(&csrf, "");
    form.retain(|(k, _)| *k != "g.0.region");
    form.push(("g.0.region", "northern-region"));
    let p = admin.post("/ui/guidance/preview", &form).await;
    assert_eq!(p.status, 422);
    assert!(
        problem_of(&p.body, "g.0.region")
            .unwrap()
            .contains("cannot measure a goal there")
    );
    // With national out of reach, nothing is published and the form comes back as typed.
    nat.stop().await;
    let before = guidance::current(&south).unwrap().unwrap().digest();
    let mut form = draft_form(&csrf, "");
    form.retain(|(k, _)| *k != "t.0.title_en");
    form.push(("t.0.title_en", "One-on-one conversations"));
    let p = admin.post("/ui/guidance/publish", &form).await;
    assert_eq!(p.status, 502, "{}", p.body);
    assert!(p.body.contains("could not be fetched"));
    assert!(p.body.contains("value=\"One-on-one conversations\""));
    assert_eq!(guidance::current(&south).unwrap().unwrap().digest(), before);
    reg.stop().await;
}
