//! Dates as real exports write them.

use std::fmt;

/// Why a date was refused; each carries the value as written (trimmed). `Display` gives the
/// English sentence the CLI prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not in a format we read.
    NotADate(String),
    /// A year written with two digits.
    TwoDigitYear(String),
    /// A day that does not exist (February 30th).
    NotReal(String),
    /// A year before 1900 or after 2200.
    YearOutOfRange(String),
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::NotADate(s) => {
                write!(f, "{s:?} is not a date (use YYYY-MM-DD or M/D/YYYY)")
            }
            DateError::TwoDigitYear(s) => write!(f, "{s:?}: write the year with four digits"),
            DateError::NotReal(s) => write!(f, "{s:?} is not a real date"),
            DateError::YearOutOfRange(s) => write!(f, "{s:?}: year out of range"),
        }
    }
}

impl std::error::Error for DateError {}

/// Parses `YYYY-MM-DD`, `YYYY/MM/DD`, `M/D/YYYY` (US order), each optionally followed by a time
/// (`2023-10-30 14:05:00`, `2023-10-30T14:05:00Z`, `10/30/2023 2:05 PM`). Returns `YYYY-MM-DD`.
/// Two-digit years are refused rather than guessed (lifetime members expire in 2099).
/// The error is the English sentence; [`parse_date_checked`] gives it structured.
pub fn parse_date(text: &str) -> Result<String, String> {
    parse_date_checked(text).map_err(|e| e.to_string())
}

/// [`parse_date`], with the reason for a refusal as a [`DateError`].
pub fn parse_date_checked(text: &str) -> Result<String, DateError> {
    let s = text.trim();
    let bad = || DateError::NotADate(s.to_owned());
    let (date_part, time_part) = match s.find(['T', ' ']) {
        Some(i) => (s.get(..i).unwrap_or(s), s.get(i + 1..).unwrap_or("")),
        None => (s, ""),
    };
    if !time_part.is_empty() {
        let t = time_part.trim();
        let time_ok = t.contains(':')
            && t.chars()
                .all(|c| c.is_ascii_digit() || ":.+- ".contains(c) || "AaPpMmZz".contains(c));
        if !time_ok {
            return Err(bad());
        }
    }
    let (y, m, d) = if date_part.len() == 10
        && date_part
            .as_bytes()
            .get(4)
            .is_some_and(|b| *b == b'-' || *b == b'/')
    {
        let mut it = date_part.split(['-', '/']);
        (it.next(), it.next(), it.next())
    } else {
        let mut it = date_part.split('/');
        let (m, d, y) = (it.next(), it.next(), it.next());
        if it.next().is_some() {
            return Err(bad());
        }
        if y.is_some_and(|y| y.len() != 4) {
            return Err(DateError::TwoDigitYear(s.to_owned()));
        }
        (y, m, d)
    };
    let num = |p: Option<&str>, max_len: usize| -> Result<i64, DateError> {
        let p = p.ok_or_else(bad)?;
        if p.is_empty() || p.len() > max_len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse::<i64>().map_err(|_| bad())
    };
    let (y, m, d) = (num(y, 4)?, num(m, 2)?, num(d, 2)?);
    let date = jiff::civil::Date::new(
        i16::try_from(y).map_err(|_| bad())?,
        i8::try_from(m).map_err(|_| bad())?,
        i8::try_from(d).map_err(|_| bad())?,
    )
    .map_err(|_| DateError::NotReal(s.to_owned()))?;
    if !(1900..=2200).contains(&y) {
        return Err(DateError::YearOutOfRange(s.to_owned()));
    }
    Ok(date.to_string())
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn formats() {
        for (input, want) in [
            ("2023-10-30", "2023-10-30"),
            ("2023/10/30", "2023-10-30"),
            ("10/30/2023", "2023-10-30"),
            ("1/2/2023", "2023-01-02"),
            ("2023-10-30 14:05:00", "2023-10-30"),
            ("2023-10-30T14:05:00Z", "2023-10-30"),
            ("2023-10-30T14:05:00.123-05:00", "2023-10-30"),
            ("10/30/2023 2:05 PM", "2023-10-30"),
            (" 2099-11-01 ", "2099-11-01"),
        ] {
            assert_eq!(parse_date(input).as_deref(), Ok(want), "{input}");
        }
        for bad in [
            "2023-02-30",
            "13/01/2023",
            "10/30/23",
            "yesterday",
            "2023-10-30 noon",
            "2023-1-5x",
            "",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
