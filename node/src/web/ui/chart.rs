//! Hand-written SVG charts: horizontal bars, the organizing ladder as a funnel, a 100 % stacked
//! bar for union density, and columns over periods.
//!
//! Every chart is a self-contained `<svg role="img">` with a `<title>`, and writes each value as
//! text next to its mark, so nothing depends on colour; templates put the same numbers in a table
//! below for screen readers and copying. Labels are escaped here. The view box is narrow (400
//! units) so text stays legible when a phone scales the chart down.

use crate::web::ui::i18n::{Lang, LangExt as _};
use std::fmt::Write as _;

/// Width of every chart's view box.
const W: f64 = 400.0;
/// Font size in view-box units.
const FONT: f64 = 14.0;

/// One labelled value.
#[derive(Clone, Debug, PartialEq)]
pub struct Datum {
    /// What the value is (already translated).
    pub label: String,
    /// The value.
    pub value: i64,
}

impl Datum {
    /// A datum.
    pub fn new(label: impl Into<String>, value: i64) -> Datum {
        Datum {
            label: label.into(),
            value,
        }
    }
}

/// Escapes text for SVG/XML content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn open(out: &mut String, height: f64, title: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img" aria-label="{t}" font-size="{FONT}"><title>{t}</title>"#,
        t = esc(title)
    );
}

