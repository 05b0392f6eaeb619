//! The web interface through a real server on loopback: sessions, cookies, CSRF, rate limits,
//! pod-lead scoping, audit entries, import and export. The route-by-role walk and the viewer
//! canary sweep are in `web_roles.rs`.

use std::time::Duration;

use reqwest::{Client, Method, StatusCode, redirect};
use serde_json::{Value, json};
use shopfloor_node::datadir::DataDir;
use shopfloor_node::domain::members::{self, ListFields};
use shopfloor_node::domain::workplaces::{self, Link, WorkplaceFields};
use shopfloor_node::domain::{campaigns, mentorships, pods, reserve, trainings, users};
use shopfloor_node::store::Store;
use shopfloor_node::web::{self, AppState, LoginLimiter};

use crate::util::{ADMIN_PASSWORD, count, node};

pub const PASSWORD: &str = "a long enough passphrase";

/// A node served on 127.0.0.1:<ephemeral>, stopped when dropped.
pub struct Server {
    pub base: String,
    pub store: Store,
    pub dir: DataDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _tmp: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl Server {
    pub async fn start() -> Server {
        Server::start_with(LoginLimiter::default(), None).await
    }

    pub async fn start_with(limiter: LoginLimiter, public_url: Option<&str>) -> Server {
        Server::start_configured(limiter, |c| c.public_url = public_url.map(str::to_owned)).await
    }

    /// A server whose config `edit` adjusted. The test client stands in for a reverse proxy on
    /// 127.0.0.1, which `trusted_proxies` names (so it picks addresses with X-Forwarded-For)
    /// unless `edit` clears it.
    pub async fn start_configured(
        limiter: LoginLimiter,
        edit: impl FnOnce(&mut shopfloor_node::datadir::NodeConfig),
    ) -> Server {
        let (tmp, dir, store) = node();
        let mut config = dir.config().unwrap();
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        edit(&mut config);
        let state = AppState::with_limiter(
            dir.clone(),
            store.clone(),
            config,
            dir.card().unwrap(),
            limiter,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::task::spawn(web::serve_listener(state, listener, async move {
            let _ = rx.await;
        }));
        Server {
            base,
            store,
            dir,
            stop: Some(tx),
            _tmp: tmp,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Adds an account; returns its id.
    pub fn add_user(&self, name: &str, role: &str, member: Option<i64>) -> i64 {
        let hash = users::hash_password(PASSWORD).unwrap();
        self.store
            .write(|tx| {
                let id = users::add(tx, name, role, &hash)?;
                tx.execute(
                    "UPDATE users SET member_id = ?2 WHERE id = ?1",
                    rusqlite::params![id, member],
                )?;
                Ok(id)
            })
            .unwrap()
    }

    /// Audit entries with this action, newest first: (actor, subject, detail).
    pub fn audit(&self, action: &str) -> Vec<(String, String, String)> {
        self.store
            .read(|c| {
                let mut s = c.prepare(
                    "SELECT actor, subject, detail FROM audit_log WHERE action = ?1 ORDER BY id DESC",
                )?;
                let rows = s.query_map([action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .unwrap()
    }
}

pub fn client() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A logged-in browser-like client (cookie) and its CSRF token.
pub struct Session {
    pub client: Client,
    pub csrf: String,
}

impl Session {
    /// Sends a request with the session cookie and the CSRF header.
    pub async fn send(&self, method: Method, url: &str, body: Option<&Value>) -> reqwest::Response {
        let mut rb = self
            .client
            .request(method, url)
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            rb = rb.json(b);
        }
        rb.send().await.unwrap()
    }
}

pub async fn login(server: &Server, username: &str, password: &str) -> Session {
    let client = client();
    let r = client
        .post(server.url("/api/v1/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "login as {username}");
    let v: Value = r.json().await.unwrap();
    Session {
        client,
        csrf: v["csrf_token"].as_str().unwrap().to_owned(),
    }
}

/// What [`seed`] made.
#[derive(Debug, Clone, Copy)]
pub struct Seed {
    /// In pod 1.
    pub m_a: i64,
    /// Leads pod 1 (the pod lead account's member record).
    pub m_b: i64,
    /// In pod 2.
    pub m_c: i64,
    /// In no pod.
    pub m_d: i64,
    pub pod1: i64,
    pub pod2: i64,
    /// Where m_a works.
    pub w1: i64,
    /// Where m_c works.
    pub w2: i64,
    pub campaign: i64,
    pub mentorship: i64,
    pub viewer_user: i64,
    pub spare_user: i64,
}

/// A member whose every text field holds a unique canary string.
pub fn canary_member(tag: &str) -> ListFields {
    let c = |f: &str| format!("CANARY{tag}{f}");
    ListFields {
        actionkit_id: Some(c("akid")),
        first_name: c("first"),
        middle_name: c("middle"),
        last_name: c("last"),
        email: Some(format!("canary{tag}@example.org")),
        mobile_phone: c("mobile"),
        home_phone: c("home"),
        work_phone: c("work"),
        best_phone: c("best"),
        do_not_call: false,
        p2ptext_optout: false,
        join_date: Some("2020-01-01".into()),
        xdate: Some("2030-01-01".into()),
        membership_status: "Member in Good Standing".into(),
        membership_type: c("type"),
        monthly_dues_status: c("monthly"),
        yearly_dues_status: c("yearly"),
        union_member: c("unionanswer"),
        union_name: c("unionname"),
        union_local: c("unionlocal"),
        city: c("city"),
        state: "NC".into(),
        zip: c("zip"),
        preferred_language: Some("es".into()),
    }
}

/// Members, pods, workplaces, a campaign, a mentorship, reserve, trainings; and the accounts
/// viewer, podlead (member m_b, leading pod 1), organizer and spare.
pub fn seed(server: &Server) -> Seed {
    let s = &server.store;
    let seed = s
        .write(|tx| {
            let m_a = members::create(tx, &canary_member("a"))?;
            let m_b = members::create(tx, &canary_member("b"))?;
            let m_c = members::create(tx, &canary_member("c"))?;
            let m_d = members::create(tx, &canary_member("d"))?;
            let pod1 = pods::create(tx, "CANARYpodone", Some("62"))?;
            let pod2 = pods::create(tx, "CANARYpodtwo", Some("44-45"))?;
            pods::add_member(tx, pod1, m_a, false)?;
            pods::add_member(tx, pod1, m_b, true)?;
            pods::add_member(tx, pod2, m_c, true)?;
            let wf = |tag: &str| WorkplaceFields {
                employer: format!("CANARY{tag}employer"),
                site: format!("CANARY{tag}site"),
                city: format!("CANARY{tag}wcity"),
                sector: Some("62".into()),
                state: Some("NC".into()),
                notes: format!("CANARY{tag}notes"),
                workforce_size: Some(40),
                representation: "none".into(),
                ..WorkplaceFields::default()
            };
            let w1 = workplaces::create(tx, &wf("w1"), "seed")?;
            let w2 = workplaces::create(tx, &wf("w2"), "seed")?;
            for (m, w) in [(m_a, w1), (m_c, w2)] {
                workplaces::link_member(
                    tx,
                    &Link {
                        member_id: m,
                        workplace_id: w,
                        job_title: format!("CANARYjob{m}"),
                        since: Some("2021-01-01".into()),
                        is_primary: true,
                    },
                )?;
            }
            trainings::upsert(
                tx,
                &trainings::Training {
                    code: "one-on-ones".into(),
                    title_en: "One-on-ones".into(),
                    title_es: "Conversaciones".into(),
                    source: "chapter".into(),
                },
            )?;
            trainings::complete(tx, m_a, "one-on-ones", "2026-01-10")?;
            let mentorship = mentorships::start(tx, m_b, m_a, "2026-01-01")?;
            reserve::opt_in(
                tx,
                &reserve::ReserveEntry {
                    member_id: m_a,
                    languages: vec!["es".into()],
                    skills: vec!["one-on-ones".into()],
                    availability: "CANARYaavailability".into(),
                    active: true,
                },
            )?;
            let campaign = campaigns::create(
                tx,
                &campaigns::CampaignFields {
                    title: "Hospital contract fight".into(),
                    kind: "new-organizing".into(),
                    status: "active".into(),
                    approval: "approved".into(),
                    public: true,
                    priority: false,
                    labor_component: true,
                },
            )?;
            Ok(Seed {
                m_a,
                m_b,
                m_c,
                m_d,
                pod1,
                pod2,
                w1,
                w2,
                campaign,
                mentorship,
                viewer_user: 0,
                spare_user: 0,
            })
        })
        .unwrap();
    let viewer_user = server.add_user("viewer", "viewer", None);
    server.add_user("podlead", "pod_lead", Some(seed.m_b));
    server.add_user("organizer", "organizer", None);
    let spare_user = server.add_user("spare", "viewer", None);
    Seed {
        viewer_user,
        spare_user,
        ..seed
    }
}

// ---------------------------------------------------------------------------------------------

fn set_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_is_http_only_strict_and_secure_behind_tls() {
    let plain = Server::start().await;
    let r = client()
        .post(plain.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let c = set_cookie(&r);
    assert!(c.starts_with("sf_session="), "{c}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(c.contains(attr), "{attr} missing from {c}");
    }
    assert!(!c.contains("Secure"), "plain http must not set Secure: {c}");
    // Only the hash of the session id is stored.
    let secret = c
        .trim_start_matches("sf_session=")
        .split(';')
        .next()
        .unwrap();
    assert_eq!(
        count(
            &plain.store,
            &format!("SELECT count(*) FROM sessions WHERE id_hash = '{secret}'")
        ),
        0
    );
    assert_eq!(count(&plain.store, "SELECT count(*) FROM sessions"), 1);

    let tls = Server::start_with(LoginLimiter::default(), Some("https://shop.example.org")).await;
    let r = client()
        .post(tls.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let c = set_cookie(&r);
    assert!(c.starts_with("__Host-sf_session="), "{c}");
    assert!(
        c.contains("; Secure") && c.contains("HttpOnly") && c.contains("SameSite=Strict"),
        "{c}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_rotates_the_session_and_logout_ends_it() {
    let server = Server::start().await;
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let me: Value = s
        .send(Method::GET, &server.url("/api/v1/me"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "admin");
    assert_eq!(me["csrf_token"], s.csrf.as_str());
    // Logging in again from the same browser replaces the session (no fixation, no pile-up).
    let r = s
        .client
        .post(server.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let new_csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_csrf, s.csrf);
    assert_eq!(count(&server.store, "SELECT count(*) FROM sessions"), 1);
    let s = Session {
        client: s.client,
        csrf: new_csrf,
    };
    let r = s
        .send(Method::POST, &server.url("/api/v1/logout"), None)
        .await;
    assert_eq!(r.status(), 204);
    assert!(set_cookie(&r).contains("Max-Age=0"));
    assert_eq!(count(&server.store, "SELECT count(*) FROM sessions"), 0);
    let r = s.send(Method::GET, &server.url("/api/v1/me"), None).await;
    assert_eq!(r.status(), 401);
    assert_eq!(server.audit("logout").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_or_idle_sessions_and_disabled_users_are_refused() {
    let server = Server::start().await;
    seed(&server);
    let s = login(&server, "organizer", PASSWORD).await;
    let url = server.url("/api/v1/members");
    assert_eq!(s.send(Method::GET, &url, None).await.status(), 200);
    server
        .store
        .write(|tx| Ok(tx.execute("UPDATE sessions SET last_seen = last_seen - 3 * 3600", [])?))
        .unwrap();
    assert_eq!(s.send(Method::GET, &url, None).await.status(), 401);

    let s = login(&server, "organizer", PASSWORD).await;
    server
        .store
        .write(|tx| Ok(tx.execute("UPDATE sessions SET expires_at = 1", [])?))
        .unwrap();
    assert_eq!(s.send(Method::GET, &url, None).await.status(), 401);

    // Disabling through the API ends sessions and tokens at once.
    let s = login(&server, "organizer", PASSWORD).await;
    let token = server
        .store
        .write(|tx| web::session::create_token(tx, "organizer", "test"))
        .unwrap();
    let bearer = |t: &str| {
        client()
            .get(server.url("/api/v1/members"))
            .bearer_auth(t)
            .send()
    };
    assert_eq!(bearer(&token).await.unwrap().status(), 200);
    let admin = login(&server, "admin", ADMIN_PASSWORD).await;
    let org_id: i64 = count(
        &server.store,
        "SELECT id FROM users WHERE username = 'organizer'",
    );
    let r = admin
        .send(
            Method::PATCH,
            &server.url(&format!("/api/v1/users/{org_id}")),
            Some(&json!({"disabled": true})),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(s.send(Method::GET, &url, None).await.status(), 401);
    assert_eq!(bearer(&token).await.unwrap().status(), 401);
    assert_eq!(bearer("sfn_nonsense").await.unwrap().status(), 401);
    let r = client()
        .post(server.url("/api/v1/login"))
        .json(&json!({"username": "organizer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_authenticated_writes_need_the_csrf_token() {
    let server = Server::start().await;
    let seed = seed(&server);
    let s = login(&server, "organizer", PASSWORD).await;
    let url = server.url(&format!("/api/v1/members/{}", seed.m_a));
    let body = json!({"readiness": 3});
    // No token.
    let r = s.client.patch(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "csrf_failed");
    // A wrong token.
    let r = s
        .client
        .patch(&url)
        .header("x-csrf-token", "0".repeat(64))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        count(
            &server.store,
            "SELECT count(*) FROM members WHERE readiness IS NOT NULL"
        ),
        0
    );
    // The right token.
    assert_eq!(s.send(Method::PATCH, &url, Some(&body)).await.status(), 200);
    // Another site's page posting with the user's cookie (and even the token) is refused.
    let r = s
        .client
        .patch(&url)
        .header("x-csrf-token", &s.csrf)
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = s
        .client
        .patch(&url)
        .header("x-csrf-token", &s.csrf)
        .header("sec-fetch-site", "cross-site")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // HTML forms: the logout form without its token is refused and the session survives.
    let r = s
        .client
        .post(server.url("/logout"))
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(count(&server.store, "SELECT count(*) FROM sessions"), 1);
    let r = s
        .client
        .post(server.url("/logout"))
        .form(&[("csrf", s.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(count(&server.store, "SELECT count(*) FROM sessions"), 0);
    // Bearer tokens carry no ambient authority: no CSRF token needed.
    let token = server
        .store
        .write(|tx| web::session::create_token(tx, "organizer", "script"))
        .unwrap();
    let r = client()
        .patch(&url)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

fn attempt_from(
    c: &Client,
    server: &Server,
    user: &str,
    pw: &str,
    ip: &str,
) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {
    c.post(server.url("/api/v1/login"))
        .header("x-forwarded-for", ip)
        .json(&json!({"username": user, "password": pw}))
        .send()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_cannot_lock_a_user_out() {
    let server = Server::start().await;
    seed(&server);
    // The organizer's own browser logged in before: it holds a device cookie.
    let browser = client();
    let r = attempt_from(&browser, &server, "organizer", PASSWORD, "192.0.2.10")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()
            .get_all("set-cookie")
            .iter()
            .any(|v| v.to_str().unwrap().starts_with("sf_device="))
    );
    let c = client();
    let attempt = |user: &'static str, pw: &'static str, ip: &'static str| {
        attempt_from(&c, &server, user, pw, ip)
    };
    // Five wrong passwords from one address hold that address for that account...
    for _ in 0..5 {
        let r = attempt("organizer", "wrong password!!", "10.0.0.1")
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "login_failed");
    }
    let r = attempt("organizer", PASSWORD, "10.0.0.1").await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "rate_limited");
    // ...not the real user elsewhere, and not other users.
    assert_eq!(
        attempt("organizer", PASSWORD, "10.0.0.2")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        attempt("viewer", PASSWORD, "10.0.0.1")
            .await
            .unwrap()
            .status(),
        200
    );
    // Five more guesses from other addresses (ten in all) lock the account against clients
    // that never logged in...
    for ip in ["10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4", "10.0.1.5"] {
        assert_eq!(
            attempt("organizer", "wrong password!!", ip)
                .await
                .unwrap()
                .status(),
            401
        );
    }
    assert_eq!(
        attempt("organizer", PASSWORD, "10.0.2.1")
            .await
            .unwrap()
            .status(),
        429
    );
    // ...but the organizer's own browser is still checked, and gets in.
    let r = attempt_from(&browser, &server, "organizer", PASSWORD, "192.0.2.10")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The login form follows the same rules.
    let r = c
        .post(server.url("/login"))
        .header("x-forwarded-for", "10.0.2.1")
        .form(&[("username", "organizer"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=rate_limited")
    );
    // An admin clears the lock with `user unlock`; the running server sees it at once.
    let out =
        crate::util::run(crate::util::bin(server.dir.root()).args(["user", "unlock", "organizer"]));
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    assert_eq!(
        attempt("organizer", PASSWORD, "10.0.2.1")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(server.audit("login.lock").len(), 1);
    assert_eq!(server.audit("user.unlock").len(), 1);
    // Failures are audited (without the password).
    let failures = server.audit("login.failure");
    assert_eq!(failures.len(), 10);
    assert!(failures.iter().all(|(actor, _, _)| actor == "-"));
    assert_eq!(
        count(
            &server.store,
            "SELECT count(*) FROM audit_log WHERE detail LIKE '%wrong password%'"
        ),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_limiter_keeps_limiting_when_table_full() {
    let server = Server::start().await;
    seed(&server);
    let c = client();
    // The attacker's recipe: 5,200 failed logins with fresh names, 1,025-byte passwords
    // (refused before argon2) and rotating addresses, eight at a time.
    let long = "x".repeat(1025);
    let mut tasks = Vec::new();
    for t in 0..8_u32 {
        let (c, url, long) = (c.clone(), server.url("/api/v1/login"), long.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..650_u32 {
                let n = t * 650 + i;
                let s = c
                    .post(&url)
                    .header(
                        "x-forwarded-for",
                        format!("10.{}.{}.{}", 100 + t, i / 256, i % 256),
                    )
                    .json(&json!({"username": format!("fresh{n}"), "password": long}))
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert!(s == 401 || s == 429, "{s}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Forty wrong passwords for a real user from one address: five are checked, then 429.
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let r = attempt_from(&c, &server, "organizer", "wrong password!!", "10.0.0.7")
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5);
    assert!(statuses[5..].iter().all(|s| *s == 429));
    // The right one from there is refused too; from elsewhere it gets in.
    assert_eq!(
        attempt_from(&c, &server, "organizer", PASSWORD, "10.0.0.7")
            .await
            .unwrap()
            .status(),
        429
    );
    assert_eq!(
        attempt_from(&c, &server, "organizer", PASSWORD, "10.0.0.8")
            .await
            .unwrap()
            .status(),
        200
    );
    // The flood left a bounded trace: no row per made-up name.
    assert_eq!(
        count(
            &server.store,
            "SELECT count(*) FROM login_throttle WHERE key LIKE '%fresh%'"
        ),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_ignored_unless_from_a_trusted_proxy() {
    let server = Server::start_configured(LoginLimiter::default(), |c| {
        c.trusted_proxies.clear();
    })
    .await;
    seed(&server);
    let c = client();
    // Made-up names, each "from" a different address: without `trusted_proxies` the header
    // is ignored, so they are all one client (127.0.0.1), held after five.
    let mut statuses = Vec::new();
    for i in 0..6 {
        let r = attempt_from(
            &c,
            &server,
            &format!("nobody{i}"),
            "wrong password!!",
            &format!("10.5.0.{i}"),
        )
        .await
        .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
    let failures = server.audit("login.failure");
    assert!(
        failures
            .iter()
            .all(|(_, _, detail)| detail == "from 127.0.0.1"),
        "{failures:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_form_redirects_to_next_but_never_off_site() {
    let server = Server::start().await;
    let c = client();
    let r = c
        .post(server.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("next", "//evil.example/x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let r = c
        .post(server.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("next", "/members?page=2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/members?page=2");
    let r = c
        .post(server.url("/login"))
        .form(&[("username", "admin"), ("password", "not the password")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?error=invalid&next=/");
    // A login posted from another site is refused before any password check.
    let r = client()
        .post(server.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_redirect_to_login_and_the_api_answers_401_json() {
    let server = Server::start().await;
    // A page route that needs a user: the logout form's GET is the UI's; use a page path that
    // goes through CurrentUser via the form handler: POST is not a page, so test the extractor
    // on an API path with Accept: text/html (still JSON) and on the dashboard page.
    let r = client()
        .get(server.url("/api/v1/members"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "unauthenticated");
    let r = client()
        .get(server.url("/?x=1"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=/%3Fx%3D1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_leads_see_and_edit_only_their_pods_members() {
    let server = Server::start().await;
    let seed = seed(&server);
    let s = login(&server, "podlead", PASSWORD).await;
    let me: Value = s
        .send(Method::GET, &server.url("/api/v1/me"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["pod_ids"], json!([seed.pod1]));

    let list: Value = s
        .send(
            Method::GET,
            &server.url("/api/v1/members?per_page=100"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let mut ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![seed.m_a, seed.m_b]);
    assert_eq!(list["total"], 2);
    // Filtering by another pod gives nothing rather than that pod's members.
    let other: Value = s
        .send(
            Method::GET,
            &server.url(&format!("/api/v1/members?pod={}", seed.pod2)),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["total"], 0);

    for id in [seed.m_c, seed.m_d, 999_999] {
        let r = s
            .send(
                Method::GET,
                &server.url(&format!("/api/v1/members/{id}")),
                None,
            )
            .await;
        assert_eq!(r.status(), 404, "member {id}");
        let body = r.text().await.unwrap();
        assert!(!body.to_lowercase().contains("canary"), "{body}");
        let r = s
            .send(
                Method::PATCH,
                &server.url(&format!("/api/v1/members/{id}")),
                Some(&json!({"readiness": 4})),
            )
            .await;
        assert_eq!(r.status(), 404);
    }
    assert_eq!(
        count(
            &server.store,
            "SELECT count(*) FROM members WHERE readiness = 4"
        ),
        0
    );
    let r = s
        .send(
            Method::GET,
            &server.url(&format!("/api/v1/members/{}", seed.m_a)),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["member"]["first_name"], "CANARYafirst");

    // Workplaces: only where their pods' members work.
    let wps: Value = s
        .send(Method::GET, &server.url("/api/v1/workplaces"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(wps["total"], 1);
    assert_eq!(wps["items"][0]["id"], seed.w1);
    let r = s
        .send(
            Method::GET,
            &server.url(&format!("/api/v1/workplaces/{}", seed.w2)),
            None,
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = s
        .send(
            Method::POST,
            &server.url(&format!("/api/v1/workplaces/{}/stage", seed.w2)),
            Some(&json!({"stage": 3})),
        )
        .await;
    assert_eq!(r.status(), 404);
    // Pods, reserve, mentorships: scoped too.
    let pods: Value = s
        .send(Method::GET, &server.url("/api/v1/pods"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pods["total"], 1);
    let r = s
        .send(
            Method::PUT,
            &server.url(&format!("/api/v1/reserve/{}", seed.m_c)),
            Some(&json!({"languages": ["en"]})),
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = s
        .send(
            Method::POST,
            &server.url("/api/v1/mentorships"),
            Some(
                &json!({"mentor_id": seed.m_b, "mentee_id": seed.m_c, "started_on": "2026-02-01"}),
            ),
        )
        .await;
    assert_eq!(r.status(), 404);
    // They cannot widen their own scope.
    let r = s
        .send(
            Method::POST,
            &server.url(&format!("/api/v1/pods/{}/members", seed.pod1)),
            Some(&json!({"member_id": seed.m_c})),
        )
        .await;
    assert_eq!(r.status(), 403);

    // A pod lead account not linked to a member sees nobody.
    server.add_user("unlinked", "pod_lead", None);
    let u = login(&server, "unlinked", PASSWORD).await;
    let v: Value = u
        .send(Method::GET, &server.url("/api/v1/members"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_edits_exports_and_imports_are_audited() {
    let server = Server::start().await;
    let seed = seed(&server);
    let org = login(&server, "organizer", PASSWORD).await;
    let r = org
        .send(
            Method::GET,
            &server.url("/api/v1/members?search=canary"),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let list = server.audit("member.list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].0, "organizer");
    assert!(list[0].2.contains("4 of 4"), "{:?}", list[0]);
    assert!(
        !list[0].2.contains("canary"),
        "search text is not logged: {:?}",
        list[0]
    );

    let path = format!("/api/v1/members/{}", seed.m_c);
    assert_eq!(
        org.send(Method::GET, &server.url(&path), None)
            .await
            .status(),
        200
    );
    assert_eq!(
        server.audit("member.view"),
        vec![(
            "organizer".into(),
            format!("member:{}", seed.m_c),
            String::new()
        )]
    );
    let r = org
        .send(
            Method::PATCH,
            &server.url(&path),
            Some(&json!({"union_role": "steward", "readiness": 2})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["member"]["union_role"], "steward");
    let edits = server.audit("member.edit");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].2, "fields: union_role, readiness");
    // A refused edit changes nothing and leaves no edit entry.
    let r = org
        .send(
            Method::PATCH,
            &server.url(&path),
            Some(&json!({"union_role": "emperor"})),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid");
    assert_eq!(server.audit("member.edit").len(), 1);

    let r = org
        .send(
            Method::POST,
            &server.url(&format!("/api/v1/workplaces/{}/stage", seed.w1)),
            Some(&json!({"stage": 2, "note": "committee met"})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let history = v["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["to_stage"], 2);
    assert_eq!(history.last().unwrap()["actor"], "organizer");
    assert_eq!(server.audit("workplace.stage").len(), 1);

    let admin = login(&server, "admin", ADMIN_PASSWORD).await;
    let r = admin
        .send(Method::GET, &server.url("/api/v1/export/members"), None)
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("actionkit_id,"));
    assert!(csv.contains("CANARYcfirst"));
    assert_eq!(
        server.audit("export.members"),
        vec![("admin".into(), "http".into(), "4 members".into())]
    );

    let list = std::fs::read(crate::util::fixture("national_current.csv")).unwrap();
    let dry = org
        .client
        .post(server.url("/api/v1/import?dry_run=true"))
        .header("x-csrf-token", &org.csrf)
        .header("content-type", "text/csv")
        .body(list.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(dry.status(), 200);
    let summary: Value = dry.json().await.unwrap();
    assert_eq!(summary["dry_run"], true);
    let before = count(&server.store, "SELECT count(*) FROM members");
    assert_eq!(server.audit("import.dry_run").len(), 1);
    let real = org
        .client
        .post(server.url("/api/v1/import"))
        .header("x-csrf-token", &org.csrf)
        .body(list)
        .send()
        .await
        .unwrap();
    assert_eq!(real.status(), 200);
    let summary2: Value = real.json().await.unwrap();
    assert_eq!(summary2["created"], summary["created"]);
    assert_eq!(
        count(&server.store, "SELECT count(*) FROM members"),
        before + summary["created"].as_i64().unwrap()
    );
    let imports = server.audit("import");
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].0, "organizer");

    let bad = std::fs::read(crate::util::fixture("bad_two_rows.csv")).unwrap();
    let r = org
        .client
        .post(server.url("/api/v1/import"))
        .header("x-csrf-token", &org.csrf)
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "import_refused");
    assert!(!v["problems"].as_array().unwrap().is_empty());
    assert!(v["problems"][0]["line"].as_u64().unwrap() > 1);
    assert_eq!(server.audit("import.refused").len(), 1);

    let r = org
        .send(
            Method::GET,
            &server.url("/api/v1/report/preview?period=2026-10"),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(server.audit("report.preview").len(), 1);
    // A month that has not started has no report: refused with the field named, not a 500.
    let r = org
        .send(
            Method::GET,
            &server.url("/api/v1/report/preview?period=2626-10"),
            None,
        )
        .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["field"], "period", "{v}");
    // Logins, successful and not.
    assert!(server.audit("login").len() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_limits_pagination_and_errors_are_json() {
    let server = Server::start().await;
    seed(&server);
    let s = login(&server, "organizer", PASSWORD).await;
    // 64 KiB elsewhere.
    let big = json!({"name": "x".repeat(70 * 1024)});
    let r = s
        .send(Method::POST, &server.url("/api/v1/pods"), Some(&big))
        .await;
    assert_eq!(r.status(), 413);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "payload_too_large"
    );
    // 10 MiB for the import. The server answers 413 from the Content-Length without reading the
    // body and drops the connection, so the client may still be writing the body when it does
    // and fail with a broken pipe before it reads the answer. That race is the client's, not the
    // server's: try again (a fresh connection each time) until the answer is read, and insist on
    // 413 when it is. A server that read the body would answer, never break the pipe.
    let mut answered = None;
    for _ in 0..8 {
        let sent = s
            .client
            .post(server.url("/api/v1/import?dry_run=true"))
            .header("x-csrf-token", &s.csrf)
            // Not pooled: the next request must not reuse the connection the server dropped.
            .header("connection", "close")
            .body(vec![b'a'; 11 * 1024 * 1024])
            .send()
            .await;
        match sent {
            Ok(r) => {
                answered = Some(r.status());
                break;
            }
            Err(e) => {
                let chain = format!("{e:?}");
                assert!(
                    chain.contains("BodyWrite") || chain.contains("BrokenPipe"),
                    "only the body write may fail: {chain}"
                );
            }
        }
    }
    assert_eq!(answered, Some(StatusCode::PAYLOAD_TOO_LARGE));
    // Malformed JSON, unknown route, bad pagination.
    let r = s
        .client
        .post(server.url("/api/v1/pods"))
        .header("x-csrf-token", &s.csrf)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "bad_request");
    let r = s.send(Method::GET, &server.url("/api/v1/nope"), None).await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "not_found");
    for q in ["per_page=101", "page=0", "per_page=abc"] {
        let r = s
            .send(
                Method::GET,
                &server.url(&format!("/api/v1/members?{q}")),
                None,
            )
            .await;
        assert_eq!(r.status(), 422, "{q}");
    }
    let page: Value = s
        .send(
            Method::GET,
            &server.url("/api/v1/members?per_page=3&page=2"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 4);
    assert_eq!(page["page"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    // Filters.
    let f: Value = s
        .send(
            Method::GET,
            &server.url("/api/v1/members?sector=62&language=es&standing=good-standing"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(f["total"], 2, "{f}");
    // A reference to nothing is a 404 or 409, never a 500.
    let r = s
        .send(
            Method::POST,
            &server.url("/api/v1/workplaces/999/members"),
            Some(&json!({"member_id": 1})),
        )
        .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_change_and_api_tokens_work() {
    let server = Server::start().await;
    seed(&server);
    let s = login(&server, "viewer", PASSWORD).await;
    let other = login(&server, "viewer", PASSWORD).await;
    let r = s
        .send(
            Method::POST,
            &server.url("/api/v1/password"),
            Some(&json!({"current_password": "wrong wrong wrong", "new_password": "another long passphrase"})),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = s
        .send(
            Method::POST,
            &server.url("/api/v1/password"),
            Some(&json!({"current_password": PASSWORD, "new_password": "short"})),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = s
        .send(
            Method::POST,
            &server.url("/api/v1/password"),
            Some(&json!({"current_password": PASSWORD, "new_password": "another long passphrase"})),
        )
        .await;
    assert_eq!(r.status(), 204);
    // This session lives on; the other one ended.
    assert_eq!(
        s.send(Method::GET, &server.url("/api/v1/me"), None)
            .await
            .status(),
        200
    );
    assert_eq!(
        other
            .send(Method::GET, &server.url("/api/v1/me"), None)
            .await
            .status(),
        401
    );
    login(&server, "viewer", "another long passphrase").await;
    assert_eq!(server.audit("password.change").len(), 1);

    // The form variant.
    let r = s
        .client
        .post(server.url("/account/password"))
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("current_password", "another long passphrase"),
            ("new_password", "a third long passphrase"),
            ("confirm_password", "a third long passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account/password?done=1");
    let r = s
        .client
        .post(server.url("/account/password"))
        .form(&[
            ("csrf", "nope"),
            ("current_password", "a third long passphrase"),
            ("new_password", "a fourth long passphrase"),
            ("confirm_password", "a fourth long passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/account/password?error=csrf");
    login(&server, "viewer", "a third long passphrase").await;

    // `user token` through the real binary; the token works as a bearer, stored hashed.
    let out = crate::util::run(crate::util::bin(server.dir.root()).args([
        "user",
        "token",
        "organizer",
        "--name",
        "sync",
    ]));
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    let token = crate::util::stdout(&out).trim().to_owned();
    assert!(token.starts_with("sfn_"));
    let r = client()
        .get(server.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["csrf_token"], Value::Null);
    assert_eq!(
        count(
            &server.store,
            &format!("SELECT count(*) FROM api_tokens WHERE token_hash = '{token}'")
        ),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_and_stops_cleanly_on_sigterm() {
    let (_tmp, data) = crate::util::cli_node();
    // A port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = crate::util::bin(&data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/api/v1/health");
    let mut up = false;
    for _ in 0..100 {
        if let Ok(r) = client().get(&url).send().await {
            assert_eq!(r.status(), 200);
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "server did not come up");
    let r = client()
        .post(format!("http://127.0.0.1:{port}/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "serve exited with {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_need_strength_and_at_most_1024_bytes_wherever_set() {
    let server = Server::start().await;
    let seed = seed(&server);
    let admin = login(&server, "admin", ADMIN_PASSWORD).await;
    let long = "correct horse battery staple ".repeat(70);
    let field = |v: &Value| v["field"].as_str().unwrap_or_default().to_owned();
    // API: creating a user.
    for (pw, expected) in [
        ("aaaaaaaaaaaa", "password_strength"),
        ("password1234", "password_strength"),
        (long.as_str(), "password"),
    ] {
        let r = admin
            .send(
                Method::POST,
                &server.url("/api/v1/users"),
                Some(&json!({"username": "newbie", "role": "viewer", "password": pw})),
            )
            .await;
        assert_eq!(r.status(), 422, "{pw:.20}");
        assert_eq!(field(&r.json().await.unwrap()), expected);
    }
    // API: an admin resetting a password.
    let r = admin
        .send(
            Method::POST,
            &server.url(&format!("/api/v1/users/{}/password", seed.spare_user)),
            Some(&json!({"password": "aaaaaaaaaaaa"})),
        )
        .await;
    assert_eq!(r.status(), 422);
    // API: changing one's own password.
    let viewer = login(&server, "viewer", PASSWORD).await;
    let r = viewer
        .send(
            Method::POST,
            &server.url("/api/v1/password"),
            Some(&json!({"current_password": PASSWORD, "new_password": long})),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(field(&r.json().await.unwrap()), "password");
    // The password form, and the message it leads to, in both languages.
    let r = viewer
        .client
        .post(server.url("/account/password"))
        .form(&[
            ("csrf", viewer.csrf.as_str()),
            ("current_password", PASSWORD),
            ("new_password", "aaaaaaaaaaaa"),
            ("confirm_password", "aaaaaaaaaaaa"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/account/password?error=weak");
    for (lang, words) in [
        ("en", "too easy to guess"),
        ("es", "demasiado fácil de adivinar"),
    ] {
        let r = viewer
            .client
            .post(server.url("/language"))
            .form(&[
                ("csrf", viewer.csrf.as_str()),
                ("lang", lang),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let page = viewer
            .client
            .get(server.url("/account/password?error=weak"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(words), "{lang}: no {words:?}");
    }
    // The settings page's add-user form.
    let r = admin
        .client
        .post(server.url("/settings/users"))
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("username", "newbie"),
            ("role", "viewer"),
            ("password", "aaaaaaaaaaaa"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=password_strength")
    );
    // The command line.
    let out = crate::util::run(
        crate::util::bin(server.dir.root())
            .args(["user", "add", "newbie", "--role", "viewer"])
            .env("SHOPFLOOR_PASSWORD", &long),
    );
    assert!(!out.status.success());
    assert!(crate::util::stderr(&out).contains("1024 bytes"));
    // Nothing was created or changed; a strong password still works everywhere.
    assert_eq!(
        count(
            &server.store,
            "SELECT count(*) FROM users WHERE username = 'newbie'"
        ),
        0
    );
    login(&server, "viewer", PASSWORD).await;
    let r = admin
        .send(
            Method::POST,
            &server.url("/api/v1/users"),
            Some(&json!({"username": "newbie", "role": "viewer", "password": "correct horse battery staple"})),
        )
        .await;
    assert_eq!(r.status(), 201);
}
