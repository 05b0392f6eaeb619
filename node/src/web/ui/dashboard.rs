//! The dashboard: the chapter's numbers, charts and what needs attention.
//!
//! The numbers are the same exact aggregates the report is built from
//! ([`crate::report::raw_cells`], before disclosure control: everyone here belongs to the
//! chapter), so the dashboard and the report cannot disagree.

use askama::Template;
use axum::response::Response;
use rusqlite::Connection;
use shopfloor_protocol::registry::{self, Dim};
use shopfloor_protocol::{Cell, CellValue, Period};

use super::chart::{self, Datum};
use super::i18n::{Arg, Lang, fmt};
use super::page::Page;
use super::view::{self, Chrome, Nav};
use crate::web::AppError;
use crate::web::ui::i18n::LangExt as _;

/// One key number.
#[derive(Debug)]
pub struct Stat {
    /// Its label.
    pub label: String,
    /// The number, formatted.
    pub value: String,
}

/// One thing that needs attention.
#[derive(Debug)]
pub struct Attention {
    /// What, in a sentence.
    pub text: String,
    /// Where to deal with it (None when the role may not go there).
    pub href: Option<String>,
}

/// A chart and the table that carries the same numbers.
#[derive(Debug)]
pub struct Chart {
    /// Heading.
    pub title: String,
    /// The SVG markup (labels escaped by [`chart`]).
    pub svg: String,
    /// Rows of the table: label and value.
    pub rows: Vec<(String, String)>,
}

/// `GET /`
#[derive(Template, Debug)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    /// The frame.
    pub c: Chrome,
    /// Key numbers.
    pub stats: Vec<Stat>,
    /// Charts.
    pub charts: Vec<Chart>,
    /// What needs attention.
    pub attention: Vec<Attention>,
    /// Where members work: the mapped share and the self-report links (web/ui/selfreport.rs).
    pub mapping: Vec<(String, String)>,
    /// The self-report page, for organizers.
    pub mapping_link: Option<String>,
}

/// The period that holds today.
pub fn current_period() -> Result<Period, AppError> {
    Period::containing(jiff::Timestamp::now()).map_err(|e| AppError::Internal(e.to_string()))
}

fn count(c: &Cell) -> i64 {
    match c.value {
        CellValue::Count(n) => i64::try_from(n).unwrap_or(i64::MAX),
        CellValue::Suppressed => 0,
    }
}

/// A metric's total.
pub fn total(cells: &[Cell], metric: &str) -> i64 {
    cells
        .iter()
        .find(|c| c.key.metric == metric && c.key.dims.is_empty())
        .map_or(0, count)
}

/// A metric's one-dimensional table: (value code, count), in cell order.
pub fn table(cells: &[Cell], metric: &str, dim: Dim) -> Vec<(String, i64)> {
    cells
        .iter()
        .filter(|c| c.key.metric == metric && c.key.dims.len() == 1)
        .filter_map(|c| c.key.dims.get(&dim).map(|v| (v.clone(), count(c))))
        .collect()
}

/// Counts in a dimension's vocabulary order (then `unknown`), with zeros where `keep_zeros`.
fn ordered(lang: Lang, dim: Dim, found: &[(String, i64)], keep_zeros: bool) -> Vec<Datum> {
    let mut out = Vec::new();
    if let Some(terms) = dim.terms() {
        for t in terms {
            let n = found
                .iter()
                .find(|(v, _)| v == t.code)
                .map_or(0, |(_, n)| *n);
            if n > 0 || keep_zeros {
                out.push(Datum::new(lang.term(t), n));
            }
        }
        if let Some((_, n)) = found.iter().find(|(v, _)| v == registry::UNKNOWN)
            && *n > 0
        {
            out.push(Datum::new(lang.value(dim, registry::UNKNOWN), *n));
        }
    } else {
        for (v, n) in found {
            out.push(Datum::new(lang.value(dim, v), *n));
        }
    }
    out
}

