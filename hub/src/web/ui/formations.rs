//! Labor formations (`/ui/formations`): for every chapter at or below a level, whether it has a
//! labor committee, a delegate to its Central Labor Council and bylaws that provide for labor
//! work, its last report and whether this month's came on time; for viewers, only how many
//! chapters have each, and only where at least 3 chapters reported (the viewers' rule's floor,
//! `publish::rule::MIN_CHAPTERS`). This is how national sees "a labor formation in every local".
//!
//! Everything is read from the aggregate tables (`crate::aggregates`, the `facts` column each
//! report's row carries), never from a signed document.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;

use super::data::{self, PathError};
use super::i18n::Lang;
use super::pages::{self, Choice, Crumb, DashQuery};
use super::session::Member;
use super::view::{Chrome, Nav};
use crate::aggregates::{self, DocKind, DocRow};
use crate::web::AppState;
use crate::web::ui::i18n::LangExt as _;

/// A chapter's line.
#[derive(Debug)]
pub struct FormationRow {
    name: String,
    href: String,
    within: String,
    state: String,
    committee: String,
    delegate: String,
    bylaws: String,
    last: String,
    status: String,
}

/// The page.
#[derive(Debug, Template)]
#[template(path = "formations.html")]
pub struct FormationsPage {
    c: Chrome,
    periods: Vec<Choice>,
    path: String,
    trail: Vec<Crumb>,
    heading: String,
    has_data: bool,
    counts: Vec<String>,
    viewer_note: bool,
    rows: Vec<FormationRow>,
}

/// A chapter at or below the level: its latest document up to the chosen period, and the
/// chosen period's, if it sent one.
struct Chapter<'a> {
    latest: (&'a str, &'a DocRow),
    this: Option<&'a DocRow>,
}

/// The chapters at or below `party` among `rows` (every period up to the chosen one): a party
/// is below if its parent is, in any period.
fn chapters_below<'a>(
    rows: &'a [(String, DocRow)],
    party: &str,
    period: &str,
) -> BTreeMap<&'a str, Chapter<'a>> {
    let mut below: BTreeSet<&str> = BTreeSet::from([party]);
    loop {
        let before = below.len();
        for (_, r) in rows {
            if below.contains(r.parent.as_str()) {
                below.insert(r.party.as_str());
            }
        }
        if below.len() == before {
            break;
        }
    }
    let mut out: BTreeMap<&str, Chapter<'_>> = BTreeMap::new();
    for (p, r) in rows {
        if r.kind != DocKind::Report || !below.contains(r.party.as_str()) {
            continue;
        }
        let this = (p == period).then_some(r);
        out.entry(r.party.as_str())
            .and_modify(|c| {
                c.latest = (p.as_str(), r);
                if this.is_some() {
                    c.this = this;
                }
            })
            .or_insert(Chapter {
                latest: (p.as_str(), r),
                this,
            });
    }
    out
}

fn yes_no(lang: Lang, b: Option<bool>) -> String {
    match b {
        Some(true) => lang.t("hub-formations-yes"),
        Some(false) => lang.t("hub-formations-no"),
        None => lang.t("hub-formations-unknown"),
    }
}

