//! The node's form bodies and page queries, through the node's real router (in process, no
//! socket): a logged-in admin posts fuzzed `application/x-www-form-urlencoded` bodies to every form
//! that does not hash a password, log out, or talk to a hub; filter pages get fuzzed query
//! strings. The first input byte picks the route, the rest is the body (after a valid CSRF token)
//! or the query. No answer may be a 5xx: input the node cannot take is a 4xx or a form with errors.
//! The login and password forms (argon2 on every call) are fuzzed as types only.
#![no_main]

use std::sync::LazyLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use libfuzzer_sys::fuzz_target;
use shopfloor_node::datadir::{DataDir, init};
use shopfloor_node::import::{ImportOptions, import_bytes};
use shopfloor_node::web::ui::{account, admin, members, organizing, reports, workplaces};
use shopfloor_node::web::{AppState, forms, router, session};
use tower::ServiceExt as _;

/// `(method, path)`; POST bodies get `csrf=TOKEN&` in front, GET paths get `?` and the input.
const ROUTES: &[(Method, &str)] = &[
    (Method::POST, "/language"),
    (Method::POST, "/members/new"),
    (Method::POST, "/members/1/edit"),
    (Method::POST, "/members/1/workplace"),
    (Method::POST, "/members/1/trainings"),
    (Method::POST, "/members/1/reserve"),
    (Method::POST, "/members/1/pods"),
    (Method::POST, "/workplaces/new"),
    (Method::POST, "/workplaces/1/edit"),
    (Method::POST, "/workplaces/1/stage"),
    (Method::POST, "/pods"),
    (Method::POST, "/trainings"),
    (Method::POST, "/mentorships"),
    (Method::POST, "/mentorships/1/end"),
    (Method::POST, "/campaigns"),
    (Method::POST, "/campaigns/1"),
    (Method::POST, "/campaigns/1/metrics"),
    (Method::POST, "/campaigns/1/workplaces"),
    (Method::POST, "/recruitment"),
    (Method::POST, "/settings/facts"),
    (Method::GET, "/members"),
    (Method::GET, "/members/1"),
    (Method::GET, "/workplaces"),
    (Method::GET, "/workplaces/1"),
    (Method::GET, "/campaigns/1"),
    (Method::GET, "/audit"),
    (Method::GET, "/reports"),
    (Method::GET, "/guidance"),
    (Method::GET, "/login"),
    (Method::GET, "/account"),
];

/// Pages that read what the forms write.
const READERS: &[&str] = &[
    "/",
    "/reports",
    "/members",
    "/workplaces",
    "/campaigns/1",
    "/reserve",
];

struct Node {
    _tmp: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    app: Router,
    cookie: String,
    csrf: String,
}

impl Node {
    fn send(&self, method: &Method, uri: &str, body: Vec<u8>) -> axum::http::StatusCode {
        let Ok(req) = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header(header::HOST, "127.0.0.1")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &self.cookie)
            .body(Body::from(body))
        else {
            // Not a valid URI: no request can carry it.
            return axum::http::StatusCode::BAD_REQUEST;
        };
        let res = self.runtime.block_on(self.app.clone().oneshot(req));
        match res {
            Ok(r) => r.status(),
            Err(never) => match never {},
        }
    }
}

static NODE: LazyLock<Node> = LazyLock::new(|| {
    // The cause of a 5xx is only logged: show errors, so a crash report says what went wrong.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::ERROR)
        .try_init();
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("data");
    init(
        &root,
        "Fuzz DSA",
        "NC",
        Some("fuzz-password-not-secret".into()),
    )
    .expect("node init");
    let state = AppState::open(DataDir::new(&root)).expect("app state");
    let seed = include_bytes!("../../node/tests/fixtures/national_current.csv");
    import_bytes(state.store(), seed, &ImportOptions::default(), "fuzz").expect("seed import");
    let new = state
        .store()
        .write(|tx| {
            let id: i64 =
                tx.query_row("SELECT id FROM users WHERE username = 'admin'", [], |r| {
                    r.get(0)
                })?;
            session::create(tx, id, None)
        })
        .expect("admin session");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let node = Node {
        _tmp: tmp,
        runtime,
        app: router(state.clone()),
        cookie: format!("{}={}", state.cookie_name(), new.secret),
        csrf: new.csrf,
    };
    // Something for the `/1` routes to find: a workplace, a campaign, a pod, a mentorship.
    for (path, body) in [
        (
            "/workplaces/new",
            "employer=Acme&state=NC&sector=62&workforce_size=40",
        ),
        (
            "/campaigns",
            "title=Fair+shifts&kind=workplace&status=active",
        ),
        ("/pods", "name=Nurses&sector=62"),
        ("/mentorships", "mentor_id=1&mentee_id=2"),
    ] {
        let body = format!("csrf={}&{body}", node.csrf).into_bytes();
        let status = node.send(&Method::POST, path, body);
        assert!(
            status.is_redirection() || status.is_success(),
            "seeding {path}: {status}"
        );
    }
    node
});

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let node = &*NODE;

    // The form types themselves, as the handlers deserialize them.
    let _ = serde_urlencoded::from_bytes::<forms::LoginForm>(rest);
    let _ = serde_urlencoded::from_bytes::<forms::PasswordForm>(rest);
    let _ = serde_urlencoded::from_bytes::<account::LanguageForm>(rest);
    let _ = serde_urlencoded::from_bytes::<admin::SettingsForm>(rest);
    let _ = serde_urlencoded::from_bytes::<members::EditForm>(rest);
    let _ = serde_urlencoded::from_bytes::<members::NewForm>(rest);
    let _ = serde_urlencoded::from_bytes::<organizing::Fields>(rest);
    let _ = serde_urlencoded::from_bytes::<organizing::CampaignForm>(rest);
    let _ = serde_urlencoded::from_bytes::<reports::SupportForm>(rest);
    let _ = serde_urlencoded::from_bytes::<workplaces::WorkplaceForm>(rest);

    let Some((method, path)) = ROUTES.get(usize::from(pick) % ROUTES.len()) else {
        return;
    };
    let (uri, body) = if *method == Method::GET {
        let Ok(query) = std::str::from_utf8(rest) else {
            return;
        };
        (format!("{path}?{query}"), Vec::new())
    } else {
        let mut body = format!("csrf={}&", node.csrf).into_bytes();
        body.extend_from_slice(rest);
        (path.to_string(), body)
    };
    let status = node.send(method, &uri, body);
    assert!(
        !status.is_server_error(),
        "{method} {uri} answered {status} to {:?}",
        String::from_utf8_lossy(rest)
    );
    // What a form stored must not break the pages that read it later: the crash is then this
    // input (a write from the seeded state), not whichever later request happened to read it.
    if *method == Method::POST && (status.is_redirection() || status.is_success()) {
        for page in READERS {
            let status = node.send(&Method::GET, page, Vec::new());
            assert!(
                !status.is_server_error(),
                "after POST {uri} with {:?}, GET {page} answered {status}",
                String::from_utf8_lossy(rest)
            );
        }
    }
});
