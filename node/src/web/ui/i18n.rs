//! Languages: English and Spanish, from the Fluent catalogues `node/i18n/{en,es}/node.ftl`.
//!
//! Message ids are prefixed by what they are: `ui-` for the interface, `err-` for a problem,
//! `rec-` for the suggested fix. Metric and vocabulary labels come from
//! [`shopfloor_protocol::registry`], which carries both languages itself.
//!
//! A lookup that misses returns the id itself (so a page still renders) and is counted:
//! [`missing_lookups`] lets the tests fail on any page that shows a raw id.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, RwLock};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader as _, langid};
use shopfloor_protocol::registry::{Dim, Term};
use shopfloor_server::locale::{Format, Locale};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./i18n",
        fallback_language: "en",
        // Without set_use_isolating(false), Fluent wraps every argument in invisible bidi
        // isolation marks. The formatter writes every number argument the locale's way.
        customise: |bundle| {
            bundle.set_use_isolating(false);
            let es = bundle.locales.first().is_some_and(|l| l.language.as_str() == "es");
            bundle.set_formatter(Some(if es { fluent_number_es } else { fluent_number_en }));
        },
    };
}

static EN: LanguageIdentifier = langid!("en");
static ES: LanguageIdentifier = langid!("es");

static MISSING: AtomicUsize = AtomicUsize::new(0);

/// Messages without arguments as Fluent wrote them, by language and id. Such a message is the
/// same text every time, and a page asks for dozens (its navigation, headings, labels and
/// choices): each Fluent lookup negotiates the language and formats the pattern again, 6% of
/// the member list's processor time at 20,000 members (docs/performance.md). Bounded
/// by the catalogues: only ids they hold are kept.
type Texts = LazyLock<RwLock<HashMap<Box<str>, Box<str>>>>;
static TEXTS_EN: Texts = LazyLock::new(|| RwLock::new(HashMap::new()));
static TEXTS_ES: Texts = LazyLock::new(|| RwLock::new(HashMap::new()));

fn texts(lang: Lang) -> &'static RwLock<HashMap<Box<str>, Box<str>>> {
    match lang {
        Lang::En => &TEXTS_EN,
        Lang::Es => &TEXTS_ES,
    }
}

/// How many lookups have missed since the process started (tests check it stays put).
pub fn missing_lookups() -> usize {
    MISSING.load(Ordering::Relaxed)
}

pub use shopfloor_protocol::registry::Language as Lang;

/// The CLDR locale a language is shown in: the users are in the United States.
pub fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::En => Locale::EnUs,
        Lang::Es => Locale::EsUs,
    }
}

/// The one formatter of numbers, percentages and dates for a language.
pub fn fmt(lang: Lang) -> &'static Format {
    shopfloor_server::locale::format(locale(lang))
}

fn fluent_number_en<M>(v: &FluentValue, _: &M) -> Option<String> {
    fluent_number(Lang::En, v)
}

fn fluent_number_es<M>(v: &FluentValue, _: &M) -> Option<String> {
    fluent_number(Lang::Es, v)
}

/// A number argument of a message, written by the language's formatter (Fluent's own would
/// print `1009`).
fn fluent_number(lang: Lang, v: &FluentValue) -> Option<String> {
    let FluentValue::Number(n) = v else {
        return None;
    };
    let digits = n
        .options
        .maximum_fraction_digits
        .or(n.options.minimum_fraction_digits);
    Some(match digits {
        None if n.value.fract() == 0.0 && n.value.abs() < 9.0e15 => fmt(lang).int(n.value as i64),
        d => fmt(lang).fixed(n.value, u8::try_from(d.unwrap_or(2)).unwrap_or(6)),
    })
}

fn lang_id(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    }
}

/// What the node's pages say in a language: messages from its catalogue, registry labels,
/// numbers and times.
pub trait LangExt {
    /// A message; the id itself if the catalogue lacks it (counted, and a test fails).
    fn t(self, id: &str) -> String;

