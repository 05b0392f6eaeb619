//! The web interface on a real loopback server: login and sessions, the access matrix, CSRF,
//! both languages, the viewers' rule (design §6), drill-down national → region → chapter, and
//! the map.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use util::browser::Browser;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use shopfloor_hub::config::{self, InitOptions, Level};
use shopfloor_hub::enroll::{self, EnrollBody};
use shopfloor_hub::users::{self, Role};
use shopfloor_hub::web::ui::PAGES;
use shopfloor_hub::{Hub, forward, ingest, rollups};
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::report::{ChapterFacts, REPORT_SCHEMA};
use shopfloor_protocol::{
    Cell, CellKey, Digest, DisclosurePolicy, Envelope, Kind, PartyId, Period, Report,
};
use util::{ADMIN_PASSWORD, Chapter, Served, csrf_of, last_month};

const VIEWER_PASSWORD: &str = "viewer password 123";

// Per-chapter numbers. Each state cell comes from one chapter, and the trainings cell is
// dominated by one chapter: viewers must never see these values.
const NC_MEMBERS: u64 = 4471;
const LA_MEMBERS: u64 = 2903;
const TX_MEMBERS: u64 = 3307;
const NC_TRAININGS: u64 = 900;

// ------------------------------------------------------------------------------------------------
// Federation set-up through the library, served in-process on loopback.

fn init_hub(root: &Path, name: &str, level: Level, tls: bool) -> Hub {
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
    let mut text = std::fs::read_to_string(&path).unwrap();
    text = text.replace("auto_forward = true", "auto_forward = false");
    if tls {
        text = text.replace("behind_tls = false", "behind_tls = true");
        assert!(text.contains("behind_tls = true"), "{text}");
    }
    std::fs::write(&path, text).unwrap();
    let hub = Hub::open(&dir).unwrap();
    users::add(hub.store(), "vera", Role::Viewer, VIEWER_PASSWORD).unwrap();
    hub
}

/// Enrolls a child at a hub through the library (invite, request, approval).
fn enroll_child(hub: &Hub, card: &shopfloor_protocol::Card, kind: Kind, approve: bool) -> String {
    let invite = enroll::invite(hub, &card.name, kind, "test").unwrap();
    let submitted = enroll::submit(
        hub,
        &EnrollBody {
            card: card.clone(),
            code: invite.code,
        },
    )
    .unwrap();
    if approve {
        enroll::approve(hub, &submitted.id, "test").unwrap();
    }
    submitted.id
}

fn report(
    ch: &Chapter,
    to: &PartyId,
    period: Period,
    previous: Option<Digest>,
    state: &str,
    members: u64,
    trainings: u64,
) -> Envelope {
    let cells = vec![
        Cell::count(CellKey::total("members"), members),
        Cell::count(CellKey::new("members", &[(Dim::State, state)]), members),
        Cell::count(CellKey::new("members", &[(Dim::Sector, "62")]), members - 5),
        Cell::count(CellKey::new("members", &[(Dim::Sector, "unknown")]), 5),
        Cell::count(
            CellKey::new("members", &[(Dim::UnionStatus, "member")]),
            members - 5,
        ),
        Cell::count(CellKey::new("members", &[(Dim::UnionStatus, "none")]), 5),
        Cell::count(CellKey::total("workplaces"), 12),
        Cell::count(CellKey::new("workplaces", &[(Dim::Stage, "1")]), 7),
        Cell::count(CellKey::new("workplaces", &[(Dim::Stage, "3")]), 5),
        Cell::count(CellKey::total("trainings-completed"), trainings),
        Cell::count(
            CellKey::new("trainings-completed", &[(Dim::Training, "one-on-ones")]),
            trainings,
        ),
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
    ];
    let report = Report {
        schema: REPORT_SCHEMA.into(),
        chapter: ch.card.id.clone(),
        recipient: to.clone(),
        period,
        revision: 1,
        previous,
        generated_at: jiff::Timestamp::now(),
        policy: DisclosurePolicy { k: 5 },
        cells,
        // Labor formations differ by chapter: NC has all three, LA a committee, TX none.
        facts: ChapterFacts {
            labor_committee: state != "TX",
            clc_delegate: state == "NC",
            bylaws: state == "NC",
        },
        campaigns: vec![],
        as_of: None,
        correction: false,
        encrypted: Vec::new(),
        joint_key: None,
    };
    report.validate().unwrap();
    Envelope::sign(&report, &ch.keys)
}

fn chapters() -> Vec<(Chapter, &'static str, u64, u64)> {
    vec![
        (
            Chapter::new("triangle", "Triangle", "NC", "CANARY-UI-1"),
            "NC",
            NC_MEMBERS,
            NC_TRAININGS,
        ),
        (
            Chapter::new("new-orleans", "New Orleans", "LA", "CANARY-UI-2"),
            "LA",
            LA_MEMBERS,
            6,
        ),
        (
            Chapter::new("houston", "Houston", "TX", "CANARY-UI-3"),
            "TX",
            TX_MEMBERS,
            7,
        ),
    ]
}

/// Enrolls three chapters at `hub` and ingests their reports for two periods.
fn chapters_report(hub: &Hub) -> Vec<Chapter> {
    let last = last_month();
    let before = last.previous().unwrap();
    let mut out = Vec::new();
    for (ch, state, members, trainings) in chapters() {
        enroll_child(hub, &ch.card, Kind::Chapter, true);
        let first = report(
            &ch,
            &hub.card().id,
            before,
            None,
            state,
            members - 10,
            trainings,
        );
        ingest::ingest(hub, &ch.seal_to(&first, hub.card())).unwrap();
        let second = report(
            &ch,
            &hub.card().id,
            last,
            Some(first.digest()),
            state,
            members,
            trainings,
        );
        ingest::ingest(hub, &ch.seal_to(&second, hub.card())).unwrap();
        out.push(ch);
    }
    out
}

/// A national hub with three chapters (two periods of reports), one pending request, guidance
/// with goals, an admin and a viewer; served on loopback.
async fn national_with_chapters(root: &Path, tls: bool) -> (Hub, Served, String) {
    let hub = init_hub(root, "National Labor Commission", Level::National, tls);
    chapters_report(&hub);
    let late = Chapter::new("savannah", "Savannah", "GA", "CANARY-UI-4");
    let pending = enroll_child(&hub, &late.card, Kind::Chapter, false);
    let draft: shopfloor_hub::guidance::Draft = serde_json::from_value(serde_json::json!({
        "trainings": [{"code": "one-on-ones", "title_en": "One-on-ones", "title_es": "Conversaciones uno a uno"}],
        "goals": [
            {"metric": "members", "target": 20000, "by": "2027-01-01"},
            {"metric": "members", "sector": "62", "target": 15000, "by": "2027-01-01"},
            {"metric": "members", "region": "NC", "target": 5000, "by": "2027-01-01"}
        ]
    }))
    .unwrap();
    shopfloor_hub::guidance::publish(&hub, draft, None).unwrap();
    rollups::build(&hub, last_month()).unwrap();
    // Viewers see publications only: publish both periods.
    for p in [last_month(), last_month().previous().unwrap()] {
        shopfloor_hub::publish::publish(&hub, p, shopfloor_hub::publish::Trigger::Command).unwrap();
    }
    let served = Served::start(&hub).await;
    (hub, served, pending)
}