fn rows(lang: Lang, data: &[Datum]) -> Vec<(String, String)> {
    data.iter()
        .map(|d| (d.label.clone(), lang.num(d.value)))
        .collect()
}

/// Coworkers recruited per month, the last `months` months ending with `period`.
pub fn recruitment_by_month(
    conn: &Connection,
    period: Period,
    months: usize,
) -> crate::Result<Vec<(Period, i64)>> {
    let mut periods = vec![period];
    while periods.len() < months {
        match periods.last().and_then(|p| p.previous()) {
            Some(p) => periods.push(p),
            None => break,
        }
    }
    periods.reverse();
    let first = periods.first().copied().unwrap_or(period);
    let mut stmt = conn.prepare_cached(
        "SELECT substr(recruited_on, 1, 7), sum(count) FROM recruitments
         WHERE recruited_on >= ?1 GROUP BY 1",
    )?;
    let found = stmt
        .query_map([format!("{first}-01")], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(periods
        .into_iter()
        .map(|p| {
            let key = p.to_string();
            let n = found.iter().find(|(k, _)| *k == key).map_or(0, |(_, n)| *n);
            (p, n)
        })
        .collect())
}

/// Counts for "what needs attention".
#[derive(Clone, Debug, Default)]
struct Flags {
    missing: i64,
    lapsed: i64,
    no_workplace: i64,
    stalled: i64,
    no_sector: i64,
    last_report: bool,
    enrolled: bool,
    unlinked_pod_leads: i64,
    majority_upper: i64,
    majority_unshown: i64,
}

fn scalar(conn: &Connection, sql: &str) -> crate::Result<i64> {
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

fn flags(conn: &Connection, previous: Option<Period>) -> crate::Result<Flags> {
    Ok(Flags {
        missing: scalar(
            conn,
            "SELECT count(*) FROM members WHERE list_status = 'missing'",
        )?,
        lapsed: scalar(
            conn,
            "SELECT count(*) FROM members WHERE list_status = 'present' AND standing = 'lapsed'",
        )?,
        no_workplace: scalar(
            conn,
            "SELECT count(*) FROM members m WHERE list_status = 'present'
               AND (standing IS NULL OR standing <> 'lapsed')
               AND NOT EXISTS (SELECT 1 FROM member_workplaces l WHERE l.member_id = m.id)",
        )?,
        // On the ladder (1-4) with no change of stage for 90 days.
        stalled: scalar(
            conn,
            "SELECT count(*) FROM workplaces w WHERE stage BETWEEN 1 AND 4
               AND (SELECT max(at) FROM workplace_stage_history h WHERE h.workplace_id = w.id)
                   < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-90 days')",
        )?,
        no_sector: scalar(conn, "SELECT count(*) FROM workplaces WHERE sector IS NULL")?,
        last_report: match previous {
            Some(p) => conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM reports WHERE period = ?1)",
                [p.to_string()],
                |r| r.get(0),
            )?,
            None => true,
        },
        enrolled: scalar(
            conn,
            "SELECT count(*) FROM enrollment WHERE hub_id IS NOT NULL",
        )? > 0,
        unlinked_pod_leads: scalar(
            conn,
            "SELECT count(*) FROM users WHERE role = 'pod_lead' AND member_id IS NULL AND disabled = 0",
        )?,
        // Stage 3 and above counts as majority support only where the numbers show it
        // (crate::web::ui::workplaces::numbers_show_majority); the others are flagged.
        majority_upper: scalar(
            conn,
            "SELECT count(*) FROM workplaces WHERE stage >= 3
               AND workforce_size > 0 AND supporters * 2 > workforce_size",
        )?,
        majority_unshown: scalar(
            conn,
            "SELECT count(*) FROM workplaces WHERE stage >= 3
               AND NOT (coalesce(workforce_size, 0) > 0 AND supporters * 2 > workforce_size)",
        )?,
    })
}

pub use super::shared::CACHE_TTL;

/// `GET /` — the dashboard.
pub async fn show(page: Page) -> Response {
    let r = show_inner(&page).await;
    page.respond(r)
}

