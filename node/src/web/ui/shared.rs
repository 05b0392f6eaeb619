//! Items several UI pages share, in a leaf module: it uses no other page, so the pages that use
//! it do not use each other for them (the dashboard, the members' pages and self-reporting used
//! to import one another in a cycle for these: issue 15).

/// How long the dashboard's and the report preview's numbers are kept at most when nothing is
/// written through this server (a write elsewhere, e.g. the command line, shows after this).
pub const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// US counties (FIPS, name), compiled in.
pub const COUNTIES: &str = include_str!("../../../assets/counties.tsv");

/// A county's name, or its code.
pub fn county_name(fips: &str) -> String {
    COUNTIES
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .find(|(f, _)| *f == fips)
        .map_or_else(|| fips.to_owned(), |(_, n)| n.to_owned())
}

/// A checkbox or radio choice.
#[derive(Debug)]
pub struct Check {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Checked.
    pub checked: bool,
}
