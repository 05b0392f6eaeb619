//! Languages: English and Spanish, from the Fluent catalogues `hub/i18n/{en,es}/hub.ftl`.
//!
//! Message ids are prefixed by what they are: `hub-` for the interface, `err-` for a problem,
//! `rec-` for the suggested fix. Metric and vocabulary labels come from
//! [`shopfloor_protocol::registry`], which carries both languages itself.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader as _, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./i18n",
        fallback_language: "en",
        // Without this, Fluent wraps every argument in invisible bidi isolation marks.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static ES: LanguageIdentifier = langid!("es");

pub use shopfloor_protocol::registry::Language as Lang;

fn lang_id(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    }
}

/// What the hub's pages say in a language: messages from its catalogue, numbers and times.
pub trait LangExt {
    /// A message; the id itself if the catalogue lacks it (a test makes sure none does).
    fn t(self, id: &str) -> String;

    /// A message with arguments.
    fn ta(self, id: &str, args: &[(&'static str, Arg)]) -> String;

    /// A count for people: digits grouped by thousands (`12,345` in both languages, as in the US
    /// and Mexico).
    fn num(self, n: u64) -> String;

    /// A date and time (UTC) for people.
    fn time(self, ts: jiff::Timestamp) -> String;
}

impl LangExt for Lang {
    /// A message; the id itself if the catalogue lacks it (a test makes sure none does).
    fn t(self, id: &str) -> String {
        LOCALES
            .try_lookup(lang_id(self), id)
            .unwrap_or_else(|| id.to_owned())
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
            .unwrap_or_else(|| id.to_owned())
    }

    /// A count for people: digits grouped by thousands (`12,345` in both languages, as in the US
    /// and Mexico).
    fn num(self, n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    /// A date and time (UTC) for people.
    fn time(self, ts: jiff::Timestamp) -> String {
        ts.strftime("%Y-%m-%d %H:%M UTC").to_string()
    }
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

impl From<u64> for Arg {
    fn from(n: u64) -> Self {
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
        assert_eq!(Lang::En.num(1234567), "1,234,567");
    }
}
