//! Goals that mean what they say, on a real hub: regression tests for the three goal bugs seen
//! in the demo (a state goal showing the national figure, a sector goal on a metric without a
//! sector dimension, a recruitment goal comparing one month with a cumulative target), read from
//! the admin's dashboard page served on loopback, and the publish command's refusals.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use std::path::Path;

use shopfloor_hub::config::{self, InitOptions, Level};
use shopfloor_hub::guidance::{self, Draft, Goal};
use shopfloor_hub::publish::{self, Trigger};
use shopfloor_hub::users::{self, Role};
use shopfloor_hub::{Hub, ingest};
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::report::{ChapterFacts, REPORT_SCHEMA};
use shopfloor_protocol::{Cell, CellKey, DisclosurePolicy, Envelope, Period, Report};
use util::{ADMIN_PASSWORD, Chapter, hub_cmd, last_month};

const VIEWER_PASSWORD: &str = "viewer password 123";

/// One chapter's numbers for one period.
struct Numbers {
    state: &'static str,
    members: u64,
    health: u64,
    recruited: u64,
    trainings: u64,
}

fn report(
    ch: &Chapter,
    hub: &Hub,
    period: Period,
    previous: Option<shopfloor_protocol::Digest>,
    n: &Numbers,
) -> Envelope {
    let cells = vec![
        Cell::count(CellKey::total("members"), n.members),
        Cell::count(CellKey::new("members", &[(Dim::State, n.state)]), n.members),
        Cell::count(CellKey::new("members", &[(Dim::Sector, "62")]), n.health),
        Cell::count(
            CellKey::new("members", &[(Dim::Sector, "unknown")]),
            n.members - n.health,
        ),
        Cell::count(CellKey::total("coworkers-recruited"), n.recruited),
        Cell::count(
            CellKey::new("coworkers-recruited", &[(Dim::Sector, "62")]),
            n.recruited,
        ),
        Cell::count(CellKey::total("trainings-completed"), n.trainings),
        Cell::count(
            CellKey::new("trainings-completed", &[(Dim::Training, "one-on-ones")]),
            n.trainings,
        ),
    ];
    let report = Report {
        schema: REPORT_SCHEMA.into(),
        chapter: ch.card.id.clone(),
        recipient: hub.card().id.clone(),
        period,
        revision: 1,
        previous,
        generated_at: jiff::Timestamp::now(),
        policy: DisclosurePolicy { k: 5 },
        cells,
        facts: ChapterFacts::default(),
        campaigns: vec![],
        as_of: None,
        correction: false,
        encrypted: Vec::new(),
        joint_key: None,
    };
    report.validate().unwrap();
    Envelope::sign(&report, &ch.keys)
}

/// A national hub with two North Carolina chapters, one in Texas and one in Maine, each
/// reporting the last three months; returns the hub and those months, oldest first.
fn national(root: &Path) -> (Hub, Vec<Period>) {
    let dir = root.join("national");
    config::init(
        &dir,
        &InitOptions {
            level: Level::National,
            name: "Goals National".into(),
            state: None,
            admin_password: Some(ADMIN_PASSWORD.into()),
        },
    )
    .unwrap();
    let hub = Hub::open(&dir).unwrap();
    let last = last_month();
    let months = vec![
        last.previous().unwrap().previous().unwrap(),
        last.previous().unwrap(),
        last,
    ];
    // (id, state, members, health care members, recruited per month, trainings to date).
    let chapters = [
        ("durham", "NC", 300, 20, [10, 12, 14], [100, 110, 125]),
        ("raleigh", "NC", 250, 15, [5, 6, 7], [50, 55, 60]),
        ("houston", "TX", 400, 17, [30, 40, 50], [300, 320, 340]),
        ("portland", "ME", 150, 7, [6, 8, 9], [200, 210, 240]),
    ];
    for (id, state, members, health, recruited, trainings) in chapters {
        let ch = Chapter::new(id, &format!("{id} chapter"), state, "CANARY-GOALS");
        ch.enroll_directly(&hub);
        let mut previous = None;
        for (i, p) in months.iter().enumerate() {
            let n = Numbers {
                state,
                members,
                health,
                recruited: recruited[i],
                trainings: trainings[i],
            };
            let env = report(&ch, &hub, *p, previous, &n);
            ingest::ingest(&hub, &ch.seal_to(&env, hub.card())).unwrap();
            previous = Some(env.digest());
        }
    }
    (hub, months)
}

