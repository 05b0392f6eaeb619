//! Charts drawn on the server as SVG: the geometry is computed here, the markup is in
//! `hub/templates/chart_*.html`. Every bar has its number (or why it is not shown) written next
//! to it, every chart has a `<title>` and a description, and withheld cells are hatched and
//! labelled in words, so nothing is told by colour alone.

use shopfloor_protocol::registry::{self, Dim, UNKNOWN};
use shopfloor_protocol::rollup::SummedCell;

use super::data::{Shown, disclose};
use super::i18n::Lang;
use super::map_data;
use crate::web::ui::i18n::LangExt as _;

/// Width of a chart's view box.
pub const WIDTH: u32 = 360;
/// Longest bar.
const BAR_MAX: u32 = 200;
/// Height of one line of a label.
const LINE: u32 = 16;
/// Height of a bar and its gap below.
const BAR_ROW: u32 = 30;
/// Characters per line of a label before it wraps (13 px text in a 360-unit box).
const WRAP: usize = 46;
/// Width of the hatched stand-in for a withheld cell.
const STUB: u32 = 24;

/// One bar.
#[derive(Debug, Clone)]
pub struct Bar {
    /// What the bar counts.
    pub label: String,
    /// Its number in words and digits, or why it is not shown.
    pub text: String,
    /// Left edge of the bar.
    pub x: u32,
    /// Width of the bar.
    pub w: u32,
    /// The label's lines and their baselines.
    pub label_lines: Vec<(u32, String)>,
    /// Top of the bar.
    pub bar_y: u32,
    /// Where the number starts.
    pub text_x: u32,
    /// Baseline of the number.
    pub text_y: u32,
    /// The label is centred (funnels).
    pub centred: bool,
    /// Drawn hatched: withheld or suppressed.
    pub hatched: bool,
}

/// A bar chart (horizontal bars, or a funnel).
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Unique id in the page (for `aria-labelledby` and patterns).
    pub id: String,
    /// Title.
    pub title: String,
    /// A sentence describing what is drawn.
    pub desc: String,
    /// The bars.
    pub bars: Vec<Bar>,
    /// View box height.
    pub height: u32,
}

/// Splits a label into lines of at most `max` characters, at spaces where possible.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

impl BarChart {
    /// The view box width.
    pub fn width(&self) -> u32 {
        WIDTH
    }

    /// Whether there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }
}

/// The words for what a reader is shown of a cell.
pub fn shown_text(lang: Lang, shown: Shown) -> String {
    match shown {
        Shown::Exact(v) => lang.num(v),
        Shown::AtLeast(v) => lang.ta("hub-at-least", &[("count", lang.num(v).into())]),
        Shown::Suppressed => lang.t("hub-suppressed"),
        Shown::Withheld => lang.t("hub-withheld"),
    }
}

/// A row before layout: label and what is shown.
#[derive(Debug, Clone)]
pub struct Row {
    /// Label.
    pub label: String,
    /// Value.
    pub shown: Shown,
}

/// Lays rows out as horizontal bars, or a funnel when `funnel`.
pub fn layout(
    id: &str,
    title: String,
    desc: String,
    rows: Vec<Row>,
    lang: Lang,
    funnel: bool,
) -> BarChart {
    let max = rows
        .iter()
        .map(|r| r.shown.value())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut top = 0;
    let bars = rows
        .into_iter()
        .map(|row| {
            let lines = wrap(&row.label, WRAP);
            let label_lines: Vec<(u32, String)> = lines
                .into_iter()
                .zip(1u32..)
                .map(|(l, n)| (top + n * LINE - 2, l))
                .collect();
            let bar_y = top + u32::try_from(label_lines.len()).unwrap_or(1) * LINE + 2;
            top = bar_y + BAR_ROW;
            let hatched = matches!(row.shown, Shown::Withheld | Shown::Suppressed);
            let v = row.shown.value();
            let w = if hatched {
                STUB
            } else if v == 0 {
                0
            } else {
                u32::try_from(u128::from(v) * u128::from(BAR_MAX) / u128::from(max))
                    .unwrap_or(BAR_MAX)
                    .max(2)
            };
            // A funnel centres its bars; a stand-in (nothing to draw) stays at the left so its words
            // fit on a narrow screen.
            let x = if funnel && w > STUB {
                (BAR_MAX - w) / 2
            } else {
                0
            };
            Bar {
                label: row.label,
                text: shown_text(lang, row.shown),
                x,
                w,
                label_lines,
                bar_y,
                text_x: x + w + 6,
                text_y: bar_y + 13,
                centred: false,
                hatched,
            }
        })
        .collect::<Vec<_>>();
    let height = top + 4;
    BarChart {
        id: id.to_owned(),
        title,
        desc,
        bars,
        height,
    }
}

