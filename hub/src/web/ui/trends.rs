//! Trends (`/ui/trends`): every metric's total over every stored period at one level, as small
//! multiples (a sparkline each, its latest figure, the change since last month and since
//! January), each linking to the metric's tables. Periods with a report rebuilt after the month
//! closed are marked `*`, periods with a report that arrived after the deadline `†`, and a
//! legend says so in words.
//!
//! The series come from the stored aggregates (admins: one stored row per metric and period) or
//! from each period's newest publication (viewers), through the same disclosure check as every
//! page: a figure a viewer may not see is a gap in the line and "not shown" in the text.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use shopfloor_protocol::registry;
use shopfloor_protocol::{CellKey, Period};

use super::charts;
use super::data::{self, PathError, Shown, disclose};
use super::i18n::Lang;
use super::pages::{self, Crumb, DashQuery};
use super::session::Member;
use super::view::{self, Chrome, Nav};
use crate::error::Result;
use crate::hub::Hub;
use crate::web::AppState;
use crate::web::ui::i18n::LangExt as _;

/// Sparkline view box.
const SPARK_W: u32 = 160;
const SPARK_H: u32 = 40;

/// What marks a period in a series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mark {
    /// A report of the period was rebuilt after the month closed (a labelled correction).
    pub corrected: bool,
    /// A report of the period reached this hub after the deadline.
    pub late: bool,
}

/// Each period's marks: one indexed query each for "corrected" and for "late" (a child whose
/// first accepted document for the period arrived after its deadline, as completeness counts it).
pub fn marks(hub: &Hub, periods: &[Period]) -> Result<BTreeMap<Period, Mark>> {
    let deadlines: Vec<(Period, i64)> = periods
        .iter()
        .map(|p| (*p, crate::rollups::deadline(hub, *p).as_second()))
        .collect();
    hub.store().read(|db| {
        let mut late = db.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM reports WHERE period = ?1 \
             GROUP BY child HAVING MIN(received_at) > ?2)",
        )?;
        let mut corrected = db.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM agg_docs WHERE period = ?1 AND correction = 1)",
        )?;
        let mut out = BTreeMap::new();
        for (p, deadline) in deadlines {
            let text = p.to_string();
            out.insert(
                p,
                Mark {
                    corrected: corrected.query_row(rusqlite::params![text], |r| r.get(0))?,
                    late: late.query_row(rusqlite::params![text, deadline], |r| r.get(0))?,
                },
            );
        }
        Ok(out)
    })
}

/// A period's label in a series, with its marks.
pub fn label(lang: Lang, p: Period, marks: &BTreeMap<Period, Mark>) -> String {
    let m = marks.get(&p).copied().unwrap_or_default();
    let mut out = super::i18n::fmt(lang).period_short(&p.to_string());
    if m.corrected {
        out.push_str(" *");
    }
    if m.late {
        out.push_str(" †");
    }
    out
}

/// The legend's sentences for the marks that occur.
pub fn legend(lang: Lang, marks: &BTreeMap<Period, Mark>) -> Vec<String> {
    let mut out = Vec::new();
    if marks.values().any(|m| m.corrected) {
        out.push(lang.t("hub-trends-mark-corrected"));
    }
    if marks.values().any(|m| m.late) {
        out.push(lang.t("hub-trends-mark-late"));
    }
    out
}

