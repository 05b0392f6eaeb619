//! Numbers, percentages and dates for people, in the two locales Shopfloor's users have: English
//! and Spanish as used in the United States (CLDR `en-US` and `es-US`).
//!
//! One [`Format`] per locale, shared by every page of the node and the hub, so that a count, a
//! percentage or a date reads the same wherever it appears. The patterns are CLDR's, compiled into
//! the binary by ICU4X (`icu_decimal`, `icu_datetime`): `es-US` groups thousands like `en-US`
//! ("1,009", not Spain's "1009" or "1.009"), writes percentages without a space ("24%", not
//! Spain's "24 %") and dates as "4 mar 2025".
//!
//! Percentages: ICU4X has no stable percent formatter, so the number is formatted by
//! `icu_decimal` and put into CLDR's percent pattern for the locale (`#,##0%` for `en` and for
//! `es-419`, from which `es-US` inherits). The tests below check every kind of output against
//! CLDR's own examples.
//!
//! Times: the servers do not know a reader's time zone, so times are shown in UTC and say so.

use std::sync::OnceLock;

use icu_calendar::Date;
use icu_calendar::cal::Gregorian;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{YM, YMD, YMDT};
use icu_datetime::input::{DateTime, Time};
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_locale_core::{Locale as IcuLocale, locale};

/// A locale Shopfloor's pages are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English (United States), CLDR `en-US`.
    EnUs,
    /// Spanish (United States), CLDR `es-US`.
    EsUs,
}

impl Locale {
    /// Both locales.
    pub const ALL: [Locale; 2] = [Locale::EnUs, Locale::EsUs];

    /// The BCP 47 tag (`en-US`, `es-US`): for `<html lang>` and the tests.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::EnUs => "en-US",
            Locale::EsUs => "es-US",
        }
    }

    fn icu(self) -> IcuLocale {
        match self {
            Locale::EnUs => locale!("en-US"),
            Locale::EsUs => locale!("es-US"),
        }
    }

    /// CLDR's percent pattern around the formatted number: (prefix, suffix).
    fn percent_affixes(self) -> (&'static str, &'static str) {
        match self {
            // en: percentFormats standard "#,##0%".
            Locale::EnUs => ("", "%"),
            // es-419 (parent of es-US): percentFormats standard "#,##0%". Spain's `es` has
            // "#,##0 %", which is what the catalogues used to write by hand.
            Locale::EsUs => ("", "%"),
        }
    }
}

/// How one locale writes numbers, percentages and dates.
#[derive(Debug)]
pub struct Format {
    locale: Locale,
    decimal: Option<DecimalFormatter>,
    date: Option<FixedCalendarDateTimeFormatter<Gregorian, YMD>>,
    date_time: Option<FixedCalendarDateTimeFormatter<Gregorian, YMDT>>,
    month: Option<FixedCalendarDateTimeFormatter<Gregorian, YM>>,
    month_short: Option<FixedCalendarDateTimeFormatter<Gregorian, YM>>,
}

/// The formatter of a locale (built once, then shared).
pub fn format(locale: Locale) -> &'static Format {
    static EN: OnceLock<Format> = OnceLock::new();
    static ES: OnceLock<Format> = OnceLock::new();
    let cell = match locale {
        Locale::EnUs => &EN,
        Locale::EsUs => &ES,
    };
    cell.get_or_init(|| Format::new(locale))
}

impl Format {
    fn new(locale: Locale) -> Format {
        let icu = locale.icu();
        // The data is compiled in, so these cannot fail for our two locales (a test checks
        // that they load); should one fail anyway, the fallbacks below still print digits.
        let decimal = DecimalFormatter::try_new((&icu).into(), Default::default())
            .inspect_err(|e| tracing::error!("number formats for {}: {e}", locale.tag()))
            .ok();
        let date = FixedCalendarDateTimeFormatter::try_new((&icu).into(), YMD::medium())
            .inspect_err(|e| tracing::error!("date formats for {}: {e}", locale.tag()))
            .ok();
        let date_time =
            FixedCalendarDateTimeFormatter::try_new((&icu).into(), YMD::medium().with_time_hm())
                .inspect_err(|e| tracing::error!("time formats for {}: {e}", locale.tag()))
                .ok();
        let month = FixedCalendarDateTimeFormatter::try_new((&icu).into(), YM::long())
            .inspect_err(|e| tracing::error!("month formats for {}: {e}", locale.tag()))
            .ok();
        let month_short = FixedCalendarDateTimeFormatter::try_new((&icu).into(), YM::medium())
            .inspect_err(|e| tracing::error!("month formats for {}: {e}", locale.tag()))
            .ok();
        Format {
            locale,
            decimal,
            date,
            date_time,
            month,
            month_short,
        }
    }