/// GET /ui/formations?period=P&path=A/B: labor formations at and below a level.
pub async fn formations(
    State(state): State<AppState>,
    Member(v, _): Member,
    q: std::result::Result<Query<DashQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let vv = v.clone();
    pages::page(&state, &v, move |hub| {
        let lang = vv.lang;
        let admin = vv.is_admin();
        let c = Chrome::new(
            &vv,
            &hub.config().name,
            "hub-formations-title",
            Nav::Formations,
        );
        let periods = data::periods(hub)?;
        let period = match pages::parse_period(q.period.as_deref(), &periods) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let path = pages::split_path(q.path.as_deref());
        let mut page = FormationsPage {
            periods: pages::period_choices(lang, &periods, period),
            path: path.join("/"),
            trail: Vec::new(),
            heading: String::new(),
            has_data: false,
            counts: Vec::new(),
            viewer_note: !admin,
            rows: Vec::new(),
            c,
        };
        let Some(period) = period else {
            return Ok(Ok(page));
        };
        // The level (viewers may open regions, never a single chapter).
        let level = match data::locate(hub, period, &path, admin)? {
            Ok(l) => l,
            Err(PathError::NotPublished) => return Ok(Ok(page)),
            Err(e) => return Ok(Err(pages::path_refusal(&e))),
        };
        let party = level
            .node
            .as_ref()
            .map_or_else(|| hub.card().id.as_str().to_owned(), |n| n.id.clone());
        page.has_data = true;
        page.trail = pages::trail(
            lang,
            &hub.config().name,
            Some(period),
            &level,
            "/ui/formations",
        );
        page.heading = level
            .node
            .as_ref()
            .map_or_else(|| hub.config().name.clone(), |n| n.name.clone());
        let period_text = period.to_string();
        let rows = hub
            .store()
            .read(|db| aggregates::docs_through(db, &period_text))?;
        let chapters = chapters_below(&rows, &party, &period_text);
        let names: BTreeMap<&str, &str> = rows
            .iter()
            .map(|(_, r)| (r.party.as_str(), r.name.as_str()))
            .collect();
        let parents: BTreeMap<&str, &str> = rows
            .iter()
            .map(|(_, r)| (r.party.as_str(), r.parent.as_str()))
            .collect();

        // Counts over the chapters that reported this period.
        let reported: Vec<&DocRow> = chapters.values().filter_map(|c| c.this).collect();
        let n = reported.len();
        let count = |f: &dyn Fn(&DocRow) -> bool| reported.iter().filter(|r| f(r)).count();
        if admin || u32::try_from(n).is_ok_and(|n| n >= crate::publish::rule::MIN_CHAPTERS) {
            let lines = [
                (
                    "hub-formations-count-committee",
                    count(&|r| r.facts.is_some_and(|f| f.labor_committee)),
                ),
                (
                    "hub-formations-count-delegate",
                    count(&|r| r.facts.is_some_and(|f| f.clc_delegate)),
                ),
                (
                    "hub-formations-count-bylaws",
                    count(&|r| r.facts.is_some_and(|f| f.bylaws)),
                ),
                (
                    "hub-formations-count-all",
                    count(&|r| {
                        r.facts
                            .is_some_and(|f| f.labor_committee && f.clc_delegate && f.bylaws)
                    }),
                ),
            ];
            for (id, k) in lines {
                page.counts.push(lang.ta(
                    id,
                    &[
                        ("count", u64::try_from(k).unwrap_or(0).into()),
                        ("total", u64::try_from(n).unwrap_or(0).into()),
                    ],
                ));
            }
        } else {
            page.counts.push(lang.ta(
                "hub-formations-count-withheld",
                &[("total", u64::try_from(n).unwrap_or(0).into())],
            ));
        }
        if !admin {
            return Ok(Ok(page));
        }

        // Admins: one line per chapter, this period's report first, by name.
        let deadline = crate::rollups::deadline(hub, period).as_second();
        let mut list: Vec<(&str, &Chapter<'_>)> = chapters.iter().map(|(id, c)| (*id, c)).collect();
        list.sort_by_key(|(_, c)| (c.this.is_none(), c.latest.1.name.to_lowercase()));
        for (id, ch) in list {
            let (last_period, latest) = ch.latest;
            // The chain of ids from the level down to the chapter, for its dashboards link.
            let mut chain = vec![id.to_owned()];
            let mut at = id;
            while let Some(p) = parents.get(at) {
                if *p == party.as_str() {
                    break;
                }
                chain.push((*p).to_owned());
                at = p;
                if chain.len() > 8 {
                    break;
                }
            }
            chain.reverse();
            let mut full = path.clone();
            if party != id {
                full.extend(chain);
            }
            let within = parents
                .get(id)
                .filter(|p| **p != hub.card().id.as_str())
                .and_then(|p| names.get(p))
                .map_or_else(String::new, |n| (*n).to_owned());
            let status = match ch.this {
                Some(r) if r.generated_at <= deadline => lang.t("hub-on-time"),
                Some(_) => lang.t("hub-late"),
                None => lang.t("hub-formations-missing"),
            };
            let facts = latest.facts;
            page.rows.push(FormationRow {
                name: latest.name.clone(),
                href: pages::dash_href(Some(period), &full, "/ui/dashboards"),
                within,
                state: latest
                    .state
                    .as_deref()
                    .and_then(shopfloor_protocol::registry::state)
                    .map_or_else(String::new, |t| lang.pick(t.en, t.es).to_owned()),
                committee: yes_no(lang, facts.map(|f| f.labor_committee)),
                delegate: yes_no(lang, facts.map(|f| f.clc_delegate)),
                bylaws: yes_no(lang, facts.map(|f| f.bylaws)),
                last: super::i18n::fmt(lang).period(last_period),
                status,
            });
        }
        Ok(Ok(page))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(party: &str, parent: &str, kind: DocKind) -> DocRow {
        DocRow {
            party: party.into(),
            parent: parent.into(),
            kind,
            name: party.into(),
            state: None,
            revision: 1,
            digest: String::new(),
            generated_at: 0,
            chapters: 1,
            facts: None,
        }
    }

    #[test]
    fn chapters_below_a_region_across_periods() {
        let rows = vec![
            (
                "2026-01".to_owned(),
                row("south", "national", DocKind::Rollup),
            ),
            (
                "2026-01".to_owned(),
                row("durham", "south", DocKind::Report),
            ),
            (
                "2026-01".to_owned(),
                row("boston", "national", DocKind::Report),
            ),
            (
                "2026-02".to_owned(),
                row("south", "national", DocKind::Rollup),
            ),
            (
                "2026-02".to_owned(),
                row("atlanta", "south", DocKind::Report),
            ),
        ];
        let south = chapters_below(&rows, "south", "2026-02");
        assert_eq!(
            south.keys().copied().collect::<Vec<_>>(),
            ["atlanta", "durham"]
        );
        assert!(south.get("durham").is_some_and(|c| c.this.is_none()));
        assert!(south.get("atlanta").is_some_and(|c| c.this.is_some()));
        let all = chapters_below(&rows, "national", "2026-02");
        assert_eq!(all.len(), 3, "regions are not chapters");
    }
}
