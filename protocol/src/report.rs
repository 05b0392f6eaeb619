//! The chapter report, payload v1.
//!
//! docs/protocol.md §Reports. One report per chapter per period; a re-submission carries a higher
//! `revision`. The payload names its intended recipient hub and its period, so a sealed report
//! cannot be replayed to another hub or month. `previous` is the [digest](Envelope::digest) of the
//! chapter's previous accepted report, chaining a chapter's reports together.
//!
//! `as_of` says when the stock counts were taken (normally the period's close) and `correction`
//! labels a closed period rebuilt from a later state on request, so a receiver never takes a
//! later state for an earlier period without being told (docs/protocol.md §Reports).
//!
//! Parsing is strict: unknown schema versions, unknown fields, metrics, dimensions or values,
//! negative counts, duplicate cells, published counts below the policy's k, and tables that do
//! not add up are all errors.
//!
//! One file (over 800 lines with its tests): the report's types, their wire forms and the checks
//! that make a payload a report read as one definition; the fast paths of the checks and the cell
//! reader live in `report/check.rs` and `report/wire.rs`, each proved equal to the code here by its tests.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::envelope::{Digest, Document};
use crate::error::{Error, Reason, Result};
use crate::identity::PartyId;
use crate::registry::{self, Dim};

mod check;
pub mod encrypted;
mod wire;

pub use encrypted::EncryptedEntry;

#[cfg(doc)]
use crate::envelope::Envelope;

/// Schema id of report payload v1.
pub const REPORT_SCHEMA: &str = "shopfloor.report.v1";
/// DSSE payload type of a report.
pub const REPORT_PAYLOAD_TYPE: &str = "application/vnd.shopfloor.report.v1+json";

/// A reporting period: a calendar month, written `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: u16,
    month: u8,
}

