//! Issue 13 item 6, done when: a Spanish-speaking regional coordinator publishes guidance in the
//! browser. The Southern regional hub's admin, in Spanish, previews a draft in `/ui/guidance`,
//! fixes the goal the page refuses (by its field, in Spanish), publishes; a chapter under the
//! region fetches it, verifies it (national's relayed inside), and shows it in Spanish.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use shopfloor_hub::guidance::{self, Draft, Training};
use shopfloor_node::federation::guidance as node_guidance;
use shopfloor_testbed::federation::{Federation, Parent, last_day, last_month};
use shopfloor_testbed::servers::{DEMO_PASSWORD, blocking};
use shopfloor_testbed::synth::ChapterProfile;

/// A browser in Spanish: the session cookie by hand, no redirects followed.
struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: Vec<String>,
}

impl Browser {
    async fn send(&mut self, req: reqwest::RequestBuilder) -> (u16, String) {
        let req = req
            .header("accept-language", "es-MX,es;q=0.9")
            .header("cookie", self.cookies.join("; "));
        let resp = req.send().await.unwrap();
        for c in resp.headers().get_all("set-cookie") {
            let pair = c.to_str().unwrap().split(';').next().unwrap().to_owned();
            let name = pair.split('=').next().unwrap().to_owned();
            self.cookies.retain(|k| !k.starts_with(&format!("{name}=")));
            self.cookies.push(pair);
        }
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }

    async fn get(&mut self, path: &str) -> (u16, String) {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"));
        self.send(req).await
    }
}

fn encode(s: &str) -> String {
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

/// Whether the regional hub has still published nothing.
async fn fed_guidance_unchanged(regional: &shopfloor_testbed::servers::HubServer) -> bool {
    let h = regional.hub.clone();
    blocking(move || Ok(guidance::current(&h)?))
        .await
        .unwrap()
        .is_none()
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spanish_speaking_regional_coordinator_publishes_guidance_in_the_browser() {
    let fed = Federation::builder()
        .chapter(
            ChapterProfile::new("Durham DSA", "NC", 150, 7)
                .as_of(last_day(last_month().unwrap()).unwrap()),
            Parent::Regional,
        )
        .start()
        .await
        .unwrap();
    let regional = fed.regional.as_ref().unwrap();

    // National has guidance of its own.
    let h = fed.national.hub.clone();
    blocking(move || {
        Ok(guidance::publish(
            &h,
            Draft {
                trainings: vec![Training {
                    code: "power-mapping".into(),
                    title_en: "Power mapping".into(),
                    title_es: "Mapeo de poder".into(),
                    url_en: None,
                    url_es: None,
                }],
                ..Draft::default()
            },
            None,
        )?)
    })
    .await
    .unwrap();

    // The coordinator logs in to the regional hub; the browser asks for Spanish.
    let mut b = Browser {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: regional.url(),
        cookies: Vec::new(),
    };
    let (_, login) = b.get("/ui/login").await;
    let csrf = csrf_of(&login);
    let (status, _) = b
        .post(
            "/ui/login",
            &[
                ("name", "admin"),
                ("password", DEMO_PASSWORD),
                ("csrf", &csrf),
                ("next", "/ui/guidance"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, page) = b.get("/ui/guidance").await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"es\">") && page.contains("Editar y publicar"));
    let csrf = csrf_of(&page);

    let form = |sector: &str| -> Vec<(String, String)> {
        [
            ("csrf", csrf.as_str()),
            ("nt", "1"),
            ("t.0.code", "one-on-ones"),
            ("t.0.title_en", "One-on-one conversations"),
            ("t.0.title_es", "Conversaciones individuales"),
            ("t.0.url_es", "https://example.org/es/uno-a-uno"),
            ("ng", "1"),
            ("g.0.metric", "trainings-completed"),
            ("g.0.sector", sector),
            ("g.0.region", "NC"),
            ("g.0.target", "120"),
            ("g.0.by", "2027-06-30"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    };

    // A sector on a metric not published by sector: refused next to the sector field.
    let bad = form("62");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, page) = b.post("/ui/guidance/preview", &bad).await;
    assert_eq!(status, 422);
    let why = &page[page
        .find("id=\"g.0.sector-why\">")
        .expect("by the sector field")..];
    assert!(why.contains("no se publica por sector"), "{why}");
    assert!(fed_guidance_unchanged(regional).await, "nothing published");

    // Fixed, previewed, published.
    let good = form("");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, page) = b.post("/ui/guidance/preview", &good).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Vista previa: lo que verán los capítulos"));
    let (status, _) = b.post("/ui/guidance/publish", &good).await;
    assert_eq!(status, 303);
    let (_, page) = b.get("/ui/guidance?done=published").await;
    assert!(page.contains("Las orientaciones se firmaron y publicaron."));
    assert!(page.contains("transmitidas sin cambios por este hub"));

    // Durham fetches it, verifies national's inside, and shows both in Spanish.
    let durham = fed.chapter("Durham DSA").unwrap();
    let fetched = node_guidance::fetch(&durham.node.store)
        .await
        .unwrap()
        .unwrap();
    assert!(fetched.inherited_verified);
    let store = durham.node.store.clone();
    let stored = blocking(move || Ok(store.read(node_guidance::current)?))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.guidance.trainings[0].title_es,
        "Conversaciones individuales"
    );
    assert_eq!(stored.guidance.goals[0].metric, "trainings-completed");
    assert_eq!(stored.guidance.goals[0].sector, None);
    assert_eq!(
        stored.inherited.as_ref().unwrap().trainings[0].code,
        "power-mapping"
    );
    let html = node_guidance_page(&durham.node.url()).await;
    assert!(html.contains("Conversaciones individuales"), "{html}");
    assert!(html.contains("Mapeo de poder"));
    assert!(html.contains("https://example.org/es/uno-a-uno"));
}

/// The chapter's guidance page in Spanish, logged in as the demo admin.
async fn node_guidance_page(base: &str) -> String {
    let client = shopfloor_node::federation::client().unwrap();
    let resp = client
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"username": "admin", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "login: {}", resp.status());
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next().map(str::to_owned))
        .collect();
    let resp = client
        .get(format!("{base}/guidance"))
        .header("cookie", format!("{}; sf_lang=es", cookies.join("; ")))
        .header("accept", "text/html")
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "guidance page: {}",
        resp.status()
    );
    resp.text().await.unwrap()
}