async fn show_inner(page: &Page) -> Result<Response, AppError> {
    let period = current_period()?;
    let previous = period.previous();
    // Kept until the next write (store::cache): the aggregation reads every member.
    let (cells, recruited, f) = page
        .state
        .store()
        .read_cached(format!("dashboard:{period}"), CACHE_TTL, move |conn| {
            Ok((
                crate::report::raw_cells(conn, period)?,
                recruitment_by_month(conn, period, 12)?,
                flags(conn, previous)?,
            ))
        })
        .await?
        .as_ref()
        .clone();
    let lang = page.lang;
    let role = page.role();
    let members = total(&cells, "members");
    let standing = table(&cells, "members", Dim::Status);
    let good = standing
        .iter()
        .find(|(v, _)| v == "good-standing")
        .map_or(0, |(_, n)| *n);
    let stats = vec![
        Stat {
            label: lang.t("ui-stat-members"),
            value: lang.num(members),
        },
        Stat {
            label: lang.t("ui-stat-good-standing"),
            value: lang.num(good),
        },
        Stat {
            label: lang.t("ui-stat-workplaces"),
            value: lang.num(total(&cells, "workplaces")),
        },
        Stat {
            label: lang.t("ui-stat-majority"),
            // The chapter's own count: every workplace whose workforce and supporters show a
            // majority, at any stage (the reported metric counts only those below stage 3, see
            // the registry). A stage alone never counts: those are flagged under "attention".
            value: lang.num(total(&cells, "majority-workplaces") + f.majority_upper),
        },
        Stat {
            label: lang.t("ui-stat-mentorships"),
            value: lang.num(total(&cells, "mentorships-active")),
        },
        Stat {
            label: lang.t("ui-stat-reserve"),
            value: lang.num(total(&cells, "reserve-organizers")),
        },
        Stat {
            label: lang.t("ui-stat-pods"),
            value: lang.num(total(&cells, "pods")),
        },
        Stat {
            label: lang.t("ui-stat-recruited"),
            value: lang.num(total(&cells, "coworkers-recruited")),
        },
    ];

    let none = lang.t("ui-chart-empty");
    let mut charts = Vec::new();

    let mut by_sector = ordered(
        lang,
        Dim::Sector,
        &table(&cells, "members", Dim::Sector),
        false,
    );
    by_sector.sort_by_key(|d| std::cmp::Reverse(d.value));
    let title = lang.t("ui-chart-members-by-sector");
    charts.push(Chart {
        svg: chart::bars(lang, &title, &by_sector, &none),
        rows: rows(lang, &by_sector),
        title,
    });

    let stages = ordered(
        lang,
        Dim::Stage,
        &table(&cells, "workplaces", Dim::Stage),
        true,
    );
    let title = lang.t("ui-chart-ladder");
    charts.push(Chart {
        svg: chart::funnel(&title, &stages, |reached, here| {
            lang.ta(
                "ui-chart-ladder-caption",
                &[("reached", Arg::Num(reached)), ("here", Arg::Num(here))],
            )
        }),
        rows: rows(lang, &stages),
        title,
    });

    // Union density: members in a union (member, steward, officer, staff), organizing, not in
    // a union (none, retired), not known.
    let unions = table(&cells, "members", Dim::UnionStatus);
    let sum = |codes: &[&str]| -> i64 {
        unions
            .iter()
            .filter(|(v, _)| codes.contains(&v.as_str()))
            .map(|(_, n)| n)
            .sum()
    };
    let density = vec![
        Datum::new(
            lang.t("ui-density-in-union"),
            sum(&["member", "steward", "officer", "staff"]),
        ),
        Datum::new(lang.t("ui-density-organizing"), sum(&["organizing"])),
        Datum::new(lang.t("ui-density-not-in-union"), sum(&["none", "retired"])),
        Datum::new(lang.t("ui-density-unknown"), sum(&[registry::UNKNOWN])),
    ];
    let known: i64 = density.iter().take(3).map(|d| d.value).sum();
    let title = if known > 0 {
        lang.ta(
            "ui-chart-density-pct",
            &[("pct", Arg::Str(lang.pct(density[0].value * 100 / known)))],
        )
    } else {
        lang.t("ui-chart-density")
    };
    charts.push(Chart {
        svg: chart::stacked(lang, &title, &density, &none),
        rows: rows(lang, &density),
        title,
    });

    let titles = page
        .state
        .store()
        .read_async(crate::domain::trainings::catalog)
        .await?;
    let trainings: Vec<Datum> = table(&cells, "trainings-completed", Dim::Training)
        .into_iter()
        .map(|(code, n)| {
            let label = titles
                .iter()
                .find(|t| t.code == code)
                .map(|t| {
                    if lang == Lang::Es && !t.title_es.is_empty() {
                        t.title_es.clone()
                    } else {
                        t.title_en.clone()
                    }
                })
                .unwrap_or_else(|| lang.value(Dim::Training, &code));
            Datum::new(label, n)
        })
        .collect();
    let title = lang.t("ui-chart-trainings");
    charts.push(Chart {
        svg: chart::bars(lang, &title, &trainings, &none),
        rows: rows(lang, &trainings),
        title,
    });

    let months: Vec<Datum> = recruited
        .iter()
        .map(|(p, n)| Datum::new(fmt(lang).period_short(&p.to_string()), *n))
        .collect();
    let title = lang.t("ui-chart-recruitment");
    charts.push(Chart {
        svg: chart::columns(lang, &title, &months, &none),
        rows: rows(lang, &months),
        title,
    });

    let members_ok = role.can_see_members();
    let link = |allowed: bool, href: &str| allowed.then(|| href.to_owned());
    let mut attention = Vec::new();
    let add = |attention: &mut Vec<Attention>, n: i64, id: &str, href: Option<String>| {
        if n > 0 {
            attention.push(Attention {
                text: lang.ta(id, &[("n", Arg::Num(n))]),
                href,
            });
        }
    };
    add(
        &mut attention,
        f.missing,
        "ui-attn-missing",
        link(members_ok, "/members?list=missing"),
    );
    add(
        &mut attention,
        f.lapsed,
        "ui-attn-lapsed",
        link(members_ok, "/members?status=lapsed"),
    );
    add(
        &mut attention,
        f.no_workplace,
        "ui-attn-no-workplace",
        link(members_ok, "/members?workplace=none"),
    );
    add(
        &mut attention,
        f.stalled,
        "ui-attn-stalled",
        link(members_ok, "/workplaces?stalled=1"),
    );
    add(
        &mut attention,
        f.majority_unshown,
        "ui-attn-majority-unshown",
        link(members_ok, "/workplaces"),
    );
    add(
        &mut attention,
        f.no_sector,
        "ui-attn-no-sector",
        link(members_ok, "/workplaces?sector=unknown"),
    );
    if !f.last_report
        && let Some(p) = previous
    {
        attention.push(Attention {
            text: lang.ta(
                "ui-attn-report-due",
                &[("period", Arg::Str(fmt(lang).period(&p.to_string())))],
            ),
            href: Some(format!("/reports?period={p}")),
        });
    }
    if !f.enrolled {
        attention.push(Attention {
            text: lang.t("ui-attn-not-enrolled"),
            href: link(role.can_admin(), "/settings#hub"),
        });
    }
    if role.can_admin() {
        add(
            &mut attention,
            f.unlinked_pod_leads,
            "ui-attn-pod-lead-unlinked",
            Some("/settings#users".into()),
        );
    }

    let c = page.chrome_titled(
        lang.ta(
            "ui-dashboard-title",
            &[("period", Arg::Str(fmt(lang).period(&period.to_string())))],
        ),
        Nav::Dashboard,
    );
    let mapping = super::selfreport_review::dashboard_progress(&page.state, lang).await?;
    view::ok(&DashboardPage {
        c,
        stats,
        charts,
        attention,
        mapping,
        mapping_link: link(role.can_organize(), "/self-report"),
    })
}
