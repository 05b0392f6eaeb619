//! The county map (`/ui/map/counties`) on a real loopback server: a regional hub draws the
//! counties of the states its chapters' reports show, a national hub the South or the states
//! picked; a withheld county is marked in the map and in the table; viewers never see a value
//! the viewers' rule withholds; both languages render without raw message ids.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use util::browser::{Browser, Page};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use shopfloor_hub::config::{self, InitOptions, Level};
use shopfloor_hub::users::{self, Role};
use shopfloor_hub::{Hub, ingest, rollups};
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::{Cell, CellKey};
use util::{ADMIN_PASSWORD, Chapter, Served, last_month};

const VIEWER_PASSWORD: &str = "viewer password 123";

// Wake (37183) comes from three chapters, none 80% or more: viewers see it. Durham (37063) from
// two, Mecklenburg (37119) and Charleston (45019) from one each: withheld from viewers.
const WAKE: [u64; 3] = [140, 135, 145];
const DURHAM: [u64; 2] = [131, 126];
const MECKLENBURG: u64 = 153;
const CHARLESTON: u64 = 161;

/// A chapter and its county cells: (id, name, state, [(county FIPS, members)]).
type ChapterCounties = (
    &'static str,
    &'static str,
    &'static str,
    Vec<(&'static str, u64)>,
);

/// Each chapter's county cells.
fn chapters() -> Vec<ChapterCounties> {
    vec![
        (
            "raleigh",
            "Raleigh",
            "NC",
            vec![("37183", WAKE[0]), ("37063", DURHAM[0])],
        ),
        (
            "durham",
            "Durham Chapter",
            "NC",
            vec![("37183", WAKE[1]), ("37063", DURHAM[1])],
        ),
        (
            "charlotte",
            "Charlotte",
            "NC",
            vec![("37183", WAKE[2]), ("37119", MECKLENBURG)],
        ),
        (
            "lowcountry",
            "Lowcountry",
            "SC",
            vec![("45019", CHARLESTON)],
        ),
    ]
}

fn cells(state: &str, counties: &[(&str, u64)]) -> Vec<Cell> {
    let total: u64 = counties.iter().map(|(_, n)| n).sum();
    let mut out = vec![
        Cell::count(CellKey::total("members"), total),
        Cell::count(CellKey::new("members", &[(Dim::State, state)]), total),
    ];
    for (fips, n) in counties {
        out.push(Cell::count(
            CellKey::new("members", &[(Dim::County, fips)]),
            *n,
        ));
    }
    out
}

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

/// A hub at `level` with the four chapters' reports for last month, published for viewers.
fn hub_with_chapters(root: &Path, name: &str, level: Level) -> Hub {
    let hub = init_hub(root, name, level);
    let period = last_month();
    for (id, cname, state, counties) in chapters() {
        let ch = Chapter::new(id, cname, state, "CANARY-COUNTY");
        ch.enroll_directly(&hub);
        let env = ch.report_with(&hub.card().id, period, 1, None, cells(state, &counties));
        ingest::ingest(&hub, &ch.seal_to(&env, hub.card())).unwrap();
    }
    if level == Level::National {
        rollups::build(&hub, period).unwrap();
    }
    shopfloor_hub::publish::publish(&hub, period, shopfloor_hub::publish::Trigger::Command)
        .unwrap();
    hub
}

// ------------------------------------------------------------------------------------------------
// Serving and a small browser.

// ------------------------------------------------------------------------------------------------
// Reading the page.

/// The county map's SVG.
fn svg(html: &str) -> &str {
    let start = html
        .find("class=\"usmap countymap\"")
        .expect("the county map");
    let svg = &html[start..];
    &svg[..svg.find("</svg>").unwrap()]
}

/// Each drawn county: FIPS -> (fill, title).
fn drawn(html: &str) -> BTreeMap<String, (String, String)> {
    svg(html)
        .split("<path ")
        .skip(1)
        .filter(|p| p.contains("data-county=\""))
        .map(|p| {
            let attr = |name: &str| {
                let m = format!("{name}=\"");
                let i = p.find(&m).unwrap() + m.len();
                p[i..].split('"').next().unwrap().to_owned()
            };
            let title = p.split("<title>").nth(1).expect("each county has a title");
            let title = title.split("</title>").next().unwrap().to_owned();
            (attr("data-county"), (attr("fill"), title))
        })
        .collect()
}

/// Each table row: FIPS -> the row's text.
fn rows(html: &str) -> BTreeMap<String, String> {
    html.split("<tr data-county=\"")
        .skip(1)
        .map(|r| {
            let (fips, rest) = r.split_once('"').unwrap();
            (
                fips.to_owned(),
                rest.split("</tr>").next().unwrap().to_owned(),
            )
        })
        .collect()
}

/// How many counties the map data has in a state (by FIPS prefix).
fn counties_in(prefixes: &[&str]) -> usize {
    let tsv = include_str!("../assets/counties.tsv");
    tsv.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| prefixes.iter().any(|p| l.starts_with(p)))
        .count()
}