/// A label of a dimension value in the page's language.
pub fn value_label(lang: Lang, dim: Dim, value: &str) -> String {
    let (en, es) = dim.value_label(value);
    lang.pick(&en, &es).to_owned()
}

/// Orders a table's cells as the vocabulary lists them (unknown last), open vocabularies by size.
pub fn ordered(cells: Vec<&SummedCell>, dim: Dim) -> Vec<&SummedCell> {
    let value = |c: &SummedCell| c.key.dims.get(&dim).cloned().unwrap_or_default();
    let mut cells = cells;
    match dim.terms() {
        Some(terms) => cells.sort_by_key(|c| {
            let v = value(c);
            let pos = terms
                .iter()
                .position(|t| t.code == v)
                .unwrap_or(usize::MAX - 1);
            if v == UNKNOWN { usize::MAX } else { pos }
        }),
        None => cells.sort_by(|a, b| {
            (value(a) == UNKNOWN)
                .cmp(&(value(b) == UNKNOWN))
                .then(b.sum.cmp(&a.sum))
                .then(value(a).cmp(&value(b)))
        }),
    }
    cells
}

/// A chart of a metric's table by one dimension.
#[allow(clippy::too_many_arguments)]
pub fn by_dim(
    id: &str,
    lang: Lang,
    admin: bool,
    cells: Vec<&SummedCell>,
    metric: &str,
    dim: Dim,
    funnel: bool,
    label: &dyn Fn(&str) -> String,
) -> BarChart {
    let (m_en, m_es) = registry::metric(metric).map_or((metric, metric), |m| (m.en, m.es));
    let (d_en, d_es) = dim.label();
    let title = format!("{} · {}", lang.pick(m_en, m_es), lang.pick(d_en, d_es));
    let rows: Vec<Row> = ordered(cells, dim)
        .into_iter()
        .map(|c| Row {
            label: label(c.key.dims.get(&dim).map_or("", String::as_str)),
            shown: disclose(c, admin),
        })
        .collect();
    let desc = lang.ta(
        if funnel {
            "hub-chart-desc-funnel"
        } else {
            "hub-chart-desc-bars"
        },
        &[("count", u64::try_from(rows.len()).unwrap_or(0).into())],
    );
    layout(id, title, desc, rows, lang, funnel)
}

/// One goal as measured, for [`goal_bars`].
#[derive(Debug, Clone)]
pub struct GoalRow {
    /// What the goal is about: metric, sector, region.
    pub label: String,
    /// Who set it and how it is counted, in words.
    pub meta: String,
    /// The figure as of the period shown.
    pub shown: Shown,
    /// Not measured at this hub: the goal's region is outside its tree.
    pub elsewhere: bool,
    /// Not in the publication a viewer reads.
    pub unpublished: bool,
    /// Target.
    pub target: u64,
    /// Target date.
    pub by: String,
    /// The figure as of each stored period, oldest first (period, figure).
    pub series: Vec<(String, Shown)>,
}

/// One bar of a goal's series.
#[derive(Debug, Clone)]
pub struct SeriesBar {
    /// Left.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// "2026-10: 72 of 500".
    pub title: String,
}

/// One goal against progress.
#[derive(Debug, Clone)]
pub struct GoalBar {
    /// What the goal is about.
    pub label: String,
    /// Who set it and how it is counted.
    pub meta: String,
    /// "120 of 500 (24%) by 2027-01-01", or why the progress is not shown.
    pub text: String,
    /// Width of the progress bar.
    pub w: u32,
    /// Width of the whole target.
    pub full: u32,
    /// The label's lines and their baselines.
    pub label_lines: Vec<(u32, String)>,
    /// Baseline of the meta line.
    pub meta_y: u32,
    /// Top of the bar.
    pub bar_y: u32,
    /// Baseline of the text below the bar.
    pub text_y: u32,
    /// Progress not shown.
    pub hatched: bool,
    /// The series as small bars (height: progress towards the target), oldest first.
    pub series: Vec<SeriesBar>,
    /// Top of the series' frame and its height.
    pub series_y: u32,
    /// The series in words, for the table.
    pub series_text: String,
}