impl Period {
    /// A period; the year must be 2000-9999 and the month 1-12.
    pub fn new(year: u16, month: u8) -> Result<Self> {
        if (2000..=9999).contains(&year) && (1..=12).contains(&month) {
            Ok(Period { year, month })
        } else {
            Err(Error::new(
                Reason::WrongPeriod,
                format!("{year:04}-{month:02} is not a period"),
            ))
        }
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1-12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The period containing a timestamp (UTC).
    pub fn containing(ts: jiff::Timestamp) -> Result<Self> {
        let dt = ts.to_zoned_datetime(jiff::tz::TimeZone::UTC);
        let year = u16::try_from(dt.year()).map_err(|_| Error::new(Reason::WrongPeriod, "year"))?;
        let month =
            u8::try_from(dt.month()).map_err(|_| Error::new(Reason::WrongPeriod, "month"))?;
        Period::new(year, month)
    }

    /// The month before.
    pub fn previous(self) -> Option<Self> {
        if self.month == 1 {
            Period::new(self.year - 1, 12).ok()
        } else {
            Period::new(self.year, self.month - 1).ok()
        }
    }

    /// The month after.
    pub fn next(self) -> Option<Self> {
        if self.month == 12 {
            Period::new(self.year + 1, 1).ok()
        } else {
            Period::new(self.year, self.month + 1).ok()
        }
    }

    /// First instant of the period (UTC).
    pub fn start(self) -> jiff::Timestamp {
        jiff::civil::date(
            i16::try_from(self.year).unwrap_or(2000),
            i8::try_from(self.month).unwrap_or(1),
            1,
        )
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// First instant after the period (UTC).
    pub fn end(self) -> jiff::Timestamp {
        self.next().map_or(jiff::Timestamp::MAX, Period::start)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::new(
                Reason::WrongPeriod,
                format!("{s:?} is not a period (YYYY-MM)"),
            )
        };
        let b = s.as_bytes();
        if b.len() != 7 || b.get(4) != Some(&b'-') {
            return Err(bad());
        }
        let digits = |r: std::ops::Range<usize>| -> Result<u16> {
            let part = s.get(r).ok_or_else(bad)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        let year = digits(0..4)?;
        let month = u8::try_from(digits(5..7)?).map_err(|_| bad())?;
        Period::new(year, month).map_err(|_| bad())
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The disclosure policy a report was built under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosurePolicy {
    /// Minimum cell size: counts `0 < v < k` are never published. At least 2.
    pub k: u64,
}

impl Default for DisclosurePolicy {
    fn default() -> Self {
        DisclosurePolicy { k: 5 }
    }
}

impl DisclosurePolicy {
    /// Checks the policy is meaningful (k between 2 and 100).
    pub fn validate(&self) -> Result<()> {
        if (2..=100).contains(&self.k) {
            Ok(())
        } else {
            Err(Error::malformed(format!(
                "disclosure k = {} is outside 2..=100",
                self.k
            )))
        }
    }
}

/// A cell's coordinates: metric and dimension values.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    /// Metric id from the [`registry`].
    pub metric: String,
    /// Dimension values; empty for the metric's total.
    pub dims: BTreeMap<Dim, String>,
}

impl CellKey {
    /// The total of a metric.
    pub fn total(metric: &str) -> Self {
        CellKey {
            metric: metric.to_owned(),
            dims: BTreeMap::new(),
        }
    }

    /// A cell of a metric with the given dimension values.
    pub fn new(metric: &str, dims: &[(Dim, &str)]) -> Self {
        CellKey {
            metric: metric.to_owned(),
            dims: dims.iter().map(|(d, v)| (*d, (*v).to_owned())).collect(),
        }
    }

    /// The dimension set (the table this cell belongs to).
    pub fn table(&self) -> Vec<Dim> {
        self.dims.keys().copied().collect()
    }

    /// Checks metric, dimension set and every value against the registry.
    pub fn validate(&self) -> Result<&'static registry::Metric> {
        let metric = registry::metric(&self.metric).ok_or_else(|| {
            Error::new(
                Reason::UnknownMetric,
                format!("unknown metric {:?}", self.metric),
            )
        })?;
        if !metric.allows(&self.table()) {
            return Err(Error::new(
                Reason::UnknownMetric,
                format!("metric {} has no table {:?}", self.metric, self.table()),
            ));
        }
        for (dim, value) in &self.dims {
            if !dim.accepts(value) {
                return Err(Error::new(
                    Reason::UnknownMetric,
                    format!("{value:?} is not a value of dimension {dim}"),
                ));
            }
        }
        Ok(metric)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireKey {
    metric: String,
    #[serde(default)]
    dims: BTreeMap<String, String>,
}

fn dims_from_wire<E: serde::de::Error>(
    wire: BTreeMap<String, String>,
) -> std::result::Result<BTreeMap<Dim, String>, E> {
    let mut dims = BTreeMap::new();
    for (k, v) in wire {
        let dim = Dim::from_key(&k).ok_or_else(|| E::custom(format!("unknown dimension {k:?}")))?;
        dims.insert(dim, v);
    }
    Ok(dims)
}

fn dims_to_wire(dims: &BTreeMap<Dim, String>) -> BTreeMap<String, String> {
    dims.iter()
        .map(|(d, v)| (d.key().to_owned(), v.clone()))
        .collect()
}

impl Serialize for CellKey {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        WireKey {
            metric: self.metric.clone(),
            dims: dims_to_wire(&self.dims),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for CellKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let w = WireKey::deserialize(d)?;
        Ok(CellKey {
            metric: w.metric,
            dims: dims_from_wire(w.dims)?,
        })
    }
}

impl fmt::Display for CellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.metric)?;
        if !self.dims.is_empty() {
            let parts: Vec<String> = self.dims.iter().map(|(d, v)| format!("{d}={v}")).collect();
            write!(f, "[{}]", parts.join(","))?;
        }
        Ok(())
    }
}

/// A published value: a count, or withheld by disclosure control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CellValue {
    /// The exact count.
    Count(u64),
    /// Withheld: the count is at least 1 (zeros are always published).
    Suppressed,
}

impl CellValue {
    /// The count, if published.
    pub fn count(self) -> Option<u64> {
        match self {
            CellValue::Count(v) => Some(v),
            CellValue::Suppressed => None,
        }
    }
}

/// One cell of a report: `{metric, dims, value}` or `{metric, dims, suppressed: true}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cell {
    /// Where the cell sits.
    pub key: CellKey,
    /// What it holds.
    pub value: CellValue,
}

impl Cell {
    /// A published count.
    pub fn count(key: CellKey, v: u64) -> Self {
        Cell {
            key,
            value: CellValue::Count(v),
        }
    }
}

