//! Every API route for every role, with the exact status each must get; and no member (or
//! workplace) string ever reaches a viewer.

use reqwest::Method;
use serde_json::{Value, json};

use crate::util::ADMIN_PASSWORD;
use crate::web::{PASSWORD, Seed, Server, Session, client, login, seed};

/// anonymous, viewer, pod_lead, organizer, admin.
const ROLES: [&str; 5] = ["anonymous", "viewer", "pod_lead", "organizer", "admin"];

struct Route {
    method: Method,
    path: String,
    /// JSON body; `{role}` in strings becomes the role's name (hyphenated).
    body: Option<Value>,
    /// Or a raw body with its content type (CSV, forms).
    raw: Option<(&'static str, Vec<u8>)>,
    /// Expected status per role, in [`ROLES`] order.
    expect: [u16; 5],
}

fn r(method: Method, path: impl Into<String>, body: Option<Value>, expect: [u16; 5]) -> Route {
    Route {
        method,
        path: path.into(),
        body,
        raw: None,
        expect,
    }
}

fn raw(
    method: Method,
    path: impl Into<String>,
    content_type: &'static str,
    body: impl Into<Vec<u8>>,
    expect: [u16; 5],
) -> Route {
    Route {
        raw: Some((content_type, body.into())),
        ..r(method, path, None, expect)
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

const ALL: [u16; 5] = [200, 200, 200, 200, 200];
const AUTH: [u16; 5] = [401, 200, 200, 200, 200];
const MEMBERS: [u16; 5] = [401, 403, 200, 200, 200];
const OUT_OF_POD: [u16; 5] = [401, 403, 404, 200, 200];
const ORGANIZE: [u16; 5] = [401, 403, 403, 200, 200];
const ADMIN: [u16; 5] = [401, 403, 403, 403, 200];

fn with(code: u16, pattern: [u16; 5]) -> [u16; 5] {
    pattern.map(|c| if c == 200 { code } else { c })
}

fn table(s: &Seed) -> Vec<Route> {
    use Method as M;
    let (m_a, m_b, m_c, m_d) = (s.m_a, s.m_b, s.m_c, s.m_d);
    let (w1, w2, pod1, pod2) = (s.w1, s.w2, s.pod1, s.pod2);
    let (c1, ms, spare, viewer) = (s.campaign, s.mentorship, s.spare_user, s.viewer_user);
    let campaign = json!({"title": "Campaign {role}", "kind": "new-organizing", "status": "active",
        "approval": "draft", "public": false, "priority": false, "labor_component": true});
    vec![
        r(M::GET, "/api/v1/health", None, ALL),
        r(M::GET, "/api/v1/me", None, AUTH),
        r(M::GET, "/api/v1/dashboard", None, AUTH),
        r(M::GET, "/api/v1/report/preview?period=2026-10", None, AUTH),
        r(M::GET, "/api/v1/trainings", None, AUTH),
        r(
            M::PUT,
            "/api/v1/trainings/chapter-{role}",
            Some(json!({"title_en": "T {role}"})),
            with(204, ORGANIZE),
        ),
        r(M::GET, "/api/v1/campaigns", None, AUTH),
        r(M::GET, format!("/api/v1/campaigns/{c1}"), None, AUTH),
        r(
            M::POST,
            "/api/v1/campaigns",
            Some(campaign.clone()),
            with(201, ORGANIZE),
        ),
        r(
            M::PUT,
            format!("/api/v1/campaigns/{c1}"),
            Some(campaign),
            ORGANIZE,
        ),
        r(
            M::PUT,
            format!("/api/v1/campaigns/{c1}/metrics"),
            Some(json!({"name": "cards {role}", "target": 10, "actual": 3})),
            ORGANIZE,
        ),
        r(
            M::POST,
            format!("/api/v1/campaigns/{c1}/workplaces"),
            Some(json!({"workplace_id": w1})),
            ORGANIZE,
        ),
        r(M::GET, "/api/v1/facts", None, AUTH),
        r(
            M::PUT,
            "/api/v1/facts",
            Some(json!({"labor_committee": true, "clc_delegate": false, "bylaws": true})),
            ORGANIZE,
        ),
        // Members.
        r(M::GET, "/api/v1/members", None, MEMBERS),
        r(
            M::GET,
            "/api/v1/members?search=canary&pod=1&stage=0",
            None,
            MEMBERS,
        ),
        r(M::GET, format!("/api/v1/members/{m_a}"), None, MEMBERS),
        r(M::GET, format!("/api/v1/members/{m_c}"), None, OUT_OF_POD),
        r(M::GET, format!("/api/v1/members/{m_d}"), None, OUT_OF_POD),
        r(
            M::PATCH,
            format!("/api/v1/members/{m_a}"),
            Some(json!({"readiness": 2, "languages": "es, en"})),
            MEMBERS,
        ),
        r(
            M::PATCH,
            format!("/api/v1/members/{m_c}"),
            Some(json!({"readiness": 2})),
            OUT_OF_POD,
        ),
        r(
            M::GET,
            format!("/api/v1/members/{m_a}/trainings"),
            None,
            MEMBERS,
        ),
        r(
            M::GET,
            format!("/api/v1/members/{m_c}/trainings"),
            None,
            OUT_OF_POD,
        ),
        r(
            M::POST,
            format!("/api/v1/members/{m_a}/trainings"),
            Some(json!({"code": "one-on-ones", "on": "2026-03-01"})),
            with(204, MEMBERS),
        ),
        r(
            M::POST,
            format!("/api/v1/members/{m_c}/trainings"),
            Some(json!({"code": "one-on-ones", "on": "2026-03-01"})),
            with(204, OUT_OF_POD),
        ),
        // Workplaces.
        r(M::GET, "/api/v1/workplaces", None, MEMBERS),
        r(M::GET, format!("/api/v1/workplaces/{w1}"), None, MEMBERS),
        r(M::GET, format!("/api/v1/workplaces/{w2}"), None, OUT_OF_POD),
        r(
            M::POST,
            "/api/v1/workplaces",
            Some(json!({"employer": "Employer {role}", "sector": "62"})),
            with(201, ORGANIZE),
        ),
        r(
            M::PUT,
            format!("/api/v1/workplaces/{w1}"),
            Some(json!({"employer": "Renamed by {role}", "sector": "62", "workforce_size": 50})),
            MEMBERS,
        ),
        r(
            M::PUT,
            format!("/api/v1/workplaces/{w2}"),
            Some(json!({"employer": "Renamed by {role}"})),
            OUT_OF_POD,
        ),
        r(
            M::POST,
            format!("/api/v1/workplaces/{w1}/stage"),
            Some(json!({"stage": 1, "note": "by {role}"})),
            MEMBERS,
        ),
        r(
            M::POST,
            format!("/api/v1/workplaces/{w2}/stage"),
            Some(json!({"stage": 1})),
            OUT_OF_POD,
        ),
        r(
            M::POST,
            format!("/api/v1/workplaces/{w1}/members"),
            Some(json!({"member_id": m_b, "job_title": "nurse"})),
            with(204, MEMBERS),
        ),
        r(
            M::POST,
            format!("/api/v1/workplaces/{w1}/members"),
            Some(json!({"member_id": m_c})),
            with(204, OUT_OF_POD),
        ),
        r(
            M::DELETE,
            format!("/api/v1/workplaces/{w1}/members/{m_b}"),
            None,
            with(204, MEMBERS),
        ),
        r(
            M::POST,
            format!("/api/v1/workplaces/{w1}/recruitments"),
            Some(json!({"on": "2026-10-02", "count": 2})),
            with(201, MEMBERS),
        ),
        r(
            M::POST,
            format!("/api/v1/workplaces/{w2}/recruitments"),
            Some(json!({"on": "2026-10-02", "count": 2})),
            with(201, OUT_OF_POD),
        ),
        // Pods.
        r(M::GET, "/api/v1/pods", None, MEMBERS),
        r(
            M::POST,
            "/api/v1/pods",
            Some(json!({"name": "Pod {role}", "sector": "62"})),
            with(201, ORGANIZE),
        ),
        r(
            M::POST,
            format!("/api/v1/pods/{pod2}/members"),
            Some(json!({"member_id": m_d})),
            with(204, ORGANIZE),
        ),
        r(
            M::POST,
            format!("/api/v1/pods/{pod1}/members"),
            Some(json!({"member_id": m_a, "lead": false})),
            with(204, ORGANIZE),
        ),
        r(
            M::DELETE,
            format!("/api/v1/pods/{pod2}/members/{m_d}"),
            None,
            with(204, ORGANIZE),
        ),
        // Mentorships and reserve.
        r(M::GET, "/api/v1/mentorships", None, MEMBERS),
        r(
            M::POST,
            "/api/v1/mentorships",
            Some(json!({"mentor_id": m_b, "mentee_id": m_a, "started_on": "2026-02-01"})),
            with(201, MEMBERS),
        ),
        r(
            M::POST,
            "/api/v1/mentorships",
            Some(json!({"mentor_id": m_c, "mentee_id": m_a, "started_on": "2026-02-01"})),
            with(201, OUT_OF_POD),
        ),
        r(
            M::POST,
            format!("/api/v1/mentorships/{ms}/end"),
            Some(json!({"ended_on": "2026-09-30"})),
            with(204, MEMBERS),
        ),
        r(M::GET, "/api/v1/reserve", None, MEMBERS),
        r(
            M::PUT,
            format!("/api/v1/reserve/{m_a}"),
            Some(
                json!({"languages": ["es"], "skills": ["one-on-ones"], "availability": "weekends"}),
            ),
            with(204, MEMBERS),
        ),
        r(
            M::PUT,
            format!("/api/v1/reserve/{m_c}"),
            Some(json!({"languages": ["en"]})),
            with(204, OUT_OF_POD),
        ),
        r(
            M::DELETE,
            format!("/api/v1/reserve/{m_a}"),
            None,
            with(204, MEMBERS),
        ),
        // Bulk and admin.
        r(M::GET, "/api/v1/export/members", None, ADMIN),
        r(M::GET, "/api/v1/users", None, ADMIN),
        r(
            M::POST,
            "/api/v1/users",
            Some(json!({"username": "new-{role}", "role": "viewer", "password": PASSWORD})),
            with(201, ADMIN),
        ),
        r(
            M::PATCH,
            format!("/api/v1/users/{viewer}"),
            Some(json!({"language": "es"})),
            ADMIN,
        ),
        r(
            M::POST,
            format!("/api/v1/users/{spare}/password"),
            None,
            ADMIN,
        ),
        r(M::GET, "/api/v1/audit", None, ADMIN),
        r(
            M::POST,
            "/api/v1/password",
            Some(
                json!({"current_password": "not my password", "new_password": "whatever long enough"}),
            ),
            [401, 422, 422, 422, 422],
        ),
        raw(
            M::POST,
            "/api/v1/import?dry_run=true",
            "text/csv",
            std::fs::read(crate::util::fixture("national_current.csv")).unwrap(),
            ORGANIZE,
        ),
        // Logging in is open to all; a wrong password is 401 whoever asks.
        r(
            M::POST,
            "/api/v1/login",
            Some(json!({"username": "nobody", "password": "wrong password!"})),
            [401; 5],
        ),
        raw(
            M::POST,
            "/login",
            FORM,
            "username=nobody&password=wrong",
            [303; 5],
        ),
        // Form posts without the CSRF field are refused (the password form says so on the page).
        raw(M::POST, "/logout", FORM, "csrf=", [401, 403, 403, 403, 403]),
        raw(
            M::POST,
            "/account/password",
            FORM,
            "csrf=&current_password=a&new_password=b&confirm_password=b",
            [401, 303, 303, 303, 303],
        ),
        r(M::GET, "/api/v1/no-such-route", None, [404; 5]),
        r(M::POST, "/api/v1/logout", None, [401, 204, 204, 204, 204]),
    ]
}

async fn send(session: Option<&Session>, server: &Server, route: &Route, role: &str) -> u16 {
    let url = server.url(&route.path.replace("{role}", &role.replace('_', "-")));
    let client = session.map_or_else(client, |s| s.client.clone());
    let mut rb = client.request(route.method.clone(), &url);
    if let Some(s) = session {
        rb = rb.header("x-csrf-token", &s.csrf);
    }
    if let Some(b) = &route.body {
        let text = b.to_string().replace("{role}", &role.replace('_', "-"));
        rb = rb.header("content-type", "application/json").body(text);
    }
    if let Some((ct, bytes)) = &route.raw {
        rb = rb.header("content-type", *ct).body(bytes.clone());
    }
    let resp = rb.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("").to_owned())
        .unwrap_or_default();
    if status >= 400 {
        // Every refusal is JSON with a stable code.
        assert!(ct.starts_with("application/json"), "{url}: {ct}");
        let v: Value = resp.json().await.unwrap();
        assert!(v["error"].is_string() && v["message"].is_string(), "{v}");
    }
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_for_every_role() {
    let server = Server::start().await;
    let seed = seed(&server);
    let sessions = [
        None,
        Some(login(&server, "viewer", PASSWORD).await),
        Some(login(&server, "podlead", PASSWORD).await),
        Some(login(&server, "organizer", PASSWORD).await),
        Some(login(&server, "admin", ADMIN_PASSWORD).await),
    ];
    let mut failures = Vec::new();
    let routes = table(&seed);
    for route in &routes {
        for (i, role) in ROLES.iter().enumerate() {
            let got = send(sessions[i].as_ref(), &server, route, role).await;
            if got != route.expect[i] {
                failures.push(format!(
                    "{} {} as {role}: got {got}, want {}",
                    route.method, route.path, route.expect[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    // The table covers the route table: 48+ routes × 5 roles.
    assert!(routes.len() >= 60, "{}", routes.len());
}

/// Plants canary strings in every text field of every member (and workplace, pod, reserve
/// entry, job title), then fetches every route a viewer may use, in every variant, and checks
/// no byte of any answer holds one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_member_field_reaches_a_viewer() {
    let server = Server::start().await;
    let seed = seed(&server);
    let viewer = login(&server, "viewer", PASSWORD).await;
    let mut allowed = 0;
    let mut checked = Vec::new();
    // Every route in the table, as the viewer: what is allowed must not leak; what is refused
    // must not leak either (error messages).
    for route in table(&seed) {
        if route.method != Method::GET {
            continue;
        }
        let url = server.url(&route.path);
        let resp = viewer.send(Method::GET, &url, None).await;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.unwrap();
        let text = String::from_utf8_lossy(&body).to_lowercase();
        assert!(!text.contains("canary"), "{} leaked: {text}", route.path);
        if status == 200 {
            allowed += 1;
        }
        checked.push(route.path);
    }
    // And every period's report preview around the data, and dashboard.
    for p in ["2026-01", "2026-02", "2026-10", "2025-12"] {
        let r = viewer
            .send(
                Method::GET,
                &server.url(&format!("/api/v1/report/preview?period={p}")),
                None,
            )
            .await;
        assert_eq!(r.status(), 200);
        let text = r.text().await.unwrap().to_lowercase();
        assert!(!text.contains("canary"), "report {p}: {text}");
    }
    assert!(
        allowed >= 8,
        "viewer should reach the aggregate routes ({allowed})"
    );
    // The viewer's member-level answers are refusals, not empty lists.
    for path in [
        "/api/v1/members",
        "/api/v1/workplaces",
        "/api/v1/pods",
        "/api/v1/reserve",
    ] {
        let r = viewer.send(Method::GET, &server.url(path), None).await;
        assert_eq!(r.status(), 403, "{path}");
    }
    // Sanity: an organizer does see the canaries, so the check above can fail.
    let org = login(&server, "organizer", PASSWORD).await;
    let text = org
        .send(Method::GET, &server.url("/api/v1/members"), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("CANARYafirst"));
}