/// Whether `html` shows `n` as a number on its own (digits or grouped), outside path data.
fn shows_number(html: &str, n: u64) -> bool {
    let mut text = String::new();
    let mut rest = html;
    while let Some(i) = rest.find(" d=\"") {
        text.push_str(&rest[..i]);
        rest = rest[i + 4..].split_once('"').map_or("", |(_, r)| r);
    }
    text.push_str(rest);
    let needle = n.to_string();
    let boundary =
        |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == ',' || c == '.'));
    text.match_indices(&needle).any(|(at, _)| {
        boundary(text[..at].chars().next_back())
            && boundary(text[at + needle.len()..].chars().next())
    })
}

fn assert_no_raw_ids(html: &str, what: &str) {
    for prefix in ["hub-", "err-", "rec-"] {
        assert!(
            !html.contains(prefix),
            "{what}: a raw message id ({prefix}...)"
        );
    }
}

/// Writes a page under `$SHOPFLOOR_UI_DUMP` (to look at, or to screenshot), if set.
fn dump(name: &str, html: &str) {
    if let Some(dir) = std::env::var_os("SHOPFLOOR_UI_DUMP") {
        std::fs::write(Path::new(&dir).join(format!("{name}.html")), html).unwrap();
    }
}

/// The county map's view box: x, y, width, height.
fn view_box(html: &str) -> [f64; 4] {
    let end = html.find("class=\"usmap countymap\"").unwrap();
    let start = html[..end].rfind("<svg viewBox=\"").unwrap() + "<svg viewBox=\"".len();
    let v: Vec<f64> = html[start..end]
        .split('"')
        .next()
        .unwrap()
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    [v[0], v[1], v[2], v[3]]
}

const NOT_SHOWN: &str = "not shown to protect chapter numbers";