    /// Whether all of CLDR's patterns for the locale loaded (the tests require it).
    pub fn is_complete(&self) -> bool {
        self.decimal.is_some()
            && self.date.is_some()
            && self.date_time.is_some()
            && self.month.is_some()
            && self.month_short.is_some()
    }

    /// The locale this formats for.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    fn decimal(&self, d: &Decimal) -> String {
        match &self.decimal {
            Some(f) => f.format(d).to_string(),
            None => d.to_string(),
        }
    }

    /// A whole number: `1,009`, `-12,345`.
    pub fn int(&self, n: i64) -> String {
        self.decimal(&Decimal::from(n))
    }

    /// A whole number that cannot be negative.
    pub fn count(&self, n: u64) -> String {
        self.decimal(&Decimal::from(n))
    }

    /// A number with exactly `digits` digits after the decimal point, rounded half away from
    /// zero: `fixed(2.345, 1)` is `2.3` in both locales (the US conventions), `fixed(1234.5, 1)` is
    /// `1,234.5`. Not-a-number and infinities print as CLDR's `NaN` and `∞`.
    pub fn fixed(&self, x: f64, digits: u8) -> String {
        if x.is_nan() {
            return "NaN".to_owned();
        }
        if x.is_infinite() {
            return if x > 0.0 { "∞" } else { "-∞" }.to_owned();
        }
        let digits = digits.min(6);
        let scale = 10f64.powi(i32::from(digits));
        let scaled = (x * scale).round();
        // Beyond i64 a count on a page would be meaningless; clamp rather than wrap.
        let scaled = if scaled >= i64::MAX as f64 {
            i64::MAX
        } else if scaled <= i64::MIN as f64 {
            i64::MIN
        } else {
            scaled as i64
        };
        let mut d = Decimal::from(scaled);
        d.multiply_pow10(-i16::from(digits));
        // Keep trailing zeros: `2.50`, not `2.5`, when two digits were asked for.
        d.absolute.pad_end(-i16::from(digits));
        self.decimal(&d)
    }

    /// A percentage already in percent: `percent(24)` is `24%`.
    pub fn percent(&self, pct: i64) -> String {
        let (prefix, suffix) = self.locale.percent_affixes();
        format!("{prefix}{}{suffix}", self.int(pct))
    }

    /// `part` out of `whole` as a whole percentage, rounded half up (`1` of `3` is `33%`, `2`
    /// of `3` is `67%`); `None` when `whole` is 0.
    pub fn percent_of(&self, part: u64, whole: u64) -> Option<String> {
        let pct = percent_of(part, whole)?;
        Some(self.percent(i64::try_from(pct).unwrap_or(i64::MAX)))
    }

    /// A percentage with `digits` digits after the point: `percent_fixed(12.345, 1)` is `12.3%`.
    pub fn percent_fixed(&self, pct: f64, digits: u8) -> String {
        let (prefix, suffix) = self.locale.percent_affixes();
        format!("{prefix}{}{suffix}", self.fixed(pct, digits))
    }

    /// A calendar date: `Mar 4, 2025` / `4 mar 2025`.
    pub fn date(&self, date: jiff::civil::Date) -> String {
        let formatted = self.date.as_ref().and_then(|f| {
            let d = gregorian(date)?;
            Some(f.format(&d).to_string())
        });
        formatted.unwrap_or_else(|| date.to_string())
    }

    /// A month of a year: `March 2025` / `marzo de 2025`; `None` if `month` is not 1–12.
    pub fn month(&self, year: i16, month: i8) -> Option<String> {
        let date = jiff::civil::Date::new(year, month, 1).ok()?;
        let formatted = self.month.as_ref().and_then(|f| {
            let d = gregorian(date)?;
            Some(f.format(&d).to_string())
        });
        Some(formatted.unwrap_or_else(|| date.strftime("%Y-%m").to_string()))
    }

    /// An instant, to the minute, in UTC: `Mar 4, 2025, 5:20 PM UTC` / `4 mar 2025, 5:20 p.m.
    /// UTC`.
    pub fn date_time_utc(&self, ts: jiff::Timestamp) -> String {
        let dt = ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime();
        let formatted = self.date_time.as_ref().and_then(|f| {
            let date = gregorian(dt.date())?;
            let time = Time::try_new(
                u8::try_from(dt.hour()).ok()?,
                u8::try_from(dt.minute()).ok()?,
                0,
                0,
            )
            .ok()?;
            Some(f.format(&DateTime { date, time }).to_string())
        });
        match formatted {
            Some(s) => format!("{s} UTC"),
            None => ts.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }

    /// An RFC 3339 timestamp as stored, like [`Format::date_time_utc`]; a date alone
    /// (`2025-03-04`) as [`Format::date`]; anything else is returned as it is.
    pub fn stored_time(&self, stored: &str) -> String {
        if let Ok(ts) = stored.parse::<jiff::Timestamp>() {
            return self.date_time_utc(ts);
        }
        if let Ok(d) = stored.parse::<jiff::civil::Date>() {
            return self.date(d);
        }
        stored.to_owned()
    }

    /// A reporting period as stored (`2026-11`) as its month, like [`Format::month`]: `November
    /// 2026` / `noviembre de 2026`; anything else is returned as it is.
    pub fn period(&self, stored: &str) -> String {
        let month = stored.split_once('-').and_then(|(y, m)| {
            if y.len() != 4 || m.len() != 2 {
                return None;
            }
            self.month(y.parse().ok()?, m.parse().ok()?)
        });
        month.unwrap_or_else(|| stored.to_owned())
    }

    /// A reporting period as stored (`2026-11`) in few letters, for a chart's axis: `Nov 2026`
    /// / `nov 2026`; anything else is returned as it is.
    pub fn period_short(&self, stored: &str) -> String {
        let short = stored.split_once('-').and_then(|(y, m)| {
            if y.len() != 4 || m.len() != 2 {
                return None;
            }
            let date = jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()?;
            let f = self.month_short.as_ref()?;
            Some(f.format(&gregorian(date)?).to_string())
        });
        short.unwrap_or_else(|| stored.to_owned())
    }
}