/// A cell on the wire, as written. It is read without this intermediate form (report/wire.rs).
#[derive(Serialize)]
#[cfg_attr(test, derive(Deserialize))]
#[serde(deny_unknown_fields)]
struct WireCell {
    metric: String,
    #[serde(default)]
    dims: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    suppressed: bool,
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        WireCell {
            metric: self.key.metric.clone(),
            dims: self
                .key
                .dims
                .iter()
                .map(|(d, v)| (d.key().to_owned(), v.clone()))
                .collect(),
            value: self.value.count(),
            suppressed: self.value == CellValue::Suppressed,
        }
        .serialize(s)
    }
}

/// Facts about the chapter as a whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChapterFacts {
    /// The chapter has a labor committee or working group.
    pub labor_committee: bool,
    /// The chapter has a delegate to its Central Labor Council.
    pub clc_delegate: bool,
    /// The chapter's bylaws provide for labor work.
    pub bylaws: bool,
}

/// A success metric of a campaign: target against actual.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuccessMetric {
    /// What is measured, in the chapter's words.
    pub name: String,
    /// Target.
    pub target: u64,
    /// Actual so far.
    pub actual: u64,
}

/// A campaign the chapter chose to make public to its hubs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicCampaign {
    /// The chapter's id for the campaign (stable across periods).
    pub id: String,
    /// Public title.
    pub title: String,
    /// A [campaign type](registry::CAMPAIGN_TYPES) code.
    pub kind: String,
    /// A [campaign status](registry::CAMPAIGN_STATUSES) code.
    pub status: String,
    /// Sector code, if the campaign is in one sector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// Linked to a national priority campaign.
    pub priority: bool,
    /// Has a labor component.
    pub labor_component: bool,
    /// Success metrics with targets.
    #[serde(default)]
    pub metrics: Vec<SuccessMetric>,
}

impl PublicCampaign {
    fn validate(&self) -> Result<()> {
        let short = |s: &str, max: usize| {
            !s.is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control)
        };
        if !short(&self.id, 64) || !short(&self.title, 200) {
            return Err(Error::malformed(
                "campaign id or title empty, too long or with control characters",
            ));
        }
        if !Dim::CampaignType.accepts(&self.kind) || !Dim::CampaignStatus.accepts(&self.status) {
            return Err(Error::new(
                Reason::UnknownMetric,
                format!("campaign {}: unknown type or status", self.id),
            ));
        }
        if let Some(s) = &self.sector
            && !Dim::Sector.accepts(s)
        {
            return Err(Error::new(
                Reason::UnknownMetric,
                format!("campaign {}: unknown sector {s:?}", self.id),
            ));
        }
        if self.metrics.len() > 20 || self.metrics.iter().any(|m| !short(&m.name, 120)) {
            return Err(Error::malformed(format!(
                "campaign {}: bad success metrics",
                self.id
            )));
        }
        Ok(())
    }
}

/// Report payload v1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Always [`REPORT_SCHEMA`].
    pub schema: String,
    /// The reporting chapter.
    pub chapter: PartyId,
    /// The hub this report is addressed to.
    pub recipient: PartyId,
    /// The period reported.
    pub period: Period,
    /// 1 for the first submission for the period; each re-submission is higher.
    pub revision: u32,
    /// Digest of the chapter's previous accepted report envelope (any period), if any.
    pub previous: Option<Digest>,
    /// When the node built the report.
    pub generated_at: jiff::Timestamp,
    /// The disclosure policy applied.
    pub policy: DisclosurePolicy,
    /// The cells.
    pub cells: Vec<Cell>,
    /// Chapter-level facts.
    pub facts: ChapterFacts,
    /// Campaigns the chapter made public.
    #[serde(default)]
    pub campaigns: Vec<PublicCampaign>,
    /// When the stock counts (members, workplaces, pods, campaigns, reserve, facts and public
    /// campaigns) were taken: at the period's close for a report built from the node's snapshot,
    /// the build time for a period not yet ended ("to date") or for a correction. Absent in
    /// reports from nodes that predate it (their stocks are as of `generated_at`). See
    /// [`Report::validate`] for the window it must lie in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<jiff::Timestamp>,
    /// True when the report for a closed period was rebuilt from the chapter's current state on
    /// an explicit request (a labelled correction), not from what the node recorded at the
    /// period's close. A correction always carries `as_of`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub correction: bool,
    /// The exact values of withheld cells, encrypted to the federation's joint key with range
    /// proofs (docs/protocol.md §17.3), in the order of their cells; at most one per withheld
    /// cell, and optional per cell. Absent (empty) from nodes without a pinned key or that
    /// predate it, so their reports keep their bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encrypted: Vec<EncryptedEntry>,
    /// The id of the joint key the `encrypted` cells are encrypted to
    /// ([`crate::threshold::JointKey::id`]); present exactly when `encrypted` is not empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_key: Option<Digest>,
}