/// The cells `keys` at `path` for each of `periods` (in the order given), as `admin` (or a
/// viewer) may see them; periods with nothing at that level (or, for viewers, no publication)
/// are left out.
pub fn totals_over(
    hub: &Hub,
    periods: &[Period],
    path: &[String],
    admin: bool,
    keys: &[CellKey],
) -> Result<Vec<(Period, Vec<Shown>)>> {
    let mut out = Vec::new();
    for p in periods {
        if admin {
            let mut row = Vec::with_capacity(keys.len());
            let mut present = true;
            for key in keys {
                match data::level_cell(hub, *p, path, key)? {
                    Some(cell) => {
                        row.push(cell.map_or(Shown::Exact(0), |c| disclose(&c, true)));
                    }
                    None => {
                        present = false;
                        break;
                    }
                }
            }
            if present {
                out.push((*p, row));
            }
        } else if let Ok(l) = data::published_level(hub, *p, path)? {
            let row = keys
                .iter()
                .map(|k| data::find(&l.cells, k).map_or(Shown::Exact(0), |c| disclose(c, false)))
                .collect();
            out.push((*p, row));
        }
    }
    Ok(out)
}

/// A signed change between two shown values, in words, when both are exact.
fn change(lang: Lang, id: &str, now: Shown, then: Option<Shown>) -> Option<String> {
    let (Shown::Exact(a), Some(Shown::Exact(b))) = (now, then) else {
        return None;
    };
    let diff = if a >= b {
        format!("+{}", lang.num(a - b))
    } else {
        format!("−{}", lang.num(b - a))
    };
    Some(lang.ta(id, &[("change", diff.into())]))
}

/// The changes of `period`'s value since the month before and since January, where both
/// figures are exact.
pub fn changes(lang: Lang, series: &[(Period, Shown)], period: Period) -> Vec<String> {
    let at =
        |p: Option<Period>| p.and_then(|p| series.iter().find(|(q, _)| *q == p).map(|(_, s)| *s));
    let Some(now) = at(Some(period)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = change(lang, "hub-tables-change-month", now, at(period.previous()))
        .into_iter()
        .collect();
    if period.month() > 1 {
        out.extend(change(
            lang,
            "hub-tables-change-year",
            now,
            at(Period::new(period.year(), 1).ok()),
        ));
    }
    out
}

/// Polyline segments (SVG `points`) of a series: a gap wherever the figure is not shown.
fn spark(series: &[(Period, Shown)]) -> Vec<String> {
    let max = series
        .iter()
        .map(|(_, s)| s.value())
        .max()
        .unwrap_or(0)
        .max(1);
    let n = u32::try_from(series.len()).unwrap_or(1).max(2) - 1;
    let mut segments = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for (i, (_, s)) in series.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(0);
        match s {
            Shown::Exact(v) | Shown::AtLeast(v) => {
                let x = 2 + i * (SPARK_W - 4) / n;
                let y = u64::from(SPARK_H - 2) - v.saturating_mul(u64::from(SPARK_H - 4)) / max;
                current.push(format!("{x},{y}"));
            }
            Shown::Suppressed | Shown::Withheld => {
                if !current.is_empty() {
                    segments.push(current.join(" "));
                    current.clear();
                }
            }
        }
    }
    if !current.is_empty() {
        segments.push(current.join(" "));
    }
    segments
}

/// One metric's small multiple.
#[derive(Debug)]
pub struct Multiple {
    label: String,
    href: String,
    latest: String,
    changes: Vec<String>,
    segments: Vec<String>,
    /// The series in words (the sparkline's title and the text for screen readers).
    words: String,
}

/// The page.
#[derive(Debug, Template)]
#[template(path = "trends.html")]
pub struct TrendsPage {
    c: Chrome,
    trail: Vec<Crumb>,
    heading: String,
    has_data: bool,
    not_published: bool,
    viewer_note: bool,
    marks: Vec<String>,
    multiples: Vec<Multiple>,
    spark_w: u32,
    spark_h: u32,
}

