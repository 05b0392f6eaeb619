//! A small cookie-keeping client for the hub's web interface: what a browser without JavaScript
//! does (cookies, `Accept-Language`, no redirect following), so tests see each response as sent.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::{csrf_of, encode};

/// One response: status, `Location` if any, the `Set-Cookie` headers as sent, and the body.
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    pub cookies: BTreeMap<String, String>,
    /// Sent as `Accept-Language` on every request when set.
    pub accept_language: Option<String>,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            base: base.to_owned(),
            cookies: BTreeMap::new(),
            accept_language: None,
        }
    }

    /// The same browser asking for pages in `lang` (an `Accept-Language` value).
    pub fn lang(mut self, lang: &str) -> Browser {
        self.accept_language = Some(lang.to_owned());
        self
    }

    /// The same browser, logged in as `name` (asserts the login succeeded).
    pub async fn logged_in(mut self, name: &str, password: &str) -> Browser {
        let p = self.login(name, password).await;
        assert_eq!(p.status, 303, "login {name}: {}", p.body);
        self
    }

    pub async fn send(&mut self, mut req: reqwest::RequestBuilder) -> Page {
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", c.join("; "));
        }
        if let Some(l) = &self.accept_language {
            req = req.header("accept-language", l);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for sc in &set_cookies {
            let (k, v) = sc.split(';').next().unwrap().split_once('=').unwrap();
            if v.is_empty() || sc.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let body = resp.text().await.unwrap();
        Page {
            status,
            location,
            set_cookies,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
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

    /// Logs in through the form; returns the login's response.
    pub async fn login(&mut self, name: &str, password: &str) -> Page {
        let form = self.get("/ui/login").await;
        assert_eq!(form.status, 200);
        let csrf = csrf_of(&form.body);
        self.post(
            "/ui/login",
            &[
                ("name", name),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/ui"),
            ],
        )
        .await
    }

    /// The CSRF token of a page the browser can see.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/ui").await;
        assert_eq!(page.status, 200, "{}", page.body);
        csrf_of(&page.body)
    }

    /// Switches the session to Spanish with the language form.
    pub async fn spanish(&mut self) {
        let csrf = self.csrf().await;
        let p = self
            .post(
                "/ui/lang",
                &[("lang", "es"), ("csrf", &csrf), ("next", "/ui")],
            )
            .await;
        assert_eq!(p.status, 303);
    }

    /// The page once it contains `needle` (the hubs sync in the background), within 30 s.
    pub async fn until(&mut self, path: &str, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let p = self.get(path).await;
            if p.body.contains(needle) {
                return p.body;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{path} never showed {needle}: {}",
                p.body
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}