/// Height of a goal's series.
const SERIES_H: u32 = 28;

/// Lays goals out: each a full-width outline (the target) filled as far as the progress, and
/// below it the progress as of each stored period as small bars.
pub fn goal_bars(rows: Vec<GoalRow>, lang: Lang) -> (Vec<GoalBar>, u32) {
    const GOAL_MAX: u32 = WIDTH - 20;
    let pct_of = |v: u64, target: u64| v.saturating_mul(100).checked_div(target).unwrap_or(100);
    let mut top = 0;
    let bars: Vec<GoalBar> = rows
        .into_iter()
        .map(|row| {
            let GoalRow {
                label,
                meta,
                shown,
                elsewhere,
                unpublished,
                target,
                by,
                series,
            } = row;
            let hatched =
                elsewhere || unpublished || matches!(shown, Shown::Withheld | Shown::Suppressed);
            let v = shown.value();
            let pct = pct_of(v, target);
            let w = if hatched {
                0
            } else {
                u32::try_from(pct.min(100)).unwrap_or(100) * GOAL_MAX / 100
            };
            let text = if elsewhere || unpublished {
                format!(
                    "{} · {}",
                    lang.t(if elsewhere {
                        "hub-goal-elsewhere"
                    } else {
                        "hub-goal-unpublished"
                    }),
                    lang.ta("hub-goal-by", &[("date", by.into())])
                )
            } else if hatched {
                format!(
                    "{} · {}",
                    shown_text(lang, shown),
                    lang.ta("hub-goal-by", &[("date", by.into())])
                )
            } else {
                lang.ta(
                    "hub-goal-progress",
                    &[
                        ("value", shown_text(lang, shown).into()),
                        ("target", lang.num(target).into()),
                        ("percent", lang.pct(pct).into()),
                        ("date", by.into()),
                    ],
                )
            };
            let label_lines: Vec<(u32, String)> = wrap(&label, WRAP)
                .into_iter()
                .zip(1u32..)
                .map(|(l, n)| (top + n * LINE - 2, l))
                .collect();
            let meta_y = top + (u32::try_from(label_lines.len()).unwrap_or(1) + 1) * LINE - 2;
            let bar_y = meta_y + 6;
            let text_y = bar_y + 16 + LINE;
            let series_y = text_y + 8;
            let n = u32::try_from(series.len()).unwrap_or(0).max(1);
            let slot = GOAL_MAX / n.max(6);
            let series_text = series
                .iter()
                .filter(|_| !(elsewhere || unpublished))
                .map(|(p, s)| format!("{p}: {}", shown_text(lang, *s)))
                .collect::<Vec<_>>()
                .join(" · ");
            let series_bars = if elsewhere || unpublished {
                Vec::new()
            } else {
                series
                    .iter()
                    .zip(0u32..)
                    .map(|((p, s), i)| {
                        let f = u32::try_from(pct_of(s.value(), target).min(100)).unwrap_or(100);
                        let h = (f * SERIES_H / 100).max(1);
                        SeriesBar {
                            x: i * slot,
                            y: series_y + SERIES_H - h,
                            w: slot.saturating_sub(3).max(2),
                            h,
                            title: format!("{p}: {}", shown_text(lang, *s)),
                        }
                    })
                    .collect()
            };
            top = if series.is_empty() {
                text_y + 14
            } else {
                series_y + SERIES_H + 14
            };
            GoalBar {
                label,
                meta,
                text,
                w,
                full: GOAL_MAX,
                label_lines,
                meta_y,
                bar_y,
                text_y,
                hatched,
                series: series_bars,
                series_y,
                series_text,
            }
        })
        .collect();
    (bars, top + 4)
}

/// A state of the map.
#[derive(Debug, Clone)]
pub struct MapState {
    /// USPS code.
    pub code: String,
    /// Name in the page's language.
    pub name: String,
    /// SVG path data.
    pub d: &'static str,
    /// Fill: a colour or a pattern.
    pub fill: String,
    /// What is shown, in words.
    pub text: String,
    /// Class number (1-5), 0 for no data, none for withheld.
    pub class: Option<u8>,
}