/// GET /ui/trends?path=A/B: every metric's total over every stored period at a level.
pub async fn trends(
    State(state): State<AppState>,
    Member(v, _): Member,
    q: std::result::Result<Query<DashQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let vv = v.clone();
    pages::page(&state, &v, move |hub| {
        let lang = vv.lang;
        let admin = vv.is_admin();
        let c = Chrome::new(&vv, &hub.config().name, "hub-trends-title", Nav::Trends);
        let periods = data::periods(hub)?;
        let path = pages::split_path(q.path.as_deref());
        let mut page = TrendsPage {
            trail: Vec::new(),
            heading: String::new(),
            has_data: false,
            not_published: false,
            viewer_note: !admin,
            marks: Vec::new(),
            multiples: Vec::new(),
            spark_w: SPARK_W,
            spark_h: SPARK_H,
            c,
        };
        let Some(latest) = periods.first().copied() else {
            return Ok(Ok(page));
        };
        // The level as of the latest period (its trail and name; viewers: never a chapter).
        let level = match data::level_only(hub, latest, &path, admin)? {
            Ok(l) => l,
            Err(PathError::NotPublished) => {
                page.not_published = true;
                return Ok(Ok(page));
            }
            Err(e) => return Ok(Err(pages::path_refusal(&e))),
        };
        page.has_data = true;
        page.trail = pages::trail(lang, &hub.config().name, None, &level, "/ui/trends");
        page.heading = level
            .node
            .as_ref()
            .map_or_else(|| hub.config().name.clone(), |n| n.name.clone());
        let oldest_first: Vec<Period> = periods.iter().rev().copied().collect();
        let marks = marks(hub, &oldest_first)?;
        page.marks = legend(lang, &marks);
        let keys: Vec<CellKey> = registry::METRICS
            .iter()
            .map(|m| CellKey::total(m.id))
            .collect();
        let rows = totals_over(hub, &oldest_first, &path, admin, &keys)?;
        for (i, m) in registry::METRICS.iter().enumerate() {
            let series: Vec<(Period, Shown)> = rows
                .iter()
                .filter_map(|(p, v)| Some((*p, *v.get(i)?)))
                .collect();
            let Some((last_period, last)) = series.last().copied() else {
                continue;
            };
            let words = series
                .iter()
                .map(|(p, s)| {
                    format!(
                        "{}: {}",
                        label(lang, *p, &marks),
                        charts::shown_text(lang, *s)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let mut query = vec![format!("period={last_period}"), format!("metric={}", m.id)];
            if !path.is_empty() {
                query.push(format!("path={}", view::encode(&path.join("/"))));
            }
            page.multiples.push(Multiple {
                label: lang.pick(m.en, m.es).to_owned(),
                href: format!("/ui/tables?{}", query.join("&")),
                latest: lang.ta(
                    "hub-tables-now",
                    &[
                        ("period", label(lang, last_period, &marks).into()),
                        ("total", charts::shown_text(lang, last).into()),
                    ],
                ),
                changes: changes(lang, &series, last_period),
                segments: spark(&series),
                words,
            });
        }
        Ok(Ok(page))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(m: u8) -> Period {
        Period::new(2026, m).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn a_withheld_figure_breaks_the_line() {
        let series = vec![
            (p(1), Shown::Exact(10)),
            (p(2), Shown::Exact(20)),
            (p(3), Shown::Withheld),
            (p(4), Shown::Exact(40)),
        ];
        let segments = spark(&series);
        assert_eq!(segments.len(), 2);
        assert_eq!(segments.first().map(|s| s.split(' ').count()), Some(2));
        // The largest value touches the top margin.
        assert!(segments.last().is_some_and(|s| s.ends_with(",2")));
    }

    #[test]
    fn changes_need_exact_figures() {
        let lang = Lang::En;
        let series = vec![
            (p(1), Shown::Exact(100)),
            (p(2), Shown::Exact(90)),
            (p(3), Shown::Exact(120)),
        ];
        let c = changes(lang, &series, p(3));
        assert_eq!(c.len(), 2);
        assert!(c.first().is_some_and(|s| s.contains("+30")));
        assert!(c.get(1).is_some_and(|s| s.contains("+20")));
        let withheld = vec![(p(1), Shown::Withheld), (p(2), Shown::Exact(90))];
        assert_eq!(changes(lang, &withheld, p(2)).len(), 0);
    }
}