// ------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regional_hub_draws_its_states_counties_under_the_viewer_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub_with_chapters(tmp.path(), "Carolinas Region", Level::Regional);
    let served = Served::start(&hub).await;
    let wake: u64 = WAKE.iter().sum();
    let durham: u64 = DURHAM.iter().sum();

    // Admins: the states the reports show (NC, SC), every one of their counties drawn, the view
    // box fitted to them, and every number.
    let mut admin = Browser::new(&served.url)
        .lang("en")
        .logged_in("admin", ADMIN_PASSWORD)
        .await;
    let Page {
        status, body: page, ..
    } = admin.get("/ui/map/counties").await;
    assert_eq!(status, 200, "{page}");
    let map = drawn(&page);
    assert_eq!(map.len(), counties_in(&["37", "45"]));
    assert_eq!(
        map.len(),
        100 + 46,
        "North Carolina's and South Carolina's counties"
    );
    let states: BTreeSet<&str> = map.keys().map(|f| &f[..2]).collect();
    assert_eq!(states, BTreeSet::from(["37", "45"]));
    dump("county-regional-admin", &page);
    // The Carolinas lie around x 700-870, y 330-460 of the state map's 975 x 610 box.
    let [x, y, w, h] = view_box(&page);
    assert!(
        x > 650.0 && y > 280.0 && w < 250.0 && h < 200.0,
        "{x} {y} {w} {h}"
    );
    assert!(x + w > 850.0 && y + h > 420.0, "{x} {y} {w} {h}");
    assert!(page.contains("2 states: North Carolina, South Carolina"));
    let (fill, title) = &map["37183"];
    assert_eq!(title, &format!("Wake, North Carolina: {wake} (100 to 499)"));
    assert!(fill.starts_with('#'), "{fill}");
    assert_eq!(
        map["37063"].1,
        format!("Durham, North Carolina: {durham} (100 to 499)")
    );
    assert_eq!(map["37001"].0, "url(#map-none)", "no cell: dotted");
    assert!(map["37001"].1.ends_with("(Dotted: no data)"));
    // The table: every county, by state then name, with its number.
    let table = rows(&page);
    assert_eq!(table.len(), map.len());
    assert!(table["45019"].contains(&CHARLESTON.to_string()));
    let order: Vec<&str> = page
        .split("<tr data-county=\"")
        .skip(1)
        .map(|r| &r[..5])
        .collect();
    assert_eq!(order.first(), Some(&"37001"), "Alamance first");
    assert!(order.iter().position(|f| *f == "37183") < order.iter().position(|f| *f == "45001"));
    assert!(page.contains("500 or more") && page.contains("Hatched: not shown"));
    assert!(page.contains("us-atlas"));

    // Admins drill down to a chapter.
    let Page {
        status,
        body: chapter,
        ..
    } = admin.get("/ui/map/counties?path=raleigh").await;
    assert_eq!(status, 200);
    assert!(drawn(&chapter)["37183"].1.contains(&WAKE[0].to_string()));

    // Viewers: Wake passes the rule; Durham (2 chapters), Mecklenburg and Charleston (1 each)
    // are hatched in the map and marked in the table, and no withheld value appears.
    let mut viewer = Browser::new(&served.url)
        .lang("en")
        .logged_in("vera", VIEWER_PASSWORD)
        .await;
    let Page {
        status, body: page, ..
    } = viewer.get("/ui/map/counties").await;
    assert_eq!(status, 200, "{page}");
    dump("county-regional-viewer", &page);
    let map = drawn(&page);
    assert_eq!(map.len(), 146);
    assert_eq!(
        map["37183"].1,
        format!("Wake, North Carolina: {wake} (100 to 499)")
    );
    let table = rows(&page);
    for fips in ["37063", "37119", "45019"] {
        assert_eq!(map[fips].0, "url(#map-withheld)", "{fips}");
        assert!(map[fips].1.contains(NOT_SHOWN), "{fips}: {}", map[fips].1);
        assert!(table[fips].contains(NOT_SHOWN), "{fips}");
    }
    assert!(table["37183"].contains(&wake.to_string()));
    let withheld = [
        durham,
        DURHAM[0],
        DURHAM[1],
        MECKLENBURG,
        CHARLESTON,
        WAKE[0],
        WAKE[1],
        WAKE[2],
    ];
    for path in [
        "/ui/map/counties",
        "/ui/map/counties?states=data",
        "/ui/map/counties?states=NC,SC,GA",
    ] {
        let Page {
            status, body: page, ..
        } = viewer.get(path).await;
        assert_eq!(status, 200, "{path}");
        for n in withheld {
            assert!(!shows_number(&page, n), "{path} shows withheld {n}");
        }
        assert!(
            !page.contains("Raleigh") && !page.contains("Charlotte"),
            "{path}"
        );
    }
    // Viewers never drill down to a chapter; a list that is not states is refused in words.
    let Page {
        status, body: _, ..
    } = viewer.get("/ui/map/counties?path=raleigh").await;
    assert_eq!(status, 403);
    let Page {
        status, body: page, ..
    } = viewer.get("/ui/map/counties?states=NC,XX").await;
    assert_eq!(status, 400);
    assert!(page.contains("two-letter postal codes"));

    // A state picked: only its counties, the view box fitted to it.
    let Page { body: sc, .. } = viewer.get("/ui/map/counties?states=SC").await;
    dump("county-regional-viewer-sc", &sc);
    let map = drawn(&sc);
    assert_eq!(map.len(), 46);
    let [_, _, w_sc, _] = view_box(&sc);
    assert!(w_sc < w, "one state is narrower than two");
    assert!(sc.contains("One state: South Carolina"));
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn national_draws_the_south_by_default_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub_with_chapters(tmp.path(), "National", Level::National);
    let served = Served::start(&hub).await;
    let south = [
        "01", "05", "10", "11", "12", "13", "21", "22", "24", "28", "37", "40", "45", "47", "48",
        "51", "54",
    ];
    for (lang, words) in [
        (
            "en",
            [
                "County map",
                "The South (Census region)",
                "17 states: Alabama",
                "1 to 4",
                "Hatched: not shown to protect chapter numbers",
            ],
        ),
        (
            "es",
            [
                "Mapa de condados",
                "El Sur (región del Censo)",
                "17 estados: Alabama",
                "de 1 a 4",
                "Rayas: no se muestra para proteger las cifras de los capítulos",
            ],
        ),
    ] {
        for (who, password) in [("admin", ADMIN_PASSWORD), ("vera", VIEWER_PASSWORD)] {
            let mut b = Browser::new(&served.url)
                .lang(lang)
                .logged_in(who, password)
                .await;
            let Page {
                status, body: page, ..
            } = b.get("/ui/map/counties").await;
            assert_eq!(status, 200, "{lang} {who}: {page}");
            dump(&format!("county-national-{who}-{lang}"), &page);
            assert!(page.contains(&format!("<html lang=\"{lang}\">")));
            for w in words {
                assert!(page.contains(w), "{lang} {who}: lacks {w:?}");
            }
            assert_no_raw_ids(&page, &format!("{lang} {who}"));
            let map = drawn(&page);
            assert_eq!(map.len(), counties_in(&south), "{lang} {who}");
            let withheld = map["45019"].0 == "url(#map-withheld)";
            assert_eq!(withheld, who == "vera", "{lang} {who}: Charleston");
            if who == "vera" {
                assert!(!shows_number(&page, CHARLESTON));
                assert!(!shows_number(&page, MECKLENBURG));
            }
            // The state map links here, and here back.
            assert!(page.contains("href=\"/ui/map\""));
            let Page { body: states, .. } = b.get("/ui/map").await;
            assert!(states.contains("href=\"/ui/map/counties\""));
            assert_no_raw_ids(&states, "state map");
        }
    }
    served.stop().await;
}