/// `part` out of `whole` in whole percent, rounded half up; `None` when `whole` is 0.
pub fn percent_of(part: u64, whole: u64) -> Option<u64> {
    if whole == 0 {
        return None;
    }
    let (part, whole) = (u128::from(part), u128::from(whole));
    let pct = (part * 200 + whole) / (whole * 2);
    Some(u64::try_from(pct).unwrap_or(u64::MAX))
}

/// What in a catalogue message writes a number or a percentage by hand instead of leaving it to
/// the formatter: a percent sign beside an argument or a number (`{ $pct }%`, `{ $pct } %`,
/// `80 %`), or a number of four or more digits without grouping. Dates in examples written
/// with hyphens or slashes (`2026-05`, `M/D/YYYY`) are codes the reader types, not numbers.
/// The catalogue tests of the node and the hub fail on any message this finds something in.
pub fn hand_formatted_in_message(message: &str) -> Option<String> {
    let chars: Vec<char> = message.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '%' {
            let mut j = i;
            while j > 0 && is_space(chars[j - 1]) {
                j -= 1;
            }
            if j > 0 && (chars[j - 1] == '}' || chars[j - 1].is_ascii_digit()) {
                return Some(format!("a percentage written by hand in {message:?}"));
            }
        }
    }
    for (start, run) in digit_runs(&chars) {
        let before = start.checked_sub(1).map(|k| chars[k]);
        let after = chars.get(start + run.len()).copied();
        let code = |c: Option<char>| matches!(c, Some('-' | '/' | ':'));
        if run.len() >= 4 && !code(before) && !code(after) && !run.contains(',') {
            return Some(format!("the number {run} is not grouped in {message:?}"));
        }
    }
    None
}

