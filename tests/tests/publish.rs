//! Hub publications end to end: real hubs and chapter nodes on loopback, viewers logged in over
//! HTTP. Viewers see only publications, never live partial sums, and no difference of the views
//! they can reach gives a single chapter's cells.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use shopfloor_hub::publish::{self, Outcome, Trigger, Value};
use shopfloor_hub::users::{self, Role};
use shopfloor_hub::web::ui::data;
use shopfloor_protocol::rollup::SummedCell;
use shopfloor_protocol::{CellKey, CellValue, Envelope, Period};
use shopfloor_testbed::federation::{Federation, Parent, last_day, last_month};
use shopfloor_testbed::servers::blocking;
use shopfloor_testbed::synth::ChapterProfile;

const VIEWER_PASSWORD: &str = "viewer password for the tests";

fn period() -> Period {
    last_month().unwrap()
}

fn profile(name: &str, state: &str, members: usize, seed: u64) -> ChapterProfile {
    ChapterProfile::new(name, state, members, seed).as_of(last_day(period()).unwrap())
}

/// A browser session: cookies kept by hand, no redirects followed.
struct Session {
    client: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
}

impl Session {
    async fn send(&mut self, req: reqwest::RequestBuilder) -> (u16, String) {
        let mut req = req;
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", c.join("; "));
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        for sc in resp.headers().get_all("set-cookie") {
            let sc = sc.to_str().unwrap();
            let (k, v) = sc.split(';').next().unwrap().split_once('=').unwrap();
            if v.is_empty() || sc.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        (status, resp.text().await.unwrap())
    }

    async fn get(&mut self, path: &str) -> (u16, String) {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// Logs in through the login form, as a person would.
    async fn login(base: &str, name: &str, password: &str) -> Session {
        let _ = rustls_provider();
        let mut s = Session {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            base: base.to_owned(),
            cookies: BTreeMap::new(),
        };
        let (status, form) = s.get("/ui/login").await;
        assert_eq!(status, 200);
        let marker = "name=\"csrf\" value=\"";
        let start = form.find(marker).expect("a CSRF field") + marker.len();
        let csrf = form[start..].split('"').next().unwrap().to_owned();
        let body = format!(
            "name={}&password={}&csrf={}&next=%2Fui",
            enc(name),
            enc(password),
            enc(&csrf)
        );
        let req = s
            .client
            .post(format!("{base}/ui/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        let (status, body) = s.send(req).await;
        assert_eq!(status, 303, "login {name}: {body}");
        s
    }
}

fn rustls_provider() -> bool {
    shopfloor_node::federation::client().is_ok()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The viewer's JSON: the period's publication, through the API with a viewer's token.
async fn viewer_publication(base: &str, period: Period) -> (u16, Vec<u8>) {
    let client = shopfloor_node::federation::client().unwrap();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": "vera", "password": VIEWER_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().expect("a token").to_owned();
    let resp = client
        .get(format!("{base}/api/v1/publications/{period}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

/// Whether the text of `html` (tags and attributes left out) shows `n` as a number on its own,
/// in digits or grouped.
fn shows_number(html: &str, n: u64) -> bool {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let plain = n.to_string();
    let mut grouped = String::new();
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && (plain.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let boundary =
        |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == ',' || c == '.'));
    [plain, grouped].iter().any(|needle| {
        let mut from = 0;
        while let Some(i) = text[from..].find(needle.as_str()) {
            let at = from + i;
            if boundary(text[..at].chars().next_back())
                && boundary(text[at + needle.len()..].chars().next())
            {
                return true;
            }
            from = at + needle.len();
        }
        false
    })
}

fn add_viewer(hub: &shopfloor_hub::Hub) {
    users::add(hub.store(), "vera", Role::Viewer, VIEWER_PASSWORD).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_cannot_difference_national_and_region_pages() {
    // The demo's shape with a third chapter in the region, so that the region's page passes
    // the per-page rule: the shape in which national − region gave Southern Maine's cells.
    let fed = Federation::builder()
        .chapter(
            profile("Durham DSA", "NC", 120, 1).county("37063"),
            Parent::Regional,
        )
        .chapter(
            profile("Houston DSA", "TX", 160, 2).county("48201"),
            Parent::Regional,
        )
        .chapter(profile("Atlanta DSA", "GA", 140, 4), Parent::Regional)
        .chapter(
            profile("Southern Maine DSA", "ME", 80, 3).county("23005"),
            Parent::National,
        )
        .start()
        .await
        .unwrap();
    let p = period();
    fed.run_period(p).await.unwrap();
    let region = fed.regional.as_ref().unwrap().card().id.as_str().to_owned();
    let h = fed.national.hub.clone();
    let (outcome, tree, live_top, live_region) = blocking(move || {
        add_viewer(&h);
        let o = publish::publish(&h, p, Trigger::Command)?;
        let (tree, _) = publish::tree(&h, p)?;
        let top = data::level(&h, p, &[], true)?.unwrap().cells;
        let region = data::level(&h, p, std::slice::from_ref(&region), true)?
            .unwrap()
            .cells;
        Ok((o, tree, top, region))
    })
    .await
    .unwrap();
    let Outcome::Published(stored) = outcome else {
        panic!("published: {outcome:?}");
    };
    let region = fed.regional.as_ref().unwrap().card().id.as_str().to_owned();
    // Southern Maine is national's only direct chapter.
    assert_eq!(tree.leaves.len(), 1);
    let maine = &tree.leaves[0];
    // The shape is dangerous: under the old per-page rule both pages showed these cells.
    let find = |cells: &[SummedCell], k: &CellKey| cells.iter().find(|c| &c.key == k).cloned();
    let per_page_leaks = live_top
        .iter()
        .filter(|c| {
            data::viewer_may_see(c)
                && find(&live_region, &c.key).is_some_and(|r| data::viewer_may_see(&r))
        })
        .count();
    assert!(
        per_page_leaks >= 10,
        "the per-page rule showed {per_page_leaks} cell pairs"
    );

    // What viewers get over the API is the signed publication, nothing else.
    let (status, bytes) = viewer_publication(&fed.national.url(), p).await;
    assert_eq!(status, 200);
    let env = Envelope::from_json(&bytes).unwrap();
    let publication = publish::verify(&env, fed.national.card()).unwrap();
    assert_eq!(env.to_json(), stored.envelope.to_json());
    let top = publication.view(&[]).unwrap();
    let down = publication.view(std::slice::from_ref(&region)).unwrap();
    // Every cell pair: national and the region never both show a value, because their
    // difference is Southern Maine's cell.
    let keys: BTreeSet<&CellKey> = top
        .cells
        .iter()
        .chain(&down.cells)
        .map(|c| &c.key)
        .collect();
    let mut region_shown = 0;
    for key in &keys {
        let n = top.cells.iter().find(|c| &c.key == *key).map(|c| c.value);
        let r = down.cells.iter().find(|c| &c.key == *key).map(|c| c.value);
        if matches!(r, Some(Value::Exact(_) | Value::AtLeast(_))) {
            region_shown += 1;
        }
        if let (
            Some(Value::Exact(n) | Value::AtLeast(n)),
            Some(Value::Exact(r) | Value::AtLeast(r)),
        ) = (n, r)
        {
            let m = match maine.cells.get(*key) {
                Some(CellValue::Count(v)) => *v,
                _ => 0,
            };
            panic!(
                "{key:?}: national {n} − region {r} = {} (Southern Maine holds {m})",
                n.saturating_sub(r)
            );
        }
    }
    assert!(region_shown > 0, "the region's own cells are published");

    // The pages: the top and the drill-down never both show the totals' values.
    let mut viewer = Session::login(&fed.national.url(), "vera", VIEWER_PASSWORD).await;
    let (s1, top_page) = viewer.get(&format!("/ui/dashboards?period={p}")).await;
    let (s2, region_page) = viewer
        .get(&format!("/ui/dashboards?period={p}&path={region}"))
        .await;
    assert_eq!((s1, s2), (200, 200));
    assert!(!top_page.contains("Southern Maine") && !region_page.contains("Southern Maine"));
    for metric in ["members", "workplaces"] {
        let key = CellKey::total(metric);
        let (Some(n), Some(r)) = (find(&live_top, &key), find(&live_region, &key)) else {
            continue;
        };
        assert!(
            !(shows_number(&top_page, n.sum) && shows_number(&region_page, r.sum)),
            "{metric}: national {} and region {} both on the viewer's pages",
            n.sum,
            r.sum
        );
    }
    let members = find(&live_region, &CellKey::total("members")).unwrap();
    assert!(
        shows_number(&region_page, members.sum),
        "the region's total is shown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_sees_same_numbers_before_and_after_a_late_report() {
    let fed = Federation::builder()
        .without_regional()
        .chapter(profile("Durham DSA", "NC", 100, 11), Parent::National)
        .chapter(profile("Houston DSA", "TX", 120, 12), Parent::National)
        .chapter(profile("Atlanta DSA", "GA", 110, 13), Parent::National)
        .chapter(
            profile("Southern Maine DSA", "ME", 90, 14),
            Parent::National,
        )
        .start()
        .await
        .unwrap();
    let p = period();
    for c in &fed.chapters[..3] {
        let item = fed.submit(c, p).await.unwrap();
        assert_eq!(item.status, "delivered");
    }
    let h = fed.national.hub.clone();
    let (before_live, outcome) = blocking(move || {
        add_viewer(&h);
        let live = data::level(&h, p, &[], true)?.unwrap().cells;
        Ok((live, publish::publish(&h, p, Trigger::Command)?))
    })
    .await
    .unwrap();
    assert!(matches!(outcome, Outcome::Published(_)), "{outcome:?}");
    let base = fed.national.url();
    let mut viewer = Session::login(&base, "vera", VIEWER_PASSWORD).await;
    let pages = [
        format!("/ui/dashboards?period={p}"),
        format!("/ui/map?period={p}"),
        format!("/ui/map?period={p}&metric=workplaces"),
    ];
    let mut before = Vec::new();
    for path in &pages {
        let (status, body) = viewer.get(path).await;
        assert_eq!(status, 200, "{path}");
        before.push(body);
    }
    let total = |cells: &[SummedCell]| {
        cells
            .iter()
            .find(|c| c.key == CellKey::total("members"))
            .unwrap()
            .sum
    };
    assert!(
        shows_number(&before[0], total(&before_live)),
        "the published total {} on the viewer's page",
        total(&before_live)
    );
    let (_, json_before) = viewer_publication(&base, p).await;

    // Southern Maine reports late.
    let late = fed.submit(&fed.chapters[3], p).await.unwrap();
    assert_eq!(late.status, "delivered");
    let h = fed.national.hub.clone();
    let (after_live, ticked) = blocking(move || {
        let live = data::level(&h, p, &[], true)?.unwrap().cells;
        Ok((live, publish::tick(&h, jiff::Timestamp::now())?))
    })
    .await
    .unwrap();
    assert!(
        total(&after_live) > total(&before_live),
        "the late report reached the hub"
    );
    assert!(
        ticked
            .iter()
            .any(|(q, o)| *q == p && matches!(o, Outcome::HeldBack { previous: 1, .. })),
        "{ticked:?}"
    );
    // The viewer's pages and JSON are byte for byte what they were.
    for (path, old) in pages.iter().zip(&before) {
        let (status, body) = viewer.get(path).await;
        assert_eq!(status, 200);
        assert_eq!(&body, old, "{path} changed after the late report");
        assert!(!shows_number(&body, total(&after_live)), "{path}");
    }
    let (_, json_after) = viewer_publication(&base, p).await;
    assert_eq!(json_before, json_after);
    // Admins see the live sums, late report included.
    let mut admin = Session::login(&base, "admin", shopfloor_testbed::servers::DEMO_PASSWORD).await;
    let (_, live_page) = admin.get(&format!("/ui/dashboards?period={p}")).await;
    assert!(shows_number(&live_page, total(&after_live)));
}