// ------------------------------------------------------------------------------------------------
// A small browser: cookies by hand, no redirects followed.

async fn logged_in(base: &str, name: &str, password: &str) -> Browser {
    let mut b = Browser::new(base);
    let resp = b.login(name, password).await;
    assert_eq!(resp.status, 303, "login {name}: {}", resp.body);
    assert_eq!(resp.location.as_deref(), Some("/ui"));
    b
}

/// Whether `html` shows `n` as a number on its own (digits or grouped), ignoring SVG path data
/// and long hex strings (digests, fingerprints).
fn shows_number(html: &str, n: u64) -> bool {
    // Drop path data.
    let mut text = String::new();
    let mut rest = html;
    while let Some(i) = rest.find(" d=\"") {
        text.push_str(&rest[..i]);
        let after = &rest[i + 4..];
        rest = after.split_once('"').map_or("", |(_, r)| r);
    }
    text.push_str(rest);
    let plain = n.to_string();
    let grouped = util_group(n);
    let boundary =
        |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == ',' || c == '.'));
    for needle in [plain, grouped] {
        let mut from = 0;
        while let Some(i) = text[from..].find(&needle) {
            let at = from + i;
            let before = text[..at].chars().next_back();
            let after = text[at + needle.len()..].chars().next();
            if boundary(before) && boundary(after) {
                return true;
            }
            from = at + needle.len();
        }
    }
    false
}

fn message_ids(lang: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("i18n/{lang}/hub.ftl"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (id, _) = l.split_once(" =")?;
            (!id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
            .then(|| id.to_owned())
        })
        .collect()
}

/// Writes a page under `$SHOPFLOOR_UI_DUMP` (to look at, or to screenshot), if set.
fn dump(name: &str, html: &str) {
    if let Some(dir) = std::env::var_os("SHOPFLOOR_UI_DUMP") {
        let path = Path::new(&dir).join(format!("{}.html", name.replace('/', "_")));
        std::fs::write(path, html).unwrap();
    }
}

fn assert_no_raw_ids(html: &str, what: &str) {
    for id in message_ids("en") {
        assert!(
            !html.contains(&format!(">{id}<"))
                && !html.contains(&format!(" {id} "))
                && !html.contains(&format!(">{id} ")),
            "{what}: raw message id {id} in the page"
        );
    }
    for prefix in ["hub-", "err-", "rec-"] {
        assert!(
            !html.contains(prefix),
            "{what}: a raw message id ({prefix}...) in the page"
        );
    }
}

/// The text a reader sees: the page without its tags (attributes, where ids belong, go with
/// them).
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out
}

/// No child's or request's id as a word on screen (issue 19, item 10): people read names.
fn assert_no_child_ids(html: &str, what: &str) {
    let text = visible_text(html);
    for id in ["houston", "triangle", "new-orleans", "savannah"] {
        assert!(
            !text
                .split(|c: char| !(c.is_alphanumeric() || c == '-'))
                .any(|w| w == id),
            "{what}: the id {id:?} on screen:\n{text}"
        );
    }
}

// ------------------------------------------------------------------------------------------------
// Catalogues.

#[test]
fn every_message_used_exists_in_both_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let en = message_ids("en");
    let es = message_ids("es");
    assert_eq!(
        en, es,
        "the English and Spanish catalogues have different ids"
    );
    let mut used = BTreeSet::new();
    let mut files = util::files_under(&root.join("templates"));
    files.extend(util::files_under(&root.join("src/web/ui")));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, _) in text.match_indices('"') {
            let rest = &text[i + 1..];
            let Some(end) = rest.find('"') else { continue };
            let s = &rest[..end];
            if ["hub-", "err-", "rec-"].iter().any(|p| s.starts_with(p))
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                used.insert(s.to_owned());
            }
        }
    }
    assert!(used.len() > 100, "found only {} ids in use", used.len());
    let missing: Vec<_> = used.iter().filter(|id| !en.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "message ids used but not in the catalogues: {missing:?}"
    );
    // Every problem has its fix.
    for id in en.iter().filter(|id| id.starts_with("err-")) {
        let rec = id.replacen("err-", "rec-", 1);
        assert!(en.contains(&rec), "{id} has no {rec}");
    }
}