/// What on a page's visible text was not written by [`Format`]: Spain's conventions (`24 %`,
/// `1.009`), numbers of five or more digits without grouping (and four-digit ones that are not
/// years), dates and months as stored (`2025-03-04`, `2026-11`). Text that is an identifier on purpose (hashes,
/// fingerprints, codes) must be left out by the caller. One line per finding.
pub fn not_formatted_on_page(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let context = |start: usize, end: usize| -> String {
        let a = start.saturating_sub(30);
        let b = (end + 30).min(chars.len());
        chars[a..b].iter().collect::<String>().replace('\n', " ")
    };
    for (start, run) in digit_runs(&chars) {
        let end = start + run.chars().count();
        let before = start.checked_sub(1).map(|k| chars[k]);
        if before.is_some_and(|b| b.is_alphanumeric() || matches!(b, '-' | '/' | ':' | '_' | '#')) {
            continue;
        }
        let after: String = chars[end..(end + 6).min(chars.len())].iter().collect();
        if after.starts_with('-') && after.chars().nth(3) == Some('-') {
            found.push(format!("a date as stored: …{}…", context(start, end)));
            continue;
        }
        let mut month = after.chars();
        if run.len() == 4
            && month.next() == Some('-')
            && month.next().is_some_and(|c| c.is_ascii_digit())
            && month.next().is_some_and(|c| c.is_ascii_digit())
            && !month
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '-')
        {
            found.push(format!("a month as stored: …{}…", context(start, end)));
            continue;
        }
        if after.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-') {
            continue;
        }
        let mut rest = after.chars();
        if rest.next().is_some_and(is_space) && rest.next() == Some('%') {
            found.push(format!(
                "a percentage with a space: …{}…",
                context(start, end)
            ));
        }
        let int: &str = run.split('.').next().unwrap_or("");
        let ungrouped = !int.contains(',')
            && (int.len() >= 5
                || (int.len() == 4
                    && !int.parse::<u32>().is_ok_and(|y| (1900..=2100).contains(&y))));
        let spain = !run.contains(',')
            && run.split('.').count() > 1
            && run.split('.').skip(1).all(|g| g.len() == 3);
        if ungrouped || spain {
            found.push(format!(
                "a number not grouped as in the US: …{}…",
                context(start, end)
            ));
        }
    }
    found
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// Maximal runs of digits with `,` or `.` between digits, with their start (in chars).
fn digit_runs(chars: &[char]) -> Vec<(usize, String)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut run = String::new();
        while i < chars.len() {
            let c = chars[i];
            let joins =
                matches!(c, ',' | '.') && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if c.is_ascii_digit() || joins {
                run.push(c);
                i += 1;
            } else {
                break;
            }
        }
        runs.push((start, run));
    }
    runs
}