/// A goal as an admin writes it in a draft (JSON, so that this file also builds against hubs
/// whose goals had fewer fields, and fails there on behaviour).
fn goal(metric: &str, sector: Option<&str>, region: Option<&str>) -> Goal {
    goal_from(metric, sector, region, None)
}

fn goal_from(
    metric: &str,
    sector: Option<&str>,
    region: Option<&str>,
    from: Option<Period>,
) -> Goal {
    let mut v = serde_json::json!({"metric": metric, "target": 500, "by": "2030-06-30"});
    if let Some(s) = sector {
        v["sector"] = s.into();
    }
    if let Some(r) = region {
        v["region"] = r.into();
    }
    if let Some(p) = from {
        v["from"] = p.to_string().into();
    }
    serde_json::from_value(v).unwrap()
}

/// The admin's dashboard page for `period`, served on loopback.
async fn dashboard(hub: &Hub, period: Period, lang: &str) -> String {
    dashboard_as(hub, period, lang, "admin", ADMIN_PASSWORD).await
}

/// Someone's dashboard page for `period`, served on loopback.
async fn dashboard_as(hub: &Hub, period: Period, lang: &str, name: &str, pw: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let h = hub.clone();
    let task = tokio::spawn(async move {
        shopfloor_hub::web::serve(h, listener, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    // Installs the TLS crypto provider reqwest needs.
    shopfloor_hub::forward::client().unwrap();
    let ui = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
    };
    let page = ui.get(format!("{url}/ui/login")).send().await.unwrap();
    let pre = cookie(&page, "sf_pre").unwrap();
    let text = page.text().await.unwrap();
    let csrf = text
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let r = ui
        .post(format!("{url}/ui/login"))
        .header("cookie", format!("sf_pre={pre}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "name={name}&password={}&csrf={csrf}&next=%2Fui",
            pw.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = cookie(&r, "sf_session").unwrap();
    let html = ui
        .get(format!("{url}/ui/dashboards?period={period}"))
        .header("cookie", format!("sf_session={session}; sf_lang={lang}"))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let _ = tx.send(());
    let _ = task.await;
    html
}

/// The goal rows of the dashboard's goals table: (goal label, progress text).
fn goal_rows(html: &str) -> Vec<(String, String)> {
    let Some(start) = html.find("id=\"goals-cap\"") else {
        return Vec::new();
    };
    let figure = &html[start..];
    let figure = &figure[..figure.find("</figure>").unwrap_or(figure.len())];
    figure
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .filter_map(|row| {
            let (label, rest) = row.split_once("</th>")?;
            let label = label.split("<br>").next()?;
            let progress = rest.split("<td>").nth(1)?.split("</td>").next()?;
            Some((label.to_owned(), progress.to_owned()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_and_sector_goal_counts_only_that_states_chapters() {
    let tmp = tempfile::tempdir().unwrap();
    let (hub, months) = national(tmp.path());
    guidance::publish(
        &hub,
        Draft {
            goals: vec![
                goal("members", Some("62"), Some("NC")),
                goal("members", Some("62"), None),
                goal("members", None, Some("NC")),
            ],
            ..Draft::default()
        },
        None,
    )
    .unwrap();
    let html = dashboard(&hub, months[2], "en").await;
    let rows = goal_rows(&html);
    assert_eq!(rows.len(), 3, "{rows:?}");
    // Health care in North Carolina: Durham 20 + Raleigh 15, not the national 59.
    assert!(rows[0].0.contains("North Carolina"), "{rows:?}");
    assert!(rows[0].1.starts_with("35 of 500"), "{rows:?}");
    // Health care everywhere: 20 + 15 + 17 + 7.
    assert!(rows[1].1.starts_with("59 of 500"), "{rows:?}");
    // Members in North Carolina: the metric's [state] table.
    assert!(rows[2].1.starts_with("550 of 500"), "{rows:?}");
    // Viewers read publications only: the national sector figure is published, a sum of single
    // chapters in one state is not, so it is withheld rather than replaced by another figure.
    users::add(hub.store(), "vera", Role::Viewer, VIEWER_PASSWORD).unwrap();
    publish::publish(&hub, months[2], Trigger::Command).unwrap();
    let html = dashboard_as(&hub, months[2], "en", "vera", VIEWER_PASSWORD).await;
    let rows = goal_rows(&html);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        !rows[0].1.contains("35") && !rows[0].1.contains("59"),
        "{rows:?}"
    );
    assert!(rows[0].1.contains("not published for viewers"), "{rows:?}");
    assert!(rows[1].1.starts_with("59 of 500"), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sector_goal_on_a_metric_without_sectors_is_refused_at_publish() {
    let tmp = tempfile::tempdir().unwrap();
    let (hub, months) = national(tmp.path());
    let e = guidance::publish(
        &hub,
        Draft {
            goals: vec![goal("trainings-completed", Some("62"), None)],
            ..Draft::default()
        },
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("trainings-completed") && e.contains("sector"),
        "{e}"
    );
    // Nothing was signed: the page shows no goal, never the all-sector total.
    assert!(guidance::current(&hub).unwrap().is_none());
    let html = dashboard(&hub, months[2], "en").await;
    assert!(goal_rows(&html).is_empty());
    // The command says the same, naming metric and dimension.
    let draft = tmp.path().join("draft.json");
    std::fs::write(
        &draft,
        r#"{"goals":[{"sector":"62","metric":"trainings-completed","target":500,"by":"2030-06-30"}]}"#,
    )
    .unwrap();
    let out = hub_cmd(
        &tmp.path().join("national"),
        &["publish-guidance", draft.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("trainings-completed") && err.contains("sector"),
        "{err}"
    );
    // A region that is neither a state nor one of this hub's regional hubs is refused too.
    let e = guidance::publish(
        &hub,
        Draft {
            goals: vec![goal("members", None, Some("nowhere"))],
            ..Draft::default()
        },
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("nowhere"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recruitment_goal_sums_its_window_and_trainings_count_their_growth() {
    let tmp = tempfile::tempdir().unwrap();
    let (hub, months) = national(tmp.path());
    let recruit = goal_from("coworkers-recruited", None, None, Some(months[0]));
    let trainings = goal_from("trainings-completed", None, None, Some(months[1]));
    guidance::publish(
        &hub,
        Draft {
            goals: vec![recruit, trainings],
            ..Draft::default()
        },
        None,
    )
    .unwrap();
    let html = dashboard(&hub, months[2], "en").await;
    let rows = goal_rows(&html);
    assert_eq!(rows.len(), 2, "{rows:?}");
    // Recruited: (10+5+30+6) + (12+6+40+8) + (14+7+50+9) = 51 + 66 + 80, not last month's 80.
    assert!(rows[0].1.starts_with("197 of 500 (39%)"), "{rows:?}");
    // Trainings to date: 765 at the last month less 650 the month before the window.
    assert!(rows[1].1.starts_with("115 of 500"), "{rows:?}");
    // The series, month by month: the window's sum as of each stored month ("Oct 2026").
    let short = |p: Period| {
        shopfloor_server::locale::format(shopfloor_server::locale::Locale::EnUs)
            .period_short(&p.to_string())
    };
    assert!(
        html.contains(&format!("{}: 51", short(months[0]))),
        "series"
    );
    assert!(
        html.contains(&format!("{}: 117", short(months[1]))),
        "series"
    );
    assert!(
        html.contains(&format!("{}: 197", short(months[2]))),
        "series"
    );
    // An earlier month shows the window as far as it had got.
    let html = dashboard(&hub, months[1], "es").await;
    let rows = goal_rows(&html);
    assert!(rows[0].1.starts_with("117 de 500"), "{rows:?}");
    assert!(
        html.contains("suma de cada mes"),
        "Spanish how-it-counts line"
    );
}