    /// A message with arguments.
    fn ta(self, id: &str, args: &[(&'static str, Arg)]) -> String;

    /// A registry term's label.
    fn term(self, t: &Term) -> &'static str;

    /// The label of a value of a registry dimension (`unknown` and open vocabularies included).
    fn value(self, dim: Dim, value: &str) -> String;

    /// The name of a registry dimension.
    fn dim(self, dim: Dim) -> &'static str;

    /// A count for people, by the language's formatter (`12,345` in en-US and es-US).
    fn num(self, n: i64) -> String;

    /// An RFC 3339 timestamp as stored, for people (`Mar 4, 2025, 5:20 PM UTC`, `4 mar 2025,
    /// 5:20 p.m. UTC`); a stored date alone as [`LangExt::date`].
    fn time(self, rfc3339: &str) -> String;

    /// A whole percentage (`57%` in en-US and es-US).
    fn pct(self, pct: i64) -> String;

    /// A calendar date (`Mar 4, 2025`, `4 mar 2025`).
    fn date(self, date: jiff::civil::Date) -> String;
}

impl LangExt for Lang {
    /// A message; the id itself if the catalogue lacks it (counted, and a test fails).
    fn t(self, id: &str) -> String {
        // A poisoned lock only means a panic elsewhere while it was held: the map is whole.
        if let Some(text) = texts(self)
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(id)
        {
            return text.to_string();
        }
        match LOCALES.try_lookup(lang_id(self), id) {
            Some(text) => {
                texts(self)
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(id.into(), text.as_str().into());
                text
            }
            None => {
                MISSING.fetch_add(1, Ordering::Relaxed);
                tracing::warn!("missing message {id} ({})", self.code());
                id.to_owned()
            }
        }
    }

    /// A message with arguments.
    fn ta(self, id: &str, args: &[(&'static str, Arg)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Arg::Str(s) => FluentValue::from(s.clone()),
                    Arg::Num(n) => FluentValue::from(*n),
                };
                (Cow::Borrowed(*k), value)
            })
            .collect();
        LOCALES
            .try_lookup_with_args(lang_id(self), id, &map)
            .unwrap_or_else(|| {
                MISSING.fetch_add(1, Ordering::Relaxed);
                tracing::warn!("missing message {id} ({})", self.code());
                id.to_owned()
            })
    }

    /// A registry term's label.
    fn term(self, t: &Term) -> &'static str {
        match self {
            Lang::En => t.en,
            Lang::Es => t.es,
        }
    }

    /// The label of a value of a registry dimension (`unknown` and open vocabularies included).
    fn value(self, dim: Dim, value: &str) -> String {
        let (en, es) = dim.value_label(value);
        match self {
            Lang::En => en,
            Lang::Es => es,
        }
    }

    /// The name of a registry dimension.
    fn dim(self, dim: Dim) -> &'static str {
        let (en, es) = dim.label();
        self.pick(en, es)
    }

    /// A count for people, by the language's formatter (`12,345` in en-US and es-US).
    fn num(self, n: i64) -> String {
        fmt(self).int(n)
    }

    /// An RFC 3339 timestamp as stored, for people; a stored date alone as a date.
    fn time(self, rfc3339: &str) -> String {
        fmt(self).stored_time(rfc3339)
    }

    /// A whole percentage.
    fn pct(self, pct: i64) -> String {
        fmt(self).percent(pct)
    }

    /// A calendar date.
    fn date(self, date: jiff::civil::Date) -> String {
        fmt(self).date(date)
    }
}

/// One value for every argument any message takes (the catalogue tests format every message;
/// a message missing an argument fails to format and counts as missing).
#[cfg(test)]
pub(crate) fn test_args() -> Vec<(&'static str, Arg)> {
    let mut v: Vec<(&'static str, Arg)> = [
        "n", "k", "pct", "met", "total", "first", "last", "reached", "here", "kb", "index",
        "expected", "found", "line", "max",
    ]
    .into_iter()
    .map(|k| (k, Arg::Num(2)))
    .collect();
    v.extend(
        [
            "period", "name", "stage", "value", "column", "field", "id", "target", "when",
            "checked",
        ]
        .into_iter()
        .map(|k| (k, Arg::Str("X".into()))),
    );
    v
}