fn gregorian(date: jiff::civil::Date) -> Option<Date<Gregorian>> {
    Date::try_new_gregorian(
        i32::from(date.year()),
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings are CLDR 48's, as ICU (the reference implementation, in Chromium and
    // Node.js) prints them for `new Intl.NumberFormat(tag)` / `Intl.DateTimeFormat(tag,
    // {dateStyle: "medium"})` and CLDR's by-type charts show them for en-US and es-US.

    #[test]
    fn both_locales_load_all_patterns() {
        for l in Locale::ALL {
            assert!(format(l).is_complete(), "{}", l.tag());
        }
    }

    #[test]
    fn numbers_group_thousands_the_us_way_in_both_languages() {
        for l in Locale::ALL {
            let f = format(l);
            assert_eq!(f.int(0), "0");
            assert_eq!(f.int(999), "999");
            assert_eq!(f.int(1009), "1,009");
            assert_eq!(f.count(2507), "2,507");
            assert_eq!(f.int(-1_234_567), "-1,234,567");
            assert_eq!(f.fixed(1234.5, 1), "1,234.5");
            assert_eq!(f.fixed(2.5, 2), "2.50");
            assert_eq!(f.fixed(-0.25, 1), "-0.3");
        }
    }

    #[test]
    fn percentages_have_no_space_in_us_spanish() {
        for l in Locale::ALL {
            let f = format(l);
            assert_eq!(f.percent(24), "24%");
            assert_eq!(f.percent(1250), "1,250%");
            assert_eq!(f.percent_of(1, 3).as_deref(), Some("33%"));
            assert_eq!(f.percent_of(2, 3).as_deref(), Some("67%"));
            assert_eq!(f.percent_of(1, 0), None);
            assert_eq!(f.percent_fixed(24.46, 1), "24.5%");
        }
        assert_eq!(percent_of(1, 2), Some(50));
        assert_eq!(percent_of(1, 200), Some(1));
        assert_eq!(percent_of(u64::MAX, 1), Some(u64::MAX));
    }

    #[test]
    fn dates_follow_each_locale() {
        let d = jiff::civil::date(2025, 3, 4);
        assert_eq!(format(Locale::EnUs).date(d), "Mar 4, 2025");
        assert_eq!(format(Locale::EsUs).date(d), "4 mar 2025");
        assert_eq!(
            format(Locale::EnUs).month(2025, 3).as_deref(),
            Some("March 2025")
        );
        assert_eq!(
            format(Locale::EsUs).month(2025, 3).as_deref(),
            Some("marzo de 2025")
        );
        assert_eq!(format(Locale::EsUs).month(2025, 13), None);
        assert_eq!(format(Locale::EnUs).period("2026-11"), "November 2026");
        assert_eq!(format(Locale::EsUs).period("2026-11"), "noviembre de 2026");
        assert_eq!(format(Locale::EsUs).period("2026-13"), "2026-13");
        assert_eq!(format(Locale::EnUs).period("latest"), "latest");
        assert_eq!(format(Locale::EnUs).period_short("2026-11"), "Nov 2026");
        assert!(
            format(Locale::EsUs)
                .period_short("2026-11")
                .starts_with("nov")
        );
    }

    #[test]
    fn times_are_to_the_minute_in_utc() {
        let ts: jiff::Timestamp = "2025-03-04T17:20:59Z".parse().unwrap_or_default();
        let en = format(Locale::EnUs).date_time_utc(ts);
        let es = format(Locale::EsUs).date_time_utc(ts);
        // CLDR puts a narrow no-break space before the day period in en-US; browsers show it
        // as a space.
        assert_eq!(en.replace('\u{202f}', " "), "Mar 4, 2025, 5:20 PM UTC");
        assert_eq!(
            es.replace(['\u{202f}', '\u{a0}'], " "),
            "4 mar 2025, 5:20 p.m. UTC"
        );
        assert_eq!(
            format(Locale::EnUs).stored_time("2025-03-04T17:20:00+00:00"),
            en
        );
        assert_eq!(format(Locale::EsUs).stored_time("2025-03-04"), "4 mar 2025");
        assert_eq!(format(Locale::EsUs).stored_time("soon"), "soon");
    }

    #[test]
    fn hand_formatting_in_messages_is_found() {
        for bad in [
            "{ $pct }%",
            "({ $pct } %)",
            "el 80 % o más",
            "up to 2500 rows",
        ] {
            assert!(hand_formatted_in_message(bad).is_some(), "{bad}");
        }
        for good in [
            "{ $pct } of the workforce",
            "like 2026-05",
            "M/D/YYYY",
            "at least 3 chapters",
            "2,500 rows",
        ] {
            assert_eq!(hand_formatted_in_message(good), None, "{good}");
        }
    }

    #[test]
    fn pages_written_by_hand_are_found() {
        for bad in [
            "Supporters: 24 % of the workforce",
            "Members: 2507",
            "Miembros: 1.009",
            "Sent on 2025-03-04 17:20 UTC",
            "1234 rows",
            "Report for 2026-11 sent",
        ] {
            assert_eq!(not_formatted_on_page(bad).len(), 1, "{bad}");
        }
        let en = format(Locale::EnUs);
        let es = format(Locale::EsUs);
        let good = format!(
            "Members: {} ({}) on {}, {}; period {}; key ab12-3456; sectors 31-33; 5:20 p.m.; since 2024",
            en.int(1_234_567),
            es.percent(24),
            es.date_time_utc(jiff::Timestamp::UNIX_EPOCH),
            en.fixed(2.5, 1),
            es.period("2025-03")
        );
        assert_eq!(not_formatted_on_page(&good), Vec::<String>::new(), "{good}");
    }
}