// ------------------------------------------------------------------------------------------------
// Login, sessions, access.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_requests_go_to_login_and_roles_decide_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let (_hub, served, pending) = national_with_chapters(tmp.path(), false).await;
    let mut anon = Browser::new(&served.url);

    // The root and every page send anonymous visitors to the login page, remembering where to.
    let root = anon.get("/").await;
    assert_eq!((root.status, root.location.as_deref()), (303, Some("/ui")));
    for (path, _) in PAGES {
        let p = anon.get(path).await;
        assert_eq!(p.status, 303, "{path}");
        let loc = p.location.unwrap();
        assert!(loc.starts_with("/ui/login?next="), "{path} -> {loc}");
        assert!(!p.body.contains("Triangle"), "{path} leaked data");
    }
    let p = anon.get("/ui/dashboards?path=triangle").await;
    assert_eq!(p.status, 303);
    let p = anon.get("/ui/nowhere").await;
    assert_eq!(p.status, 303);
    // Posts too.
    for path in [
        format!("/ui/enrollments/{pending}/approve"),
        format!("/ui/enrollments/{pending}/reject"),
        "/ui/children/triangle/revoke".to_owned(),
        "/ui/logout".to_owned(),
    ] {
        let p = anon.post(&path, &[("csrf", "x"), ("reason", "x")]).await;
        assert_eq!(p.status, 303, "{path}");
        assert!(p.location.unwrap().starts_with("/ui/login"));
    }
    // The stylesheet is public.
    let css = anon.get("/ui/assets/style.css").await;
    assert_eq!(css.status, 200);
    assert!(css.body.contains(":focus-visible"));

    // Login: wrong password refused, the session cookie is HttpOnly and SameSite=Strict.
    let mut b = Browser::new(&served.url);
    let bad = b.login("admin", "not the password at all").await;
    assert_eq!(bad.status, 401);
    assert!(bad.body.contains("Wrong user name or password."));
    let ok = b.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(ok.status, 303);
    let session = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("sf_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "no TLS configured: {session}");

    // The access matrix: admins see every page; viewers the shared ones, 403 on admin pages.
    let mut admin = b;
    let mut viewer = logged_in(&served.url, "vera", VIEWER_PASSWORD).await;
    for (path, admin_only) in PAGES {
        let a = admin.get(path).await;
        assert_eq!(a.status, 200, "admin {path}: {}", a.body);
        assert!(a.body.contains("<html lang=\"en\">"), "{path}");
        let v = viewer.get(path).await;
        let expected = if *admin_only { 403 } else { 200 };
        assert_eq!(v.status, expected, "viewer {path}");
        if *admin_only {
            assert!(v.body.contains("This page is for admins."));
            assert!(
                !v.body.contains("Triangle"),
                "viewer {path} leaked a chapter"
            );
        }
    }
    assert_eq!(admin.get("/ui/nowhere").await.status, 404);
    // A viewer's forms on admin routes are refused even with a valid token.
    let vcsrf = viewer.csrf().await;
    let p = viewer
        .post(
            &format!("/ui/enrollments/{pending}/approve"),
            &[("csrf", &vcsrf)],
        )
        .await;
    assert_eq!(p.status, 403);
    let p = viewer
        .post(
            "/ui/children/triangle/revoke",
            &[("csrf", &vcsrf), ("reason", "no")],
        )
        .await;
    assert_eq!(p.status, 403);
    // The enrollment queue shows both fingerprints.
    let q = admin.get("/ui/enrollments").await;
    assert!(q.body.contains("Savannah"));
    assert!(q.body.contains(&_hub.card().fingerprint().to_string()));
    let savannah_fp = enroll::pending(&_hub).unwrap()[0].fingerprint.clone();
    assert!(q.body.contains(&savannah_fp));
    // Completeness in words and symbols.
    let c = admin.get("/ui/completeness").await;
    assert!(
        c.body.contains("✓") && c.body.contains("On time"),
        "{}",
        c.body
    );
    // Verification: every report verifies again; the checkpoint is shown.
    let v = admin.get("/ui/verification").await;
    assert!(
        v.body.contains("Verified") && !v.body.contains("Does not verify"),
        "{}",
        v.body
    );
    assert!(v.body.contains("Root hash"));
    // Each document under its chapter's name, never the raw id.
    assert!(
        v.body.contains("<th scope=\"row\">Triangle</th>"),
        "{}",
        v.body
    );
    assert!(!v.body.contains("<th scope=\"row\">triangle</th>"));
    // Admins drill down to a chapter; viewers may not.
    let a = admin.get("/ui/dashboards?path=triangle").await;
    assert_eq!(a.status, 200);
    assert!(shows_number(&a.body, NC_MEMBERS));
    let v = viewer.get("/ui/dashboards?path=triangle").await;
    assert_eq!(v.status, 403);
    assert!(!shows_number(&v.body, NC_MEMBERS));
    let v = viewer.get("/ui/map?path=triangle").await;
    assert_eq!(v.status, 403);
    assert_eq!(admin.get("/ui/dashboards?path=nobody").await.status, 404);
    assert_eq!(admin.get("/ui/dashboards?period=2026-13").await.status, 400);
    assert_eq!(admin.get("/ui/map?metric=campaigns").await.status, 400);

    // Logout ends the session on the server too.
    let csrf = admin.csrf().await;
    let token = admin.cookies.get("sf_session").cloned().unwrap();
    let out = admin.post("/ui/logout", &[("csrf", &csrf)]).await;
    assert_eq!(
        (out.status, out.location.as_deref()),
        (303, Some("/ui/login"))
    );
    assert_eq!(admin.get("/ui").await.status, 303);
    admin.cookies.insert("sf_session".into(), token);
    assert_eq!(
        admin.get("/ui").await.status,
        303,
        "the old cookie no longer works"
    );

    // Too many failed logins: refused for a while.
    let mut m = Browser::new(&served.url);
    for _ in 0..5 {
        assert_eq!(m.login("vera", "wrong wrong wrong").await.status, 401);
    }
    let p = m.login("vera", VIEWER_PASSWORD).await;
    assert_eq!(p.status, 429);
    assert!(p.body.contains("Too many failed attempts."));
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_the_csrf_token_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (hub, served, pending) = national_with_chapters(tmp.path(), false).await;
    // Login itself needs the pre-session token.
    let mut b = Browser::new(&served.url);
    let p = b
        .post(
            "/ui/login",
            &[("name", "admin"), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("This form has expired"));
    assert!(!p.set_cookies.iter().any(|c| c.starts_with("sf_session=")));

    let mut admin = logged_in(&served.url, "admin", ADMIN_PASSWORD).await;
    let csrf = admin.csrf().await;
    let approve = format!("/ui/enrollments/{pending}/approve");
    // No token, an empty one, another session's token, a pre-session token: all refused.
    let mut other = logged_in(&served.url, "admin", ADMIN_PASSWORD).await;
    let other_csrf = other.csrf().await;
    assert_ne!(csrf, other_csrf, "tokens are per session");
    let pre = csrf_of(&Browser::new(&served.url).get("/ui/login").await.body);
    for form in [
        vec![],
        vec![("csrf", "")],
        vec![("csrf", other_csrf.as_str())],
        vec![("csrf", pre.as_str())],
    ] {
        let p = admin.post(&approve, &form).await;
        assert_eq!(p.status, 403, "{form:?}");
    }
    assert_eq!(enroll::pending(&hub).unwrap().len(), 1, "still pending");
    let p = admin
        .post(
            "/ui/children/houston/revoke",
            &[("reason", "left the federation")],
        )
        .await;
    assert_eq!(p.status, 403);
    let p = admin.post("/ui/logout", &[]).await;
    assert_eq!(p.status, 403);
    let p = admin.post("/ui/lang", &[("lang", "es")]).await;
    assert_eq!(p.status, 403);
    assert_eq!(admin.get("/ui").await.status, 200, "still logged in");

    // With the token: approved, and the queue is empty.
    let p = admin.post(&approve, &[("csrf", &csrf)]).await;
    assert_eq!(
        (p.status, p.location.as_deref()),
        (303, Some("/ui/enrollments?done=approved"))
    );
    assert!(enroll::pending(&hub).unwrap().is_empty());
    let q = admin.get("/ui/enrollments?done=approved").await;
    assert!(q.body.contains("Approved"));
    let p = admin.post(&approve, &[("csrf", &csrf)]).await;
    assert_eq!(p.status, 409, "already decided");

    // Revoke needs a reason; then the child shows as revoked.
    let p = admin
        .post(
            "/ui/children/houston/revoke",
            &[("csrf", &csrf), ("reason", "  ")],
        )
        .await;
    assert_eq!(p.status, 400);
    // A reason first brings a confirmation naming the child; nothing is revoked yet.
    let p = admin
        .post(
            "/ui/children/houston/revoke",
            &[("csrf", &csrf), ("reason", "left the federation")],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Revoke Houston?"), "{}", p.body);
    assert_no_child_ids(&p.body, "revoke confirmation");
    assert!(p.body.contains("This cannot be undone"));
    assert!(p.body.contains("Yes, revoke Houston"));
    assert!(p.body.contains("name=\"confirm\" value=\"yes\""));
    assert_no_raw_ids(&p.body, "revoke confirmation");
    assert!(
        enroll::children(hub.store())
            .unwrap()
            .iter()
            .any(|c| c.id.as_str() == "houston" && c.active()),
        "not revoked before the confirmation"
    );
    let p = admin
        .post(
            "/ui/children/nobody/revoke",
            &[("csrf", &csrf), ("reason", "left")],
        )
        .await;
    assert_eq!(p.status, 404);
    let p = admin
        .post(
            "/ui/children/houston/revoke",
            &[
                ("csrf", &csrf),
                ("reason", "left the federation"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let c = admin.get("/ui/children?done=revoked").await;
    assert!(c.body.contains("Revoked"));
    let houston = enroll::children(hub.store())
        .unwrap()
        .into_iter()
        .find(|c| c.id.as_str() == "houston")
        .unwrap();
    assert!(!houston.active());
    let p = admin
        .post(
            "/ui/children/houston/revoke",
            &[("csrf", &csrf), ("reason", "again")],
        )
        .await;
    assert_eq!(p.status, 409);
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_behind_tls() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = init_hub(tmp.path(), "National", Level::National, true);
    let served = Served::start(&hub).await;
    let mut b = Browser::new(&served.url);
    let p = b.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(p.status, 303);
    assert!(!p.set_cookies.is_empty());
    for c in &p.set_cookies {
        assert!(c.contains("; Secure"), "{c}");
    }
    // With no reports yet, every page still renders.
    for (path, _) in PAGES {
        assert_eq!(b.get(path).await.status, 200, "{path}");
    }
    served.stop().await;
}

// ------------------------------------------------------------------------------------------------
// Languages.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_renders_in_english_and_spanish() {
    let tmp = tempfile::tempdir().unwrap();
    let (_hub, served, _) = national_with_chapters(tmp.path(), false).await;

    // The browser's language is the default, before and after login.
    let mut es = Browser::new(&served.url);
    es.accept_language = Some("es-MX,es;q=0.9,en;q=0.5".into());
    let login = es.get("/ui/login").await;
    assert!(login.body.contains("<html lang=\"es\">"));
    assert!(login.body.contains("Iniciar sesión"));
    assert_no_raw_ids(&login.body, "login (es)");
    let mut en = Browser::new(&served.url);
    en.accept_language = Some("en-US,en;q=0.9".into());
    let login = en.get("/ui/login").await;
    assert!(login.body.contains("<html lang=\"en\">"));
    assert_no_raw_ids(&login.body, "login (en)");

    let mut admin = logged_in(&served.url, "admin", ADMIN_PASSWORD).await;
    admin.accept_language = Some("es".into());
    let spanish = [
        ("/ui", "Resumen"),
        ("/ui/dashboards", "Tableros"),
        ("/ui/map", "Mapa de estados"),
        ("/ui/trends", "mes a mes, en este nivel"),
        ("/ui/tables", "Desgloses"),
        ("/ui/formations", "Formaciones laborales"),
        ("/ui/verification", "Verificación"),
        ("/ui/enrollments", "Solicitudes de inscripción"),
        ("/ui/children", "Capítulos y regiones"),
        ("/ui/completeness", "Entrega de informes"),
        ("/ui/support", "Solicitudes de apoyo"),
        ("/ui/guidance", "Publicadas ahora"),
        ("/ui/campaigns", "Aprobación de campañas"),
        ("/ui/map/counties", "Mapa de condados"),
    ];
    let english = [
        ("/ui", "Overview"),
        ("/ui/dashboards", "Dashboards"),
        ("/ui/map", "Map of states"),
        ("/ui/trends", "month by month, at this level"),
        ("/ui/tables", "Breakdowns"),
        ("/ui/formations", "Labor formations"),
        ("/ui/verification", "Verification"),
        ("/ui/enrollments", "Enrollment requests"),
        ("/ui/children", "Chapters and regions"),
        ("/ui/completeness", "Reporting completeness"),
        ("/ui/support", "Support requests"),
        ("/ui/guidance", "Published now"),
        ("/ui/campaigns", "Campaign approval"),
        ("/ui/map/counties", "County map"),
    ];
    assert_eq!(spanish.len(), PAGES.len());
    for (path, word) in spanish {
        let p = admin.get(path).await;
        dump(&format!("es{path}"), &p.body);
        assert_eq!(p.status, 200, "{path}");
        assert!(p.body.contains("<html lang=\"es\">"), "{path}");
        assert!(p.body.contains(word), "{path} in Spanish lacks {word:?}");
        assert_no_raw_ids(&p.body, path);
        assert_no_child_ids(&p.body, path);
    }
    let d = admin.get("/ui/dashboards").await;
    // Registry labels in Spanish, and the guidance's training title.
    assert!(d.body.contains("Atención médica y asistencia social"));
    assert!(d.body.contains("Conversaciones uno a uno"));
    assert!(d.body.contains("Densidad sindical"));

    // The user's choice beats the browser's, and is kept with the user.
    let csrf = admin.csrf().await;
    let p = admin
        .post(
            "/ui/lang",
            &[("lang", "en"), ("csrf", &csrf), ("next", "/ui/map")],
        )
        .await;
    assert_eq!((p.status, p.location.as_deref()), (303, Some("/ui/map")));
    for (path, word) in english {
        let p = admin.get(path).await;
        dump(&format!("en{path}"), &p.body);
        assert!(p.body.contains("<html lang=\"en\">"), "{path}");
        assert!(p.body.contains(word), "{path} in English lacks {word:?}");
        assert_no_raw_ids(&p.body, path);
        assert_no_child_ids(&p.body, path);
    }
    let mut again = logged_in(&served.url, "admin", ADMIN_PASSWORD).await;
    again.accept_language = Some("es".into());
    assert!(
        again.get("/ui").await.body.contains("<html lang=\"en\">"),
        "stored with the user"
    );
    let csrf = again.csrf().await;
    again
        .post(
            "/ui/lang",
            &[
                ("lang", "es"),
                ("csrf", &csrf),
                ("next", "https://evil.example/"),
            ],
        )
        .await;

    // Viewers too, and error pages.
    let mut viewer = logged_in(&served.url, "vera", VIEWER_PASSWORD).await;
    let csrf = viewer.csrf().await;
    viewer
        .post(
            "/ui/lang",
            &[("lang", "es"), ("csrf", &csrf), ("next", "/ui")],
        )
        .await;
    for (path, admin_only) in PAGES {
        let p = viewer.get(path).await;
        assert!(p.body.contains("<html lang=\"es\">"), "{path}");
        assert_no_raw_ids(&p.body, path);
        if *admin_only {
            assert!(
                p.body
                    .contains("Esta página es solo para quien administra.")
            );
        }
    }
    let d = viewer.get("/ui/dashboards").await;
    dump("viewer-es/ui/dashboards", &d.body);
    dump("viewer-es/ui/map", &viewer.get("/ui/map").await.body);
    assert!(
        d.body
            .contains("no se muestra para proteger las cifras de los capítulos")
    );
    served.stop().await;
}

// ------------------------------------------------------------------------------------------------
// The viewers' rule, the map and the drill-down.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_never_see_a_withheld_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let (_hub, served, _) = national_with_chapters(tmp.path(), false).await;
    let mut admin = logged_in(&served.url, "admin", ADMIN_PASSWORD).await;
    let mut viewer = logged_in(&served.url, "vera", VIEWER_PASSWORD).await;
    let last = last_month();
    let before = last.previous().unwrap();
    // Values only a single chapter makes (state cells), or that one chapter dominates
    // (trainings: 900 of 913), in both periods.
    let withheld = [
        NC_MEMBERS,
        LA_MEMBERS,
        TX_MEMBERS,
        NC_MEMBERS - 10,
        LA_MEMBERS - 10,
        TX_MEMBERS - 10,
        NC_MEMBERS - 5,
        NC_TRAININGS + 13,
        NC_TRAININGS,
    ];
    let pages = [
        "/ui".to_owned(),
        "/ui/dashboards".to_owned(),
        format!("/ui/dashboards?period={before}"),
        "/ui/map".to_owned(),
        format!("/ui/map?period={before}"),
        "/ui/map?metric=workplaces".to_owned(),
        "/ui/verification".to_owned(),
    ];
    for path in &pages {
        let v = viewer.get(path).await;
        assert_eq!(v.status, 200, "{path}");
        for n in withheld {
            assert!(
                !shows_number(&v.body, n),
                "viewer page {path} shows withheld value {n}"
            );
        }
        // Single chapters are not listed for viewers.
        assert!(
            !v.body.contains("Triangle") && !v.body.contains("New Orleans"),
            "{path}"
        );
    }
    // What passes the rule is shown: the total (3 chapters, largest 42%), sector 62, and the
    // trainings cell is marked, not shown.
    let total = NC_MEMBERS + LA_MEMBERS + TX_MEMBERS;
    let d = viewer.get("/ui/dashboards").await;
    assert!(shows_number(&d.body, total), "the total passes the rule");
    assert!(shows_number(&d.body, total - 15));
    assert!(d.body.contains("not shown to protect chapter numbers"));
    // Admins see chapter aggregates.
    let a = admin.get("/ui/dashboards").await;
    assert!(shows_number(&a.body, NC_TRAININGS + 13));
    assert!(a.body.contains("Triangle"));
    let m = admin.get("/ui/map").await;
    assert!(
        shows_number(&m.body, NC_MEMBERS),
        "admins see the state cells"
    );
    // Goals against progress: the total goal is shown to both; the NC goal only to admins.
    assert!(a.body.contains(&format!("{} of 20,000", util_group(total))));
    assert!(
        a.body
            .contains(&format!("{} of 5,000", util_group(NC_MEMBERS)))
    );
    assert!(d.body.contains(&format!("{} of 20,000", util_group(total))));
    served.stop().await;
}

fn util_group(n: u64) -> String {
    let plain = n.to_string();
    let mut out = String::new();
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && (plain.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_map_has_a_titled_path_per_state_and_a_legend() {
    let tmp = tempfile::tempdir().unwrap();
    let (_hub, served, _) = national_with_chapters(tmp.path(), false).await;
    for (who, password) in [("admin", ADMIN_PASSWORD), ("vera", VIEWER_PASSWORD)] {
        let mut b = logged_in(&served.url, who, password).await;
        let m = b.get("/ui/map").await;
        assert_eq!(m.status, 200);
        let svg_start = m
            .body
            .find("<svg viewBox=\"0 0 975 610\"")
            .expect("the map");
        let svg = &m.body[svg_start..];
        let svg = &svg[..svg.find("</svg>").unwrap()];
        assert!(svg.contains("role=\"img\"") && svg.contains("<title id=\"map-t\">"));
        let paths: Vec<&str> = svg.split("<path ").skip(1).collect();
        assert_eq!(paths.len(), 52, "50 states, DC and Puerto Rico");
        let mut names = BTreeSet::new();
        for p in &paths {
            let title = p.split("<title>").nth(1).expect("each state has a title");
            let title = title.split("</title>").next().unwrap();
            let (name, value) = title.split_once(": ").unwrap();
            assert!(!name.is_empty() && !value.is_empty(), "{title}");
            names.insert(name.to_owned());
        }
        assert_eq!(names.len(), 52);
        assert!(names.contains("North Carolina") && names.contains("Puerto Rico"));
        // Legend: shades with ranges, and the patterns in words.
        // The hatching means what it means for the reader: the chapters' own withholding for
        // admins, the viewers' rule for viewers.
        let hatched = if who == "admin" {
            "Hatched: withheld by the chapter"
        } else {
            "Hatched: not shown to protect chapter numbers"
        };
        assert!(m.body.contains(hatched), "{who}: {hatched}");
        assert!(m.body.contains("Dotted: no data"));
        assert!(m.body.contains("us-atlas"));
        // The text alternative lists every state.
        assert!(m.body.contains("North Carolina (NC)"));
        if who == "admin" {
            assert!(m.body.contains("North Carolina: 4,471"));
            assert!(m.body.contains("Shade 5:"));
        } else {
            assert!(
                m.body
                    .contains("North Carolina: not shown to protect chapter numbers")
            );
        }
    }
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drill_down_national_region_chapter() {
    let tmp = tempfile::tempdir().unwrap();
    let national = init_hub(
        tmp.path(),
        "National Labor Commission",
        Level::National,
        false,
    );
    let nat = Served::start(&national).await;
    let south = init_hub(tmp.path(), "Southern Region", Level::Regional, false);
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
    chapters_report(&south);
    let period = last_month();
    forward::forward(&south, period, 3).await.unwrap();
    forward::forward(&south, period.previous().unwrap(), 3)
        .await
        .unwrap();
    let region = south.card().id.as_str().to_owned();
    for p in [period, period.previous().unwrap()] {
        shopfloor_hub::publish::publish(&national, p, shopfloor_hub::publish::Trigger::Command)
            .unwrap();
    }

    let mut admin = logged_in(&nat.url, "admin", ADMIN_PASSWORD).await;
    let mut viewer = logged_in(&nat.url, "vera", VIEWER_PASSWORD).await;
    // National: the region is listed for both, with a link down.
    let link = format!("/ui/dashboards?period={period}&#38;path={region}");
    let top = admin.get("/ui/dashboards").await;
    assert!(top.body.contains(&link), "{}", top.body);
    let vtop = viewer.get("/ui/dashboards").await;
    assert!(vtop.body.contains(&link));
    assert!(!vtop.body.contains("Triangle"));
    // The region: its embedded rollup's cells; admins see its chapters listed, viewers do not.
    let r = admin.get(&format!("/ui/dashboards?path={region}")).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Southern Region"));
    assert!(
        r.body.contains(&format!("path={region}/triangle")),
        "chapters listed for admins"
    );
    assert!(shows_number(&r.body, NC_MEMBERS + LA_MEMBERS + TX_MEMBERS));
    let vr = viewer.get(&format!("/ui/dashboards?path={region}")).await;
    assert_eq!(vr.status, 200);
    assert!(!vr.body.contains("triangle") && !vr.body.contains("Triangle"));
    assert!(shows_number(&vr.body, NC_MEMBERS + LA_MEMBERS + TX_MEMBERS));
    assert!(!shows_number(&vr.body, NC_MEMBERS));
    // The chapter, inside the region's rollup: admins only.
    let ch = admin
        .get(&format!("/ui/dashboards?path={region}/triangle"))
        .await;
    assert_eq!(ch.status, 200);
    assert!(shows_number(&ch.body, NC_MEMBERS));
    assert!(ch.body.contains("seen by admins only"));
    let vch = viewer
        .get(&format!("/ui/dashboards?path={region}/triangle"))
        .await;
    assert_eq!(vch.status, 403);
    assert!(!shows_number(&vch.body, NC_MEMBERS));
    // National stored the chapters the region's rollup embeds under the region, and its own
    // level is the region's rollup summed; doctor's re-derivation from the documents agrees.
    national
        .store()
        .read(|db| {
            let p = period.to_string();
            let under = shopfloor_hub::aggregates::docs(db, &p, &region)?;
            assert!(under.iter().any(|d| d.party == "triangle"), "{under:?}");
            assert!(
                under
                    .iter()
                    .all(|d| d.kind == shopfloor_hub::aggregates::DocKind::Report)
            );
            assert_eq!(
                shopfloor_hub::aggregates::cells(db, national.card().id.as_str(), &p)?,
                shopfloor_hub::aggregates::cells(db, &region, &p)?
            );
            assert!(shopfloor_hub::aggregates::check(db, national.card())?.is_empty());
            Ok(())
        })
        .unwrap();
    // National lists what it verified on receipt, the region's rollups included.
    let v = admin.get("/ui/verification").await;
    assert!(
        v.body.contains("Verified") && !v.body.contains("Does not verify"),
        "{}",
        v.body
    );
    // The regional hub's own interface shows its forwarded rollups as verified.
    let reg = Served::start(&south).await;
    let mut radmin = logged_in(&reg.url, "admin", ADMIN_PASSWORD).await;
    let rv = radmin.get("/ui/verification").await;
    assert!(rv.body.contains("forwarded"), "{}", rv.body);
    assert!(!rv.body.contains("Does not verify"), "{}", rv.body);
    let ro = radmin.get("/ui").await;
    assert!(ro.body.contains("Enrolled at"));
    reg.stop().await;
    nat.stop().await;
}

// ------------------------------------------------------------------------------------------------
// Publications: viewers see nothing before the first.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regional_admin_forwards_a_period_from_the_completeness_page() {
    let tmp = tempfile::tempdir().unwrap();
    let national = init_hub(tmp.path(), "National", Level::National, false);
    let nat = Served::start(&national).await;
    // No background forwarder (init_hub turns auto_forward off): only the button sends.
    let south = init_hub(tmp.path(), "Southern Region", Level::Regional, false);
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
    chapters_report(&south);
    let period = last_month();
    let reg = Served::start(&south).await;
    let national_rollups = || -> i64 {
        national
            .store()
            .read(|db| {
                Ok(db.query_row(
                    "SELECT count(*) FROM reports WHERE kind = 'rollup' AND period = ?1",
                    [period.to_string()],
                    |r| r.get(0),
                )?)
            })
            .unwrap()
    };
    assert_eq!(national_rollups(), 0);

    // The page says nothing was sent and offers the button, in both languages.
    let mut admin = logged_in(&reg.url, "admin", ADMIN_PASSWORD).await;
    let page = admin.get("/ui/completeness").await;
    assert!(
        page.body.contains("action=\"/ui/forward\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("Send to the parent hub now"));
    assert!(
        page.body.contains("Not sent to the parent hub yet")
            || page.body.contains("waiting to be sent"),
        "{}",
        page.body
    );
    // A viewer cannot send, nor can a form without the token.
    let mut viewer = logged_in(&reg.url, "vera", VIEWER_PASSWORD).await;
    let vcsrf = viewer.csrf().await;
    let p = period.to_string();
    let refused = viewer
        .post("/ui/forward", &[("csrf", &vcsrf), ("period", &p)])
        .await;
    assert_eq!(refused.status, 403);
    let refused = admin
        .post("/ui/forward", &[("csrf", "forged"), ("period", &p)])
        .await;
    assert_eq!(refused.status, 403);
    let csrf = admin.csrf().await;
    let bad = admin
        .post("/ui/forward", &[("csrf", &csrf), ("period", "2026-13")])
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(national_rollups(), 0, "nothing was sent by refused forms");

    // The admin sends; national holds the rollup; the page says it was acknowledged.
    let sent = admin
        .post("/ui/forward", &[("csrf", &csrf), ("period", &p)])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(national_rollups(), 1);
    let page = admin.get("/ui/completeness").await;
    assert!(
        page.body
            .contains("Sent: the parent hub acknowledged revision 1"),
        "{}",
        page.body
    );
    let audited: i64 = south
        .store()
        .read(|db| {
            Ok(db.query_row(
                "SELECT count(*) FROM audit WHERE action = 'forward' AND actor = 'admin' AND subject = ?1",
                [&p],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(audited, 1);
    // Sending again changes nothing at national.
    admin
        .post("/ui/forward", &[("csrf", &csrf), ("period", &p)])
        .await;
    assert_eq!(national_rollups(), 1);
    // Spanish.
    let csrf = admin.csrf().await;
    admin
        .post("/ui/lang", &[("csrf", &csrf), ("lang", "es")])
        .await;
    let es = admin.get("/ui/completeness").await;
    assert!(
        es.body
            .contains("Enviado: el hub superior acusó recibo de la revisión 1"),
        "{}",
        es.body
    );
    // National has no parent: the form is not offered and a forged post is refused.
    let mut nadmin = logged_in(&nat.url, "admin", ADMIN_PASSWORD).await;
    let np = nadmin.get("/ui/completeness").await;
    assert!(!np.body.contains("action=\"/ui/forward\""));
    let ncsrf = nadmin.csrf().await;
    let no = nadmin
        .post("/ui/forward", &[("csrf", &ncsrf), ("period", &p)])
        .await;
    assert_eq!(no.status, 409);
    reg.stop().await;
    nat.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_see_not_yet_published_before_the_first_publication() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = init_hub(
        tmp.path(),
        "National Labor Commission",
        Level::National,
        false,
    );
    chapters_report(&hub);
    let served = Served::start(&hub).await;
    let total = NC_MEMBERS + LA_MEMBERS + TX_MEMBERS;
    let mut en = Browser::new(&served.url);
    en.accept_language = Some("en-US,en;q=0.9".into());
    assert_eq!(en.login("vera", VIEWER_PASSWORD).await.status, 303);
    let mut es = Browser::new(&served.url);
    es.accept_language = Some("es-MX,es;q=0.9".into());
    assert_eq!(es.login("vera", VIEWER_PASSWORD).await.status, 303);
    for path in ["/ui", "/ui/dashboards", "/ui/map"] {
        let e = en.get(path).await;
        assert_eq!(e.status, 200, "{path}");
        assert!(
            e.body
                .contains("The figures for this period have not been published yet"),
            "{path}: {}",
            e.body
        );
        assert!(!shows_number(&e.body, total), "{path} shows a live sum");
        assert_no_raw_ids(&e.body, path);
        let s = es.get(path).await;
        assert!(
            s.body
                .contains("Las cifras de este periodo aún no se han publicado"),
            "{path}: {}",
            s.body
        );
        assert_no_raw_ids(&s.body, path);
    }
    // Admins see the live sums, marked as such.
    let mut admin = logged_in(&served.url, "admin", ADMIN_PASSWORD).await;
    let a = admin.get("/ui/dashboards").await;
    assert!(shows_number(&a.body, total));
    assert!(a.body.contains("Live figures (admins only)"));
    // Once published, viewers see it, and the page names the publication.
    shopfloor_hub::publish::publish(&hub, last_month(), shopfloor_hub::publish::Trigger::Command)
        .unwrap();
    let e = en.get("/ui/dashboards").await;
    assert!(shows_number(&e.body, total), "{}", e.body);
    assert!(
        e.body
            .contains("Published figures: publication 1 of this period")
    );
    let s = es.get("/ui/dashboards").await;
    assert!(
        s.body
            .contains("Cifras publicadas: publicación 1 de este periodo")
    );
    served.stop().await;
}

/// A chapter re-sends a closed month as a labelled correction (counts taken later): the admin's
/// series over periods marks that month and names the chapter and the date of its counts, in
/// both languages, rather than mixing a later state into the month silently.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrected_report_marks_its_period_in_the_series() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = init_hub(
        tmp.path(),
        "National Labor Commission",
        Level::National,
        false,
    );
    let chapters = chapters_report(&hub);
    let triangle = &chapters[0];
    let before = last_month().previous().unwrap();
    // Series label periods by their month, in few letters ("Oct 2026").
    let short = |p: Period| {
        shopfloor_server::locale::format(shopfloor_server::locale::Locale::EnUs)
            .period_short(&p.to_string())
    };
    // Triangle's latest accepted report is last month's: the correction chains after it.
    let last_digest: String = hub
        .store()
        .read(|db| {
            Ok(db.query_row(
                "SELECT digest FROM reports WHERE child = 'triangle' ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    let signed = report(
        triangle,
        &hub.card().id,
        before,
        Some(Digest::from_hex(&last_digest).unwrap()),
        "NC",
        NC_MEMBERS + 40,
        NC_TRAININGS,
    );
    let mut corrected: Report = signed
        .verify(&triangle.card.signing_key)
        .unwrap()
        .document()
        .unwrap();
    corrected.revision = 2;
    corrected.correction = true;
    corrected.as_of = Some(corrected.generated_at);
    corrected.validate().unwrap();
    let env = Envelope::sign(&corrected, &triangle.keys);
    ingest::ingest(&hub, &triangle.seal_to(&env, hub.card())).unwrap();
    let served = Served::start(&hub).await;
    let mut admin = logged_in(&served.url, "admin", ADMIN_PASSWORD).await;
    let page = admin.get("/ui/dashboards").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("{} *", short(before))),
        "the month is marked"
    );
    assert!(
        !page.body.contains(&format!("{} *", short(last_month()))),
        "only that month"
    );
    assert!(
        page.body.contains("Periods marked with an asterisk"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("one corrected report (Triangle, counts as of")
    );
    // The trends and the metric's tables mark it too, with the legend in words.
    for path in ["/ui/trends", "/ui/tables?metric=members"] {
        let t = admin.get(path).await;
        assert_eq!(t.status, 200);
        assert!(
            t.body.contains(&format!("{} *", short(before))),
            "{path} marks the month"
        );
        assert!(
            t.body
                .contains("rebuilt its report for this month after the month closed"),
            "{path} says what the mark means"
        );
    }
    admin.accept_language = Some("es".into());
    let es = admin.get("/ui/dashboards").await;
    assert!(
        es.body
            .contains("un informe corregido (Triangle, cifras al"),
        "{}",
        es.body
    );
    assert_no_raw_ids(&es.body, "dashboards with a correction (es)");
}

/// The fields of each CSV line (the test's CSV has no quoted commas in the cells it checks).
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    body.trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

async fn api_token(base: &str, name: &str, password: &str) -> String {
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": name, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().await.unwrap();
    v["token"].as_str().unwrap().to_owned()
}

async fn api_get(base: &str, token: &str, path: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// The cell of `table` (its dimension values) in an API answer.
fn api_cell<'a>(
    v: &'a serde_json::Value,
    metric: &str,
    values: &[&str],
) -> Option<&'a serde_json::Value> {
    v["tables"].as_array()?.iter().find_map(|t| {
        if t["metric"] != metric || t["dims"].as_array()?.len() != values.len() {
            return None;
        }
        t["cells"].as_array()?.iter().find(|c| {
            c["dims"].as_array().is_some_and(|d| {
                d.len() == values.len() && d.iter().zip(values).all(|(pair, want)| pair[1] == *want)
            })
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_of_a_metric_its_trend_and_the_csv_under_the_viewer_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let (_hub, served, _) = national_with_chapters(tmp.path(), false).await;
    let mut admin = logged_in(&served.url, "admin", ADMIN_PASSWORD).await;
    let mut viewer = logged_in(&served.url, "vera", VIEWER_PASSWORD).await;
    let last = last_month();
    let before = last.previous().unwrap();
    let total = NC_MEMBERS + LA_MEMBERS + TX_MEMBERS;

    // Admins: the total, its change (each chapter grew by 10), every table, every child.
    let a = admin.get("/ui/tables?metric=members").await;
    assert_eq!(a.status, 200, "{}", a.body);
    dump("tables-admin", &a.body);
    assert!(shows_number(&a.body, total));
    assert!(
        a.body.contains("+30 since last month"),
        "the month's change"
    );
    assert!(shows_number(&a.body, NC_MEMBERS), "the state table");
    assert!(a.body.contains("North Carolina"));
    assert!(a.body.contains("Health care"), "the sector table, labelled");
    assert!(a.body.contains("Triangle"), "the drill-down");
    assert!(a.body.contains("path=triangle"));
    let t = admin.get("/ui/tables?metric=members&path=triangle").await;
    assert_eq!(t.status, 200);
    assert!(shows_number(&t.body, NC_MEMBERS));
    // A metric with one table drawn as a funnel, and one with none beyond its total.
    for m in ["workplaces", "trainings-completed", "pods", "campaigns"] {
        let p = admin.get(&format!("/ui/tables?metric={m}")).await;
        assert_eq!(p.status, 200, "{m}");
        assert_no_raw_ids(&p.body, m);
    }
    assert_eq!(admin.get("/ui/tables?metric=shoe-size").await.status, 400);

    // Viewers: never a single chapter, never a withheld value.
    assert_eq!(
        viewer
            .get("/ui/tables?metric=members&path=triangle")
            .await
            .status,
        403
    );
    let withheld = [NC_MEMBERS, LA_MEMBERS, TX_MEMBERS, NC_TRAININGS + 13];
    for m in ["members", "trainings-completed"] {
        let v = viewer.get(&format!("/ui/tables?metric={m}")).await;
        assert_eq!(v.status, 200);
        for n in withheld {
            assert!(!shows_number(&v.body, n), "viewer table {m} shows {n}");
        }
        assert!(!v.body.contains("Triangle"));
    }

    // CSV: a byte-order mark, a header, one line per cell; the same rule.
    let csv = admin.get("/ui/tables.csv?metric=members").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'), "a BOM for spreadsheets");
    let rows = csv_rows(&csv.body);
    assert_eq!(rows[0][0], "Month");
    let nc = rows
        .iter()
        .find(|r| r.get(5).is_some_and(|v| v == "NC"))
        .expect("the NC cell");
    assert_eq!(nc[6], "North Carolina");
    assert_eq!(nc[10], NC_MEMBERS.to_string());
    assert_eq!(nc[11], "exact");
    // A level no month holds is refused, not an empty sheet; the file is named from its ids.
    assert_eq!(
        admin
            .get("/ui/tables.csv?period=all&path=nowhere%22x")
            .await
            .status,
        404
    );
    let named = reqwest::Client::new()
        .get(format!(
            "{}/ui/tables.csv?metric=members&path=triangle",
            served.url
        ))
        .header(
            "cookie",
            admin
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        named.headers()["content-disposition"],
        format!("attachment; filename=\"triangle-members-{last}.csv\"").as_str()
    );
    let all = viewer.get("/ui/tables.csv?period=all&metric=all").await;
    assert_eq!(all.status, 200);
    let rows = csv_rows(&all.body);
    for n in withheld.iter().chain(&[NC_MEMBERS - 10, NC_TRAININGS]) {
        assert!(
            !rows.iter().flatten().any(|f| *f == n.to_string()),
            "the viewer's CSV holds withheld value {n}"
        );
    }
    let periods: BTreeSet<&str> = rows.iter().skip(1).map(|r| r[0].as_str()).collect();
    assert_eq!(
        periods,
        BTreeSet::from([last.to_string().as_str(), before.to_string().as_str()]),
        "every published period"
    );
    let nc = rows
        .iter()
        .find(|r| r.get(5).is_some_and(|v| v == "NC") && r[0] == last.to_string())
        .expect("the NC cell, marked");
    assert_eq!(nc[10], "", "no number for a withheld cell");
    assert_eq!(nc[11], "not shown to protect chapter numbers");
    assert!(
        rows.iter()
            .any(|r| r[3] == "members" && r[4].is_empty() && r[10] == total.to_string()),
        "the total passes the rule"
    );
    // In Spanish.
    let mut es = logged_in(&served.url, "vera", VIEWER_PASSWORD).await;
    es.accept_language = Some("es".into());
    let es_csv = es.get("/ui/tables.csv?metric=members").await;
    let rows = csv_rows(&es_csv.body);
    assert_eq!(rows[0][0], "Mes");
    assert!(rows.iter().any(|r| {
        r.get(11)
            .is_some_and(|s| s == "no se muestra para proteger las cifras de los capítulos")
    }));

    // JSON: the same cells, a status on each and a value only where one may be shown.
    let vt = api_token(&served.url, "vera", VIEWER_PASSWORD).await;
    let (s, v) = api_get(
        &served.url,
        &vt,
        &format!("/api/v1/tables/{last}?metric=members"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(api_cell(&v, "members", &[]).unwrap()["value"], total);
    let nc = api_cell(&v, "members", &["NC"]).unwrap();
    assert_eq!(nc["status"], "withheld");
    assert!(nc.get("value").is_none());
    let (s, _) = api_get(
        &served.url,
        &vt,
        &format!("/api/v1/tables/{last}?path=triangle"),
    )
    .await;
    assert_eq!(s, 403);
    let at = api_token(&served.url, "admin", ADMIN_PASSWORD).await;
    let (s, v) = api_get(&served.url, &at, &format!("/api/v1/tables/{last}")).await;
    assert_eq!(s, 200);
    assert_eq!(
        api_cell(&v, "members", &["NC"]).unwrap()["value"],
        NC_MEMBERS
    );
    assert_eq!(
        api_cell(&v, "trainings-completed", &["one-on-ones"]).unwrap()["value"],
        NC_TRAININGS + 13
    );
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labor_formations_per_chapter_for_admins_and_counts_for_viewers() {
    let tmp = tempfile::tempdir().unwrap();
    let (_hub, served, _) = national_with_chapters(tmp.path(), false).await;
    let mut admin = logged_in(&served.url, "admin", ADMIN_PASSWORD).await;
    let mut viewer = logged_in(&served.url, "vera", VIEWER_PASSWORD).await;
    let a = admin.get("/ui/formations").await;
    assert_eq!(a.status, 200, "{}", a.body);
    dump("formations-admin", &a.body);
    assert!(a.body.contains("2 of 3 chapters have a labor committee"));
    assert!(
        a.body
            .contains("1 of 3 chapters have a Central Labor Council delegate")
    );
    assert!(a.body.contains("1 of 3 chapters have all three"));
    // One line per chapter, with its facts, its last report and this month's status.
    let line = |name: &str| -> String {
        let at = a
            .body
            .find(&format!(">{name}</a>"))
            .unwrap_or_else(|| panic!("{name} listed"));
        a.body[at..].split("</tr>").next().unwrap().to_owned()
    };
    let triangle = line("Triangle");
    assert_eq!(triangle.matches(">Yes<").count(), 3, "{triangle}");
    assert!(triangle.contains("North Carolina"));
    // The last report's period, as its month.
    let month = shopfloor_server::locale::format(shopfloor_server::locale::Locale::EnUs)
        .period(&last_month().to_string());
    assert!(triangle.contains(&format!(">{month}<")), "{triangle}");
    assert!(triangle.contains(">On time<") || triangle.contains(">Late<"));
    let houston = line("Houston");
    assert_eq!(houston.matches(">No<").count(), 3, "{houston}");
    assert!(
        a.body.contains("path=houston"),
        "links to the chapter's dashboards"
    );
    // An earlier month, and a chapter's own line.
    let before = last_month().previous().unwrap();
    let b = admin.get(&format!("/ui/formations?period={before}")).await;
    assert_eq!(b.status, 200);
    let month = shopfloor_server::locale::format(shopfloor_server::locale::Locale::EnUs)
        .period(&before.to_string());
    assert!(b.body.contains(&format!(">{month}<")));
    let t = admin.get("/ui/formations?path=triangle").await;
    assert_eq!(t.status, 200);
    assert!(t.body.contains("1 of 1 chapter has all three"));

    // Viewers: counts (3 chapters reported), no chapter named, no chapter path.
    let v = viewer.get("/ui/formations").await;
    assert_eq!(v.status, 200);
    assert!(v.body.contains("2 of 3 chapters have a labor committee"));
    for name in ["Triangle", "New Orleans", "Houston"] {
        assert!(!v.body.contains(name), "a viewer sees {name}");
    }
    assert_eq!(viewer.get("/ui/formations?path=triangle").await.status, 403);
    let mut es = logged_in(&served.url, "vera", VIEWER_PASSWORD).await;
    es.accept_language = Some("es".into());
    let e = es.get("/ui/formations").await;
    assert!(e.body.contains("2 de 3 capítulos tienen un comité laboral"));
    assert_no_raw_ids(&e.body, "formations (es)");
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trends_draw_every_metric_over_every_period_under_the_viewer_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let (_hub, served, _) = national_with_chapters(tmp.path(), false).await;
    let mut admin = logged_in(&served.url, "admin", ADMIN_PASSWORD).await;
    let mut viewer = logged_in(&served.url, "vera", VIEWER_PASSWORD).await;
    let last = last_month();
    let before = last.previous().unwrap();
    // The series label months in few letters ("Oct 2026").
    let short = |p: Period| {
        shopfloor_server::locale::format(shopfloor_server::locale::Locale::EnUs)
            .period_short(&p.to_string())
    };
    let (last_s, before_s) = (short(last), short(before));
    let total = NC_MEMBERS + LA_MEMBERS + TX_MEMBERS;
    let a = admin.get("/ui/trends").await;
    assert_eq!(a.status, 200, "{}", a.body);
    dump("trends-admin", &a.body);
    // Every metric has its multiple, linking to its tables.
    for m in shopfloor_protocol::registry::METRICS {
        assert!(a.body.contains(&format!("metric={}", m.id)), "{}", m.id);
    }
    // Two months ago was reported today, after its deadline: marked, and the legend says so.
    assert!(
        a.body
            .contains(&format!("{before_s} †: {}", util_group(total - 30)))
    );
    assert!(a.body.contains("arrived after the deadline"));
    assert!(
        a.body
            .replace(" †", "")
            .contains(&format!("{last_s}: {}", util_group(total)))
    );
    assert!(a.body.contains("+30 since last month"));
    assert!(a.body.contains("<polyline"), "a sparkline");
    assert!(
        shows_number(&a.body, NC_TRAININGS + 13),
        "admins see every total"
    );
    let r = admin.get("/ui/trends?path=triangle").await;
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .replace(" †", "")
            .contains(&format!("{last_s}: {}", util_group(NC_MEMBERS)))
    );
    // Viewers: published totals only; the trainings total (one chapter holds 98%) is a gap.
    let v = viewer.get("/ui/trends").await;
    assert_eq!(v.status, 200);
    assert!(
        v.body
            .replace(" †", "")
            .contains(&format!("{last_s}: {}", util_group(total)))
    );
    assert!(
        !shows_number(&v.body, NC_TRAININGS + 13),
        "viewer trends show the trainings total"
    );
    assert!(v.body.contains("not shown to protect chapter numbers"));
    assert_eq!(viewer.get("/ui/trends?path=triangle").await.status, 403);
    served.stop().await;
}