/// Horizontal bars, one per datum: the label on its own line, the bar below with its value at
/// the end. An empty chart says `empty` instead.
pub fn bars(lang: Lang, title: &str, data: &[Datum], empty: &str) -> String {
    let mut out = String::new();
    if data.is_empty() {
        open(&mut out, 30.0, title);
        let _ = write!(out, r#"<text x="0" y="20">{}</text></svg>"#, esc(empty));
        return out;
    }
    let row = 44.0;
    let height = row * data.len() as f64 + 4.0;
    open(&mut out, height, title);
    let max = data.iter().map(|d| d.value).max().unwrap_or(0).max(1) as f64;
    let track = W - 60.0;
    for (i, d) in data.iter().enumerate() {
        let y = i as f64 * row;
        let w = (d.value.max(0) as f64 / max * track).max(if d.value > 0 { 2.0 } else { 0.0 });
        let _ = write!(
            out,
            r#"<text x="0" y="{ty}">{label}</text><rect class="track" x="0" y="{by}" width="{track}" height="16" rx="2"/><rect class="bar" x="0" y="{by}" width="{w:.1}" height="16" rx="2"/><text class="value" x="{vx:.1}" y="{vy}">{v}</text>"#,
            ty = y + 15.0,
            by = y + 21.0,
            label = esc(&d.label),
            vx = w + 6.0,
            vy = y + 34.0,
            v = lang.num(d.value),
        );
    }
    out.push_str("</svg>");
    out
}

/// The organizing ladder as a funnel: one centred band per stage whose width is the number of
/// workplaces that reached at least that stage, labelled with the stage and both counts
/// (`reached` and `at`, already translated templates such as "{n} reached · {m} here").
pub fn funnel(title: &str, stages: &[Datum], caption: impl Fn(i64, i64) -> String) -> String {
    let mut out = String::new();
    let row = 60.0;
    let height = row * stages.len() as f64 + 4.0;
    open(&mut out, height, title);
    // Reached at least stage i = workplaces at stage i or above.
    let mut reached = vec![0i64; stages.len()];
    let mut acc = 0;
    for i in (0..stages.len()).rev() {
        acc += stages[i].value.max(0);
        reached[i] = acc;
    }
    let max = reached.first().copied().unwrap_or(0).max(1) as f64;
    for (i, d) in stages.iter().enumerate() {
        let y = i as f64 * row;
        let w = (reached[i] as f64 / max * W).max(if reached[i] > 0 { 4.0 } else { 0.0 });
        let x = (W - w) / 2.0;
        let _ = write!(
            out,
            r#"<text x="0" y="{ty}">{label}</text><rect class="track" x="0" y="{by}" width="{W}" height="16" rx="2"/><rect class="bar{alt}" x="{x:.1}" y="{by}" width="{w:.1}" height="16" rx="2"/><text class="value" x="{cx}" y="{vy}" text-anchor="middle" font-size="13">{cap}</text>"#,
            ty = y + 14.0,
            by = y + 20.0,
            alt = if i >= 3 { " alt" } else { "" },
            cx = W / 2.0,
            vy = y + 50.0,
            label = esc(&d.label),
            cap = esc(&caption(reached[i], d.value)),
        );
    }
    out.push_str("</svg>");
    out
}

/// A 100 % stacked bar (union density): segments left to right with a legend below that names
/// each segment, its count and its share, and a pattern on alternate segments so neighbours
/// differ by more than colour.
pub fn stacked(lang: Lang, title: &str, parts: &[Datum], empty: &str) -> String {
    let mut out = String::new();
    let total: i64 = parts.iter().map(|d| d.value.max(0)).sum();
    if total == 0 {
        open(&mut out, 30.0, title);
        let _ = write!(out, r#"<text x="0" y="20">{}</text></svg>"#, esc(empty));
        return out;
    }
    let legend_row = 22.0;
    let height = 40.0 + legend_row * parts.len() as f64;
    open(&mut out, height, title);
    out.push_str(
        r##"<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#6b8fc4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>"##,
    );
    let fills = ["#2f5d9c", "url(#hatch)", "#a3161b", "#767680"];
    let mut x = 0.0;
    for (i, d) in parts.iter().enumerate() {
        let w = d.value.max(0) as f64 / total as f64 * W;
        let fill = fills[i % fills.len()];
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="0" width="{w:.1}" height="28" fill="{fill}" stroke="#fff" stroke-width="1"/>"##
        );
        x += w;
    }
    for (i, d) in parts.iter().enumerate() {
        let y = 40.0 + i as f64 * legend_row;
        let fill = fills[i % fills.len()];
        let pct =
            super::i18n::fmt(lang).percent_fixed(d.value.max(0) as f64 * 100.0 / total as f64, 0);
        let _ = write!(
            out,
            r##"<rect x="0" y="{ry}" width="14" height="14" fill="{fill}" stroke="#1b1b1f" stroke-width="1"/><text x="22" y="{ty}">{label}: <tspan class="value">{v}</tspan> ({pct})</text>"##,
            ry = y,
            ty = y + 12.0,
            label = esc(&d.label),
            v = lang.num(d.value),
        );
    }
    out.push_str("</svg>");
    out
}

/// Columns over periods (recruitment by month), the value above each column and the period
/// below.
pub fn columns(lang: Lang, title: &str, data: &[Datum], empty: &str) -> String {
    let mut out = String::new();
    if data.iter().all(|d| d.value <= 0) {
        open(&mut out, 30.0, title);
        let _ = write!(out, r#"<text x="0" y="20">{}</text></svg>"#, esc(empty));
        return out;
    }
    let height = 180.0;
    let base = 140.0;
    open(&mut out, height, title);
    let max = data.iter().map(|d| d.value).max().unwrap_or(0).max(1) as f64;
    let slot = W / data.len().max(1) as f64;
    let bw = (slot * 0.6).max(4.0);
    let _ = write!(
        out,
        r#"<line class="axis" x1="0" y1="{base}" x2="{W}" y2="{base}"/>"#
    );
    for (i, d) in data.iter().enumerate() {
        let h = d.value.max(0) as f64 / max * (base - 24.0);
        let x = i as f64 * slot + (slot - bw) / 2.0;
        let cx = i as f64 * slot + slot / 2.0;
        let _ = write!(
            out,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{h:.1}"/><text class="value" x="{cx:.1}" y="{vy:.1}" text-anchor="middle" font-size="12">{v}</text><text x="{cx:.1}" y="{ly}" text-anchor="middle" font-size="11" transform="rotate(-45 {cx:.1} {ly})">{label}</text>"#,
            y = base - h,
            vy = base - h - 4.0,
            v = lang.num(d.value),
            ly = base + 16.0,
            label = esc(&d.label),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let svg = bars(Lang::En, "T<", &[Datum::new("<script>&", 3)], "none");
        assert!(svg.contains("&lt;script&gt;&amp;"));
        assert!(!svg.contains("<script>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn every_value_is_written_as_text() {
        let data = [Datum::new("a", 1234), Datum::new("b", 0)];
        let svg = bars(Lang::En, "t", &data, "none");
        assert!(svg.contains(">1,234<") && svg.contains(">0<"));
        let svg = stacked(Lang::En, "t", &data, "none");
        assert!(svg.contains("1,234") && svg.contains("(100%)"));
    }

    #[test]
    fn funnel_counts_who_reached_each_stage() {
        let stages = [
            Datum::new("0", 2),
            Datum::new("1", 1),
            Datum::new("2", 0),
            Datum::new("3", 1),
        ];
        let svg = funnel("t", &stages, |reached, here| format!("{reached}/{here}"));
        assert!(svg.contains(">4/2<") && svg.contains(">2/1<") && svg.contains(">1/0<"));
    }

    #[test]
    fn empty_charts_say_so() {
        assert!(bars(Lang::En, "t", &[], "Nothing yet").contains("Nothing yet"));
        assert!(
            columns(Lang::En, "t", &[Datum::new("2025-01", 0)], "Nothing yet")
                .contains("Nothing yet")
        );
        assert!(stacked(Lang::En, "t", &[], "Nothing yet").contains("Nothing yet"));
    }
}