/// The latest `as_of` a report that is not a correction may carry: the end of the month after
/// the period. A node snapshots a period's stocks when the period closes (its schedule's first
/// run after the end, or the first report built for the period); a snapshot taken later than
/// this is no longer "the period as it stood", and such a report must say `correction: true`.
pub fn as_of_deadline(period: Period) -> jiff::Timestamp {
    period.next().map_or(jiff::Timestamp::MAX, Period::end)
}

impl Report {
    /// Checks everything a receiver checks that does not need keys: schema, registry,
    /// duplicates, disclosure rule, table sums.
    pub fn validate(&self) -> Result<()> {
        if self.schema != REPORT_SCHEMA {
            return Err(Error::new(
                Reason::UnsupportedSchema,
                format!(
                    "report schema {:?}; this node understands {REPORT_SCHEMA}",
                    self.schema
                ),
            ));
        }
        if self.revision == 0 {
            return Err(Error::new(Reason::StaleRevision, "revisions start at 1"));
        }
        self.policy.validate()?;
        // The fast path only ever accepts; whatever it does not accept is checked again below
        // by the code that names the error (report/check.rs).
        if !check::cells_pass(&self.cells, Some(self.policy.k)) {
            validate_cells_slow(&self.cells)?;
            // Totals are always published (docs/protocol.md §Disclosure); every other count is
            // 0 or at least k.
            for c in self.cells.iter().filter(|c| !c.key.dims.is_empty()) {
                if let CellValue::Count(v) = c.value
                    && v > 0
                    && v < self.policy.k
                {
                    return Err(Error::new(
                        Reason::DisclosureViolation,
                        format!("cell {} publishes {v}, below k = {}", c.key, self.policy.k),
                    ));
                }
            }
            check_tables_slow(&self.cells)?;
        }
        self.validate_as_of()?;
        encrypted::validate_shape(self)?;
        let mut ids = HashSet::new();
        for campaign in &self.campaigns {
            campaign.validate()?;
            if !ids.insert(&campaign.id) {
                return Err(Error::malformed(format!(
                    "campaign {} listed twice",
                    campaign.id
                )));
            }
        }
        Ok(())
    }

    /// `as_of` lies in its window: not before the period's start nor after `generated_at`, and,
    /// unless the report is a correction, not after [`as_of_deadline`]. A correction carries it.
    fn validate_as_of(&self) -> Result<()> {
        let Some(as_of) = self.as_of else {
            if self.correction {
                return Err(Error::malformed(
                    "a correction must say as of when its counts were taken",
                ));
            }
            return Ok(());
        };
        if as_of < self.period.start() {
            return Err(Error::new(
                Reason::WrongPeriod,
                format!(
                    "counts as of {as_of} are from before period {} began",
                    self.period
                ),
            ));
        }
        if as_of > self.generated_at {
            return Err(Error::new(
                Reason::WrongPeriod,
                format!(
                    "counts as of {as_of} are later than the report itself ({})",
                    self.generated_at
                ),
            ));
        }
        let deadline = as_of_deadline(self.period);
        if !self.correction && as_of >= deadline {
            return Err(Error::new(
                Reason::WrongPeriod,
                format!(
                    "counts as of {as_of} were taken after {deadline}, too long after period {} \
                     ended to stand for it; such a report must be labelled a correction",
                    self.period
                ),
            ));
        }
        Ok(())
    }

    /// Whether the stock counts are from before the period ended (a report "to date").
    pub fn is_to_date(&self) -> bool {
        self.as_of.is_some_and(|t| t < self.period.end())
    }

    /// Looks a cell up.
    pub fn cell(&self, key: &CellKey) -> Option<CellValue> {
        self.cells.iter().find(|c| &c.key == key).map(|c| c.value)
    }
}

impl Document for Report {
    const PAYLOAD_TYPE: &'static str = REPORT_PAYLOAD_TYPE;

    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.report.", REPORT_SCHEMA)?;
        let report: Report =
            serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("report: {e}")))?;
        report.validate()?;
        Ok(report)
    }

    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Refuses a document of another schema version by name before strict parsing, so that a v2