/// An entry of the map's legend.
#[derive(Debug, Clone)]
pub struct LegendItem {
    /// Fill of the swatch.
    pub fill: String,
    /// Label (class number and range, or what the pattern means).
    pub label: String,
}

/// The five colours of the classes, light to dark (ColorBrewer Blues, readable with dark
/// outlines).
const CLASS_COLOURS: [&str; 5] = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];

/// Builds the map's states and legend from each state's shown value.
pub fn map(
    lang: Lang,
    values: &[(String, Shown)],
    admin: bool,
) -> (Vec<MapState>, Vec<LegendItem>) {
    // Shades are scaled on the states drawn: the `unknown` value (members with no workplace, or
    // none recorded) is not a state and would otherwise set a top shade no state can reach.
    let max = values
        .iter()
        .filter(|(code, _)| registry::state(code).is_some())
        .map(|(_, s)| s.value())
        .max()
        .unwrap_or(0);
    // Equal intervals of the largest value, five classes: upper bounds.
    let bounds: Vec<u64> = (1..=5u64).map(|i| (max * i).div_ceil(5).max(i)).collect();
    let class_of = |v: u64| -> u8 {
        bounds
            .iter()
            .position(|b| v <= *b)
            .and_then(|p| u8::try_from(p + 1).ok())
            .unwrap_or(5)
    };
    let states = map_data::STATE_PATHS
        .iter()
        .filter_map(|(fips, _, d)| {
            let code = registry::STATE_FIPS.iter().find(|(_, f)| f == fips)?.0;
            let term = registry::state(code)?;
            let shown = values.iter().find(|(c, _)| c == code).map(|(_, s)| *s);
            let (fill, text, class) = match shown {
                None | Some(Shown::Exact(0)) => (
                    "url(#map-none)".to_owned(),
                    lang.t("hub-map-no-data"),
                    Some(0),
                ),
                Some(Shown::Withheld) | Some(Shown::Suppressed) => (
                    "url(#map-withheld)".to_owned(),
                    shown_text(lang, shown.unwrap_or(Shown::Withheld)),
                    None,
                ),
                Some(s) => {
                    let k = class_of(s.value());
                    let colour = CLASS_COLOURS
                        .get(usize::from(k.saturating_sub(1)))
                        .copied()
                        .unwrap_or("#08519c");
                    (colour.to_owned(), shown_text(lang, s), Some(k))
                }
            };
            Some(MapState {
                code: code.to_owned(),
                name: lang.pick(term.en, term.es).to_owned(),
                d,
                fill,
                text,
                class,
            })
        })
        .collect();
    let mut legend = Vec::new();
    let mut low = 1u64;
    if max > 0 {
        for (i, (b, colour)) in bounds.iter().zip(CLASS_COLOURS).enumerate() {
            if *b < low {
                continue;
            }
            legend.push(LegendItem {
                fill: colour.to_owned(),
                label: lang.ta(
                    "hub-map-class",
                    &[
                        ("class", u64::try_from(i + 1).unwrap_or(0).into()),
                        ("low", lang.num(low).into()),
                        ("high", lang.num(*b).into()),
                    ],
                ),
            });
            low = b + 1;
        }
    }
    // Admins see what each chapter withheld; viewers see what the viewers' rule hides.
    legend.push(LegendItem {
        fill: "url(#map-withheld)".into(),
        label: lang.t(if admin {
            "hub-map-legend-suppressed"
        } else {
            "hub-map-legend-withheld"
        }),
    });
    legend.push(LegendItem {
        fill: "url(#map-none)".into(),
        label: lang.t("hub-map-no-data"),
    });
    (states, legend)
}

/// The map's view box.
pub fn map_view_box() -> &'static str {
    map_data::VIEW_BOX
}