/// An argument of a message.
#[derive(Clone, Debug)]
pub enum Arg {
    /// Text.
    Str(String),
    /// A number (Fluent picks plural forms from it).
    Num(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Str(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Str(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl From<u64> for Arg {
    fn from(n: u64) -> Self {
        Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_of_ours() {
        assert_eq!(
            Lang::from_accept_language("es-MX,es;q=0.9,en;q=0.8"),
            Some(Lang::Es)
        );
        assert_eq!(
            Lang::from_accept_language("fr, en;q=0.5, es;q=0.4"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0.2, es;q=0.9"),
            Some(Lang::Es)
        );
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language("es;q=0"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(Lang::En.num(0), "0");
        assert_eq!(Lang::En.num(999), "999");
        assert_eq!(Lang::Es.num(1234), "1,234");
        assert_eq!(Lang::En.num(-1234567), "-1,234,567");
    }

    /// Every message id of one catalogue, in file order.
    fn ids(ftl: &str) -> Vec<String> {
        ftl.lines()
            .filter(|l| {
                l.starts_with(|c: char| c.is_ascii_lowercase() || c == '-') && l.contains(" =")
            })
            .filter_map(|l| l.split(" =").next().map(|s| s.trim().to_owned()))
            .collect()
    }

    #[test]
    fn both_catalogues_have_the_same_messages() {
        let en = ids(include_str!("../../../i18n/en/node.ftl"));
        let es = ids(include_str!("../../../i18n/es/node.ftl"));
        let missing_es: Vec<_> = en.iter().filter(|i| !es.contains(i)).collect();
        let missing_en: Vec<_> = es.iter().filter(|i| !en.contains(i)).collect();
        assert!(missing_es.is_empty(), "missing in Spanish: {missing_es:?}");
        assert!(missing_en.is_empty(), "missing in English: {missing_en:?}");
        let mut sorted = en.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), en.len(), "an id is defined twice");
    }

    #[test]
    fn every_id_in_the_catalogue_resolves_without_marks() {
        let args = super::test_args();
        let en = ids(include_str!("../../../i18n/en/node.ftl"));
        for id in en.iter().filter(|i| !i.starts_with('-')) {
            for lang in Lang::ALL {
                let before = missing_lookups();
                let s = lang.ta(id, &args);
                assert_eq!(missing_lookups(), before, "{id} missing in {}", lang.code());
                assert!(!s.contains('\u{2068}'), "{id}: isolation marks");
            }
        }
    }

    /// Numbers and percentages in messages come from the formatter (`{ $pct }` is already
    /// `24%`), never from the catalogue: no `{ $pct }%`, `{ $pct } %`, `80 %` or `2500`.
    #[test]
    fn no_message_formats_a_number_or_percentage_by_hand() {
        for (lang, ftl) in [
            ("en", include_str!("../../../i18n/en/node.ftl")),
            ("es", include_str!("../../../i18n/es/node.ftl")),
        ] {
            for line in ftl.lines().filter(|l| !l.starts_with('#')) {
                let found = shopfloor_server::locale::hand_formatted_in_message(line);
                assert_eq!(found, None, "{lang}");
            }
        }
    }

    #[test]
    fn number_arguments_go_through_the_formatter() {
        for lang in Lang::ALL {
            let s = lang.ta(
                "ui-sr-mapped-value",
                &[
                    ("pct", Arg::Str(lang.pct(24))),
                    ("n", Arg::Num(1009)),
                    ("total", Arg::Num(25070)),
                ],
            );
            assert!(
                s.contains("1,009") && s.contains("25,070") && s.contains("%"),
                "{s}"
            );
            assert!(!s.contains(" %"), "{s}");
        }
    }
}