/// document gets `unsupported-schema` rather than a confusing field error.
pub(crate) fn check_schema(bytes: &[u8], family: &str, expected: &str) -> Result<()> {
    // What this crate writes starts with the schema: recognise it without parsing the whole
    // document twice (the strict parse that follows refuses a second `schema` field).
    let prefix = format!("{{\"schema\":\"{expected}\",");
    if bytes.starts_with(prefix.as_bytes()) {
        return Ok(());
    }
    #[derive(Deserialize)]
    struct Peek {
        schema: Option<String>,
    }
    let peek: Peek =
        serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("payload: {e}")))?;
    match peek.schema {
        Some(s) if s == expected => Ok(()),
        Some(s) if s.starts_with(family) => Err(Error::new(
            Reason::UnsupportedSchema,
            format!("schema {s:?} is not supported; this implementation reads {expected}"),
        )),
        Some(s) => Err(Error::new(
            Reason::UnsupportedSchema,
            format!("schema {s:?} where {expected} was expected"),
        )),
        None => Err(Error::malformed("payload has no schema")),
    }
}

/// Checks every cell against the registry and refuses duplicates.
pub fn validate_cells(cells: &[Cell]) -> Result<()> {
    if check::cells_pass(cells, None) {
        return Ok(());
    }
    validate_cells_slow(cells)
}

/// [`validate_cells`] on cloned keys: what names the error when the fast path does not accept.
fn validate_cells_slow(cells: &[Cell]) -> Result<()> {
    let mut seen = HashSet::with_capacity(cells.len());
    for c in cells {
        c.key.validate()?;
        if !seen.insert(&c.key) {
            return Err(Error::new(
                Reason::InvalidCell,
                format!("cell {} appears twice", c.key),
            ));
        }
    }
    Ok(())
}

/// Checks that tables add up: for every metric with cells its total is present; in each table,
/// published cells never exceed the margin, and a table with no suppressed cell sums to it
/// exactly. Absent cells are zero.
pub fn check_tables(cells: &[Cell]) -> Result<()> {
    if check::cells_pass(cells, None) {
        return Ok(());
    }
    check_tables_slow(cells)
}