/// The map data's attribution.
pub fn map_attribution() -> &'static str {
    map_data::ATTRIBUTION
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19, item 13: a Spanish sector label was cut off ("…de manejo de resid"). Every
    /// label of every registry vocabulary, in both languages, lays out in lines of at most
    /// `WRAP` characters, and `WRAP` characters of 13 px text at 0.6 em each (wider than the
    /// average advance of any sans-serif the stylesheet falls back to) fit the view box.
    #[test]
    fn every_registry_label_fits_its_chart_in_both_languages() {
        assert!(WRAP as f64 * 13.0 * 0.6 <= f64::from(WIDTH));
        let mut seen = 0;
        for dim in Dim::ALL {
            for term in dim.terms().unwrap_or(&[]) {
                for (lang, label) in [(Lang::En, term.en), (Lang::Es, term.es)] {
                    let rows = vec![Row {
                        label: label.to_owned(),
                        shown: Shown::Exact(1_009),
                    }];
                    let chart = layout("t", "T".into(), "D".into(), rows, lang, false);
                    let lines: Vec<&str> = chart.bars[0]
                        .label_lines
                        .iter()
                        .map(|(_, l)| l.as_str())
                        .collect();
                    assert_eq!(lines.join(" "), label, "{dim:?} {lang:?}: words lost");
                    for line in &lines {
                        assert!(
                            line.chars().count() <= WRAP,
                            "{dim:?} {lang:?}: {line:?} is longer than {WRAP} characters"
                        );
                    }
                    seen += 1;
                }
            }
        }
        assert!(seen > 100, "only {seen} labels");
        let long = "Servicios administrativos, de apoyo y de manejo de residuos";
        assert_eq!(
            wrap(long, WRAP),
            [
                "Servicios administrativos, de apoyo y de",
                "manejo de residuos"
            ]
        );
    }

    #[test]
    fn labels_wrap_at_spaces() {
        assert_eq!(wrap("short", 10), ["short"]);
        assert_eq!(wrap("one two three four", 9), ["one two", "three", "four"]);
        assert_eq!(wrap("", 9), [""]);
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
    }

    #[test]
    fn withheld_bars_are_hatched_and_say_why() {
        let rows = vec![
            Row {
                label: "a".into(),
                shown: Shown::Exact(10),
            },
            Row {
                label: "b".into(),
                shown: Shown::Withheld,
            },
        ];
        let chart = layout("t", "T".into(), "D".into(), rows, Lang::En, false);
        let b = &chart.bars;
        assert_eq!((b[0].w, b[0].hatched), (BAR_MAX, false));
        assert!(b[1].hatched);
        assert_eq!(b[1].text, "not shown to protect chapter numbers");
        assert!(b[1].bar_y > b[0].bar_y);
    }

    #[test]
    fn the_map_has_every_state_and_a_legend() {
        let (states, legend) = map(
            Lang::Es,
            &[
                ("NC".into(), Shown::Exact(50)),
                ("TX".into(), Shown::Withheld),
            ],
            false,
        );
        assert_eq!(states.len(), 52);
        let nc = states.iter().find(|s| s.code == "NC").unwrap();
        assert_eq!((nc.class, nc.text.as_str()), (Some(5), "50"));
        let tx = states.iter().find(|s| s.code == "TX").unwrap();
        assert_eq!(tx.fill, "url(#map-withheld)");
        assert_eq!(
            tx.text,
            "no se muestra para proteger las cifras de los capítulos"
        );
        assert!(legend.iter().any(|l| l.label.starts_with("Tono 5")));
        assert!(
            legend
                .iter()
                .any(|l| l.label.starts_with("Rayas: no se muestra"))
        );
    }

    /// The shades run over the states drawn: members with no state (`unknown`) do not set the top
    /// shade; admins' legend says the hatching is the chapters' own withholding.
    #[test]
    fn the_map_scales_on_states_and_its_legend_fits_the_role() {
        let (states, legend) = map(
            Lang::En,
            &[
                ("NC".into(), Shown::Exact(620)),
                ("TX".into(), Shown::Exact(910)),
                ("ME".into(), Shown::Suppressed),
                (UNKNOWN.into(), Shown::Exact(1_165)),
            ],
            true,
        );
        let tx = states.iter().find(|s| s.code == "TX").unwrap();
        assert_eq!(tx.class, Some(5), "the largest state has the top shade");
        assert_eq!(legend[4].label, "Shade 5: 729 to 910");
        assert!(
            legend
                .iter()
                .any(|l| l.label.starts_with("Hatched: withheld by the chapter"))
        );
        assert!(
            !legend
                .iter()
                .any(|l| l.label.contains("to protect chapter numbers"))
        );
    }
}
