//! Dates as real exports write them.

/// Parses `YYYY-MM-DD`, `YYYY/MM/DD`, `M/D/YYYY` (US order), each optionally followed by a time
/// (`2023-10-30 14:05:00`, `2023-10-30T14:05:00Z`, `10/30/2023 2:05 PM`). Returns `YYYY-MM-DD`.
/// Two-digit years are refused rather than guessed (lifetime members expire in 2099).
pub fn parse_date(text: &str) -> Result<String, String> {
    let s = text.trim();
    let bad = || format!("{s:?} is not a date (use YYYY-MM-DD or M/D/YYYY)");
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
            return Err(format!("{s:?}: write the year with four digits"));
        }
        (y, m, d)
    };
    let num = |p: Option<&str>, max_len: usize| -> Result<i64, String> {
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
    .map_err(|_| format!("{s:?} is not a real date"))?;
    if !(1900..=2200).contains(&y) {
        return Err(format!("{s:?}: year out of range"));
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