/// [`check_tables`] on cloned keys: what names the error when the fast path does not accept.
fn check_tables_slow(cells: &[Cell]) -> Result<()> {
    let index: BTreeMap<&CellKey, CellValue> = cells.iter().map(|c| (&c.key, c.value)).collect();
    // Lines: (margin key) -> (published sum, any suppressed).
    let mut lines: BTreeMap<(CellKey, Vec<Dim>), (u128, bool)> = BTreeMap::new();
    for c in cells {
        let table = c.key.table();
        if table.is_empty() {
            continue;
        }
        for free in &table {
            // The margin of this line: the cell with `free` removed.
            let mut margin = c.key.clone();
            margin.dims.remove(free);
            let entry = lines.entry((margin, table.clone())).or_insert((0, false));
            match c.value {
                CellValue::Count(v) => entry.0 += u128::from(v),
                CellValue::Suppressed => entry.1 = true,
            }
        }
    }
    for c in cells.iter().filter(|c| !c.key.dims.is_empty()) {
        let total = CellKey::total(&c.key.metric);
        if !index.contains_key(&total) {
            return Err(Error::new(
                Reason::InvalidCell,
                format!("metric {} has cells but no total", c.key.metric),
            ));
        }
    }
    for ((margin, table), (sum, any_suppressed)) in lines {
        let margin_value = index.get(&margin).copied().unwrap_or(CellValue::Count(0));
        if let CellValue::Count(m) = margin_value {
            let m = u128::from(m);
            if sum > m || (!any_suppressed && sum != m) {
                return Err(Error::new(
                    Reason::SumMismatch,
                    format!("table {table:?} of {margin} sums to {sum}, margin is {m}"),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let p: Period = "2026-11".parse().unwrap();
        assert_eq!(p.to_string(), "2026-11");
        assert_eq!(p.next().unwrap().to_string(), "2026-12");
        assert_eq!(
            "2026-01"
                .parse::<Period>()
                .unwrap()
                .previous()
                .unwrap()
                .to_string(),
            "2025-12"
        );
        for bad in [
            "2026-13",
            "2026-00",
            "26-11",
            "2026/11",
            "2026-1",
            "+026-11",
            "２026-11",
        ] {
            assert_eq!(
                bad.parse::<Period>().unwrap_err().reason(),
                Reason::WrongPeriod,
                "{bad}"
            );
        }
        assert!(p.start() < p.end());
    }

    fn dated(as_of: Option<&str>, correction: bool) -> Report {
        let period: Period = "2026-10".parse().unwrap();
        let id = PartyId::new("ch").unwrap();
        let mut r = crate::testkit::sample_report(
            &id,
            &id,
            period,
            "2027-01-15T00:00:00Z".parse().unwrap(),
            1,
        );
        r.as_of = as_of.map(|t| t.parse().unwrap());
        r.correction = correction;
        r
    }

    #[test]
    fn report_as_of_far_after_period_end_is_refused_unless_correction() {
        // At the close, the month after, and "to date" inside the period: fine.
        for ok in [
            "2026-11-01T00:00:00Z",
            "2026-11-30T23:59:59Z",
            "2026-10-15T00:00:00Z",
        ] {
            dated(Some(ok), false).validate().unwrap();
        }
        // Taken in January for October: refused, unless labelled a correction.
        let late = dated(Some("2027-01-02T00:00:00Z"), false);
        assert_eq!(late.validate().unwrap_err().reason(), Reason::WrongPeriod);
        dated(Some("2027-01-02T00:00:00Z"), true)
            .validate()
            .unwrap();
        // Before the period began, or after the report was built: refused even as a correction.
        for bad in ["2026-09-30T23:59:59Z", "2027-02-01T00:00:00Z"] {
            assert_eq!(
                dated(Some(bad), true).validate().unwrap_err().reason(),
                Reason::WrongPeriod,
                "{bad}"
            );
        }
        // A correction must say as of when.
        assert_eq!(
            dated(None, true).validate().unwrap_err().reason(),
            Reason::Malformed
        );
        assert!(dated(Some("2026-10-15T00:00:00Z"), false).is_to_date());
        assert!(!dated(Some("2026-11-01T00:00:00Z"), false).is_to_date());
    }

    #[test]
    fn report_without_as_of_keeps_its_old_bytes() {
        // Reports signed before `as_of` existed parse, and a report without it serializes
        // without either new field, so their signatures still verify.
        let r = dated(None, false);
        r.validate().unwrap();
        let bytes = r.to_payload();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            !text.contains("as_of") && !text.contains("correction"),
            "{text}"
        );
        assert_eq!(Report::from_payload(&bytes).unwrap(), r);
        let c = dated(Some("2027-01-02T00:00:00Z"), true);
        let text = String::from_utf8(c.to_payload()).unwrap();
        assert!(
            text.contains(r#""as_of":"2027-01-02T00:00:00Z""#)
                && text.contains(r#""correction":true"#),
            "{text}"
        );
        assert_eq!(Report::from_payload(text.as_bytes()).unwrap(), c);
    }

    #[test]
    fn cell_wire_forms() {
        let c: Cell =
            serde_json::from_str(r#"{"metric":"members","dims":{"sector":"62"},"value":7}"#)
                .unwrap();
        assert_eq!(c.value, CellValue::Count(7));
        let s: Cell =
            serde_json::from_str(r#"{"metric":"members","dims":{},"suppressed":true}"#).unwrap();
        assert_eq!(s.value, CellValue::Suppressed);
        assert_eq!(
            serde_json::from_str::<Cell>(&serde_json::to_string(&c).unwrap()).unwrap(),
            c
        );
        for bad in [
            r#"{"metric":"members","value":-1}"#,
            r#"{"metric":"members","value":1,"suppressed":true}"#,
            r#"{"metric":"members"}"#,
            r#"{"metric":"members","dims":{"colour":"x"},"value":1}"#,
        ] {
            assert!(serde_json::from_str::<Cell>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tables_must_add_up() {
        let total = Cell::count(CellKey::total("members"), 10);
        let a = Cell::count(CellKey::new("members", &[(Dim::Sector, "62")]), 6);
        let b = Cell::count(CellKey::new("members", &[(Dim::Sector, "unknown")]), 4);
        check_tables(&[total.clone(), a.clone(), b.clone()]).unwrap();
        let short = Cell::count(CellKey::new("members", &[(Dim::Sector, "unknown")]), 3);
        assert_eq!(
            check_tables(&[total.clone(), a.clone(), short])
                .unwrap_err()
                .reason(),
            Reason::SumMismatch
        );
        let sup = Cell {
            key: b.key.clone(),
            value: CellValue::Suppressed,
        };
        check_tables(&[total, a, sup]).unwrap();
    }
}
