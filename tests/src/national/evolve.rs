//! A chapter's month: who joined, who lapsed, who came back, which workplaces climbed the
//! organizing ladder, who was recruited and trained. Decided deterministically from the seed and
//! the month, then applied the way a chapter records it: national's new list through the import,
//! the organizing work through the node's domain functions (stage changes dated in the month).

use anyhow::{Context as _, Result};
use jiff::civil::Date;
use rusqlite::params;
use shopfloor_node::domain::{members, recruitments, trainings, workplaces};
use shopfloor_node::import::{self, ImportOptions};
use shopfloor_node::store::Store;

use crate::synth::{self, Chapter, CsvStyle, Member, Recruitment, Rng, national_csv};

/// Who the audit log and stage history name for the month's changes.
const ACTOR: &str = "synth-month";

/// What one month changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Month {
    /// Members who joined.
    pub joins: usize,
    /// Members who lapsed.
    pub lapses: usize,
    /// Lapsed members who renewed.
    pub renewals: usize,
    /// Workplaces that moved up a stage.
    pub climbs: usize,
    /// Recruitment records (coworkers who joined the committee's side).
    pub recruitments: usize,
    /// Training completions.
    pub trainings: usize,
}

/// A decided but not yet applied month.
#[derive(Debug)]
struct Plan {
    /// Indexes of new members (appended to the chapter).
    new_members: Vec<usize>,
    /// (workplace index, new stage, day).
    climbs: Vec<(usize, i64, Date)>,
    /// New recruitments.
    recruitments: Vec<Recruitment>,
    /// (member index, training code, day).
    trainings: Vec<(usize, &'static str, Date)>,
    month: Month,
}

fn day_in(first: Date, last: Date, rng: &mut Rng) -> Date {
    let days = i64::from(last.day() - first.day());
    first
        .checked_add(jiff::Span::new().days(rng.range(0, days)))
        .unwrap_or(first)
}

/// Decides the month `first..=last` for `chapter` (mutating its list: joins appended, lapses and
/// renewals marked) and returns what the domain must record.
fn decide(chapter: &mut Chapter, seed: u64, first: Date, last: Date) -> Plan {
    let mut rng = Rng::new(seed).fork(&format!("month-{first}"));
    let mut month = Month::default();
    let active = chapter.active_members();
    // Joins: 1-3% of the active list a month (a chapter in a good month grows).
    let joins = (active * usize::try_from(rng.range(10, 30)).unwrap_or(20) / 1000).max(1);
    // Lapses: 0.5-2% of the active list.
    let lapses = active * usize::try_from(rng.range(5, 20)).unwrap_or(10) / 1000;
    let mut next_ak = chapter
        .members
        .iter()
        .filter_map(|m| m.actionkit_id.parse::<u64>().ok())
        .max()
        .unwrap_or(100_000);
    let n_work = chapter.workplaces.len();
    let mut new_members = Vec::with_capacity(joins);
    let base_len = chapter.members.len();
    for j in 0..joins {
        // A new member looks like the chapter's members: one member's details, another's last
        // name, a fresh ActionKit id and email, joined this month.
        let template = rng.index(base_len);
        let other = rng.index(base_len);
        let mut m: Member = chapter.members[template].clone();
        next_ak += 1 + rng.below(40);
        m.actionkit_id = next_ak.to_string();
        m.last_name = chapter.members[other].last_name.clone();
        m.email = format!("new.{}.{j}@example.org", m.actionkit_id);
        m.join_date = day_in(first, last, &mut rng);
        m.lapsed = false;
        m.membership_status = "Member in Good Standing".to_owned();
        m.memb_status_letter = "M";
        let monthly = rng.permille(600);
        m.membership_type = if monthly { "monthly" } else { "annual" }.to_owned();
        m.monthly_dues_status = if monthly { "active" } else { "never" }.to_owned();
        m.yearly_dues_status = if monthly { "never" } else { "active" }.to_owned();
        m.xdate = m
            .join_date
            .checked_add(jiff::Span::new().days(if monthly { 31 } else { 365 }))
            .unwrap_or(m.join_date);
        m.readiness = None;
        m.union_role = None;
        m.workplace = if n_work > 0 && rng.permille(450) {
            let w = rng.index(n_work);
            m.workplace
                .take()
                .map(|(_, title, _)| (w, title, m.join_date))
        } else {
            None
        };
        chapter.members.push(m);
        new_members.push(base_len + j);
    }
    month.joins = joins;
    // Lapses: members whose dues ran out this month.
    let candidates: Vec<usize> = (0..base_len)
        .filter(|i| {
            let m = &chapter.members[*i];
            !m.lapsed && m.membership_type != "lifetime"
        })
        .collect();
    for _ in 0..lapses.min(candidates.len()) {
        let i = candidates[rng.index(candidates.len())];
        let m = &mut chapter.members[i];
        if m.lapsed {
            continue;
        }
        m.lapsed = true;
        m.membership_status = "Lapsed".to_owned();
        m.memb_status_letter = "L";
        if m.membership_type == "monthly" {
            m.monthly_dues_status = "lapsed".to_owned();
        } else {
            m.yearly_dues_status = "lapsed".to_owned();
        }
        m.xdate = day_in(first, last, &mut rng);
        month.lapses += 1;
    }
    // Renewals: a few lapsed members come back (about 3% of the lapsed a month).
    for m in chapter.members.iter_mut().take(base_len) {
        if m.lapsed && m.memb_status_letter == "L" && rng.permille(30) {
            m.lapsed = false;
            m.membership_status = "Member in Good Standing".to_owned();
            m.memb_status_letter = "M";
            m.membership_type = "monthly".to_owned();
            m.monthly_dues_status = "active".to_owned();
            m.yearly_dues_status = "never".to_owned();
            m.xdate = last.checked_add(jiff::Span::new().days(31)).unwrap_or(last);
            month.renewals += 1;
        }
    }
    // Workplaces climb: about 5% of those below stage 5 move up one rung a month; a committee
    // grows with the stage.
    let mut climbs = Vec::new();
    for (i, w) in chapter.workplaces.iter_mut().enumerate() {
        if w.stage < 5 && rng.permille(50) {
            w.stage += 1;
            let (lo, hi) = match w.stage {
                1 => (0, 1),
                2 => (2, 5),
                3 => (4, 12),
                4 => (6, 20),
                _ => (8, 30),
            };
            w.committee_size = w
                .committee_size
                .max(rng.range(lo, hi))
                .min(w.workforce_size);
            let pct = match w.stage {
                1 => rng.range(1, 10),
                2 => rng.range(10, 35),
                3 => rng.range(51, 70),
                4 => rng.range(55, 80),
                _ => rng.range(60, 90),
            };
            w.supporters = (w.workforce_size * pct / 100)
                .max(w.committee_size)
                .max(w.supporters)
                .min(w.workforce_size);
            if w.stage == 4 && w.representation == "none" {
                w.representation = "organizing";
            }
            if w.stage == 5 {
                w.representation = "represented";
            }
            climbs.push((i, w.stage, day_in(first, last, &mut rng)));
        }
    }
    month.climbs = climbs.len();
    // Recruitment at workplaces with a committee: about a third of them sign someone up.
    let mut recs = Vec::new();
    for (i, w) in chapter.workplaces.iter().enumerate() {
        if w.stage >= 2 && rng.permille(330) {
            recs.push(Recruitment {
                workplace: i,
                on: day_in(first, last, &mut rng),
                count: rng.range(1, 6),
            });
        }
    }
    month.recruitments = recs.len();
    chapter.recruitments.extend(recs.iter().cloned());
    // Trainings: about 1.5% of active members finish one this month.
    let mut done = Vec::new();
    for (i, m) in chapter.members.iter().enumerate() {
        if !m.lapsed && rng.permille(15) {
            let (code, _, _, _) = *rng.pick(synth::tables::TRAININGS);
            done.push((i, code, day_in(first, last, &mut rng)));
        }
    }
    month.trainings = done.len();
    chapter.completions.extend(done.iter().copied());
    Plan {
        new_members,
        climbs,
        recruitments: recs,
        trainings: done,
        month,
    }
}

/// Decides and applies the month `first..=last` to a chapter's store: national's new list
/// through the import, then the organizing work in one transaction. `wids` are the node's
/// workplace ids by the chapter's workplace index.
pub fn apply_month(
    store: &Store,
    chapter: &mut Chapter,
    wids: &[i64],
    seed: u64,
    first: Date,
    last: Date,
) -> Result<Month> {
    let plan = decide(chapter, seed, first, last);
    let csv = national_csv(chapter, &CsvStyle::messy());
    import::import_bytes(store, &csv, &ImportOptions::default(), ACTOR)
        .context("importing the month's national list")?;
    let new_aks: Vec<String> = plan
        .new_members
        .iter()
        .map(|i| chapter.members[*i].actionkit_id.clone())
        .collect();
    let ids = store.read(|conn| {
        let mut stmt = conn.prepare_cached("SELECT id FROM members WHERE actionkit_id = ?1")?;
        let mut ids = Vec::with_capacity(new_aks.len());
        for ak in &new_aks {
            ids.push(stmt.query_row([ak], |r| r.get::<_, i64>(0))?);
        }
        Ok(ids)
    })?;
    let all_ids = if plan.trainings.is_empty() {
        Vec::new()
    } else {
        synth::member_ids(store, chapter)?
    };
    let at = |d: Date| format!("{d}T17:00:00Z");
    let organizers = synth::ladder::organizers(chapter);
    store.write(|tx| {
        for (&i, &id) in plan.new_members.iter().zip(&ids) {
            let m = &chapter.members[i];
            let fields = members::NodeFields {
                languages: Some(m.languages.join(",")),
                preferred_language: m.preferred_language.map(str::to_owned),
                ..Default::default()
            };
            members::update_node_fields(tx, id, &fields)?;
            if let Some((w, title, since)) = &m.workplace
                && let Some(&wid) = wids.get(*w)
            {
                workplaces::link_member(
                    tx,
                    &workplaces::Link {
                        member_id: id,
                        workplace_id: wid,
                        job_title: title.clone(),
                        since: Some(since.to_string()),
                        is_primary: true,
                    },
                )?;
            }
        }
        for (w, stage, day) in &plan.climbs {
            let (Some(&wid), Some(sw)) = (wids.get(*w), chapter.workplaces.get(*w)) else {
                continue;
            };
            workplaces::update(tx, wid, &synth::workplace_fields(sw))?;
            // An organizer records it, in words, as in the generated year.
            let actor = &organizers[*w % organizers.len()];
            let mut note_rng = Rng::new(seed).fork(&format!("ladder-{w}-{stage}-{day}"));
            let note = synth::ladder::note(&mut note_rng, *stage);
            if workplaces::set_stage(tx, wid, *stage, actor, note)? {
                // The change happened on a day of that month, not when the demo ran.
                tx.execute(
                    "UPDATE workplace_stage_history SET at = ?1 WHERE id = last_insert_rowid()",
                    params![at(*day)],
                )?;
            }
        }
        for r in &plan.recruitments {
            if let Some(&wid) = wids.get(r.workplace) {
                recruitments::record(tx, wid, &r.on.to_string(), r.count)?;
            }
        }
        for (m, code, on) in &plan.trainings {
            if let Some(&id) = all_ids.get(*m) {
                trainings::complete(tx, id, code, &on.to_string())?;
            }
        }
        Ok(())
    })?;
    Ok(plan.month)
}

/// Dates the initial load's stage history (written at load time) on the first month's last day,
/// and returns the node's workplace ids by the chapter's workplace index.
pub fn after_load(store: &Store, last: Date) -> Result<Vec<i64>> {
    let at = format!("{last}T17:00:00Z");
    store.write(|tx| {
        tx.execute("UPDATE workplace_stage_history SET at = ?1", params![at])?;
        Ok(())
    })?;
    Ok(store.read(|conn| {
        let mut stmt = conn.prepare("SELECT id FROM workplaces ORDER BY id")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    })?)
}
