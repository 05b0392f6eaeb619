//! Consecutive reports of one chapter: what two publications tell about one member added
//! between them.
//!
//! The attacker sees the members total rise by one and every other metric unchanged, and
//! concludes that one member joined and nothing else moved (family
//! [`relations::ONE_NEW_MEMBER`]): every `members` cell grows by 0 or 1, every other cell stays.
//! Both reports carry all their own relations. For each dimension of the `members` metric, the
//! new member's value is *determined* when exactly one value can have grown.

use std::fmt::Write as _;

use shopfloor_protocol::registry::{self, Dim};
use shopfloor_protocol::{CellKey, Report};

use super::model::{Lin, Model};
use super::relations::{self, ONE_NEW_MEMBER, Source};
use super::{ReportSource, public_campaigns};

/// What the attacker learned of one dimension of the new member.
#[derive(Clone, Debug)]
pub struct Attribute {
    /// The dimension.
    pub dim: Dim,
    /// The values the new member can have, given both reports.
    pub candidates: Vec<String>,
}

/// What two reports tell about a member added between them.
#[derive(Clone, Debug, Default)]
pub struct NewMember {
    /// Each dimension of `members`, with its candidates.
    pub attributes: Vec<Attribute>,
    /// Integer programs solved.
    pub solves: u32,
    /// Relations that fail on the published constants alone.
    pub contradictions: Vec<String>,
}

impl NewMember {
    /// The dimensions whose value is determined (one candidate).
    pub fn determined(&self) -> Vec<&Attribute> {
        self.attributes
            .iter()
            .filter(|a| a.candidates.len() == 1)
            .collect()
    }

    /// For people.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "== consecutive reports: {} of {} attributes of the new member determined ({} solves)",
            self.determined().len(),
            self.attributes.len(),
            self.solves
        );
        for c in &self.contradictions {
            let _ = writeln!(s, "   CONTRADICTION {c}");
        }
        for a in &self.attributes {
            let shown: Vec<&str> = a.candidates.iter().take(8).map(String::as_str).collect();
            let more = a.candidates.len().saturating_sub(shown.len());
            let _ = writeln!(
                s,
                "   {:<14} {} candidate(s): {}{}",
                a.dim.key(),
                a.candidates.len(),
                shown.join(", "),
                if more > 0 {
                    format!(" (+{more})")
                } else {
                    String::new()
                }
            );
        }
        s
    }
}

/// The attack on two consecutive reports of one chapter around one added member.
pub fn new_member(before: &Report, after: &Report) -> NewMember {
    let mut m = Model::default();
    let mut s1 = ReportSource::new(before, "before ");
    let mut s2 = ReportSource::new(after, "after ");
    relations::all(&mut s1, &mut m, &public_campaigns(before));
    relations::all(&mut s2, &mut m, &public_campaigns(after));
    let union_values = |metric: &str, d: Dim, s1: &ReportSource<'_>, s2: &ReportSource<'_>| {
        let mut v: Vec<String> = match d.terms() {
            Some(t) => t.iter().map(|t| t.code.to_owned()).collect(),
            None => {
                let mut v = s1.open_values(metric, d);
                v.extend(s2.open_values(metric, d));
                v
            }
        };
        v.push(registry::UNKNOWN.to_owned());
        v.sort();
        v.dedup();
        v
    };
    let mut deltas: Vec<(Dim, String, Lin)> = Vec::new();
    for metric in registry::METRICS {
        for table in metric.tables.iter().copied().chain([&[][..]]) {
            let keys: Vec<CellKey> = match table {
                [] => vec![CellKey::total(metric.id)],
                [d] => union_values(metric.id, *d, &s1, &s2)
                    .iter()
                    .map(|v| CellKey::new(metric.id, &[(*d, v)]))
                    .collect(),
                [a, b] => {
                    let (va, vb) = (
                        union_values(metric.id, *a, &s1, &s2),
                        union_values(metric.id, *b, &s1, &s2),
                    );
                    va.iter()
                        .flat_map(|x| vb.iter().map(move |y| (x.clone(), y.clone())))
                        .map(|(x, y)| CellKey::new(metric.id, &[(*a, &x), (*b, &y)]))
                        .collect()
                }
                _ => Vec::new(),
            };
            for key in keys {
                let (c1, c2) = (s1.cell(&mut m, &key), s2.cell(&mut m, &key));
                let mut d = c2.clone();
                d.add(&c1, -1);
                if metric.id == "members" {
                    m.ge(ONE_NEW_MEMBER, &d, &Lin::constant(0));
                    m.le(ONE_NEW_MEMBER, &d, &Lin::constant(1));
                    if let [dim] = table {
                        let v = key.dims.get(dim).cloned().unwrap_or_default();
                        deltas.push((*dim, v, d));
                    }
                } else {
                    m.eq(ONE_NEW_MEMBER, &c2, &c1);
                }
            }
        }
    }
    s1.touch_all(&mut m);
    s2.touch_all(&mut m);
    // One variable per growth that is not already a constant.
    let mut targets = Vec::new();
    let mut fixed: Vec<(Dim, String, i64)> = Vec::new();
    for (dim, value, d) in &deltas {
        match d.as_constant() {
            Some(c) => fixed.push((*dim, value.clone(), c)),
            None => {
                let v = m.var(format!("growth of members[{dim}={value}]"), 0, 1);
                m.eq(ONE_NEW_MEMBER, &Lin::var(v), d);
                targets.push((*dim, value.clone(), v));
            }
        }
    }
    let vars: Vec<usize> = targets.iter().map(|t| t.2).collect();
    let bounds = m.bounds(&vars, &[]);
    let mut out = NewMember {
        solves: bounds.iter().map(|b| b.solves).sum(),
        contradictions: m.violated.clone(),
        attributes: Vec::new(),
    };
    let registry_members = registry::metric("members").map_or(&[][..], |x| x.tables);
    for table in registry_members {
        let [dim] = table else { continue };
        let mut candidates: Vec<String> = fixed
            .iter()
            .filter(|(d, _, c)| d == dim && *c >= 1)
            .map(|(_, v, _)| v.clone())
            .collect();
        candidates.extend(
            targets
                .iter()
                .zip(&bounds)
                .filter(|((d, _, _), b)| d == dim && b.hi >= 1)
                .map(|((_, v, _), _)| v.clone()),
        );
        candidates.sort();
        candidates.dedup();
        out.attributes.push(Attribute {
            dim: *dim,
            candidates,
        });
    }
    out
}
