//! Loading a generated chapter into a node's store: the list through the national import, the
//! organizing data through the node's domain functions (the same calls its web interface makes).

use std::collections::HashMap;

use anyhow::{Context as _, Result, bail};
use rusqlite::params;
use shopfloor_node::domain::{
    campaigns, facts, members, mentorships, pods, recruitments, reserve, trainings, workplaces,
};
use shopfloor_node::import::{self, ImportOptions, ImportSummary};
use shopfloor_node::store::Store;
use shopfloor_protocol::report::ChapterFacts;

use super::{Chapter, CsvStyle, Workplace, national_csv};

/// Who the audit log names for loaded data: the chapter's admin, who imports the list in a real
/// chapter (a login the audit page shows, not a made-up "synth").
const ACTOR: &str = "admin";

/// What was loaded.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// The import's summary.
    pub import: ImportSummary,
    /// Workplaces created.
    pub workplaces: usize,
    /// Member-workplace links.
    pub links: usize,
    /// Stage changes recorded.
    pub stage_changes: usize,
    /// Training completions.
    pub completions: usize,
    /// Pods.
    pub pods: usize,
    /// Mentorships.
    pub mentorships: usize,
    /// Reserve entries.
    pub reserve: usize,
    /// Campaigns.
    pub campaigns: usize,
    /// Recruitment records.
    pub recruitments: usize,
}

/// Imports the chapter's list (current header style, messy) and loads its organizing data.
pub fn load(store: &Store, chapter: &Chapter) -> Result<Loaded> {
    let csv = national_csv(chapter, &CsvStyle::messy());
    let summary = import::import_bytes(store, &csv, &ImportOptions::default(), ACTOR)
        .context("importing the synthetic national list")?;
    let mut loaded = load_organizing(store, chapter)?;
    loaded.import = summary;
    Ok(loaded)
}

/// The node's member id for each of the chapter's members (by ActionKit id), in order.
pub fn member_ids(store: &Store, chapter: &Chapter) -> Result<Vec<i64>> {
    let by_ak: HashMap<String, i64> = store.read(|conn| {
        let mut stmt = conn.prepare("SELECT actionkit_id, id FROM members")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (ak, id) = row?;
            if let Some(ak) = ak {
                out.insert(ak, id);
            }
        }
        Ok(out)
    })?;
    chapter
        .members
        .iter()
        .map(|m| {
            by_ak
                .get(&m.actionkit_id)
                .copied()
                .with_context(|| format!("member {} was not imported", m.actionkit_id))
        })
        .collect()
}

/// Loads workplaces (with stage history and member links), node-side member fields, trainings,
/// pods, mentorships, reserve, campaigns, recruitments and chapter facts, in one transaction.
/// The list must have been imported first.
pub fn load_organizing(store: &Store, chapter: &Chapter) -> Result<Loaded> {
    let ids = member_ids(store, chapter)?;
    if ids.len() != chapter.members.len() {
        bail!("member ids do not match the chapter");
    }
    // The stage history names who changed a stage: an organizer's username (the leads of the
    // chapter's pods), so private too: the canary goes into it.
    let actors: Vec<String> = super::ladder::organizers(chapter)
        .into_iter()
        .map(|a| match chapter.canary.as_deref() {
            Some(c) => format!("{a}-{c}"),
            None => a,
        })
        .collect();
    let loaded = store.write(|tx| {
        let mut l = Loaded::default();
        let mut wids = Vec::with_capacity(chapter.workplaces.len());
        for (i, w) in chapter.workplaces.iter().enumerate() {
            let actor = actors[i % actors.len()].as_str();
            let f = workplace_fields(w);
            let id = workplaces::create(tx, &f, actor)?;
            // The workplace was added, and climbed the ladder one rung at a time, on days of
            // the year, not when the data was loaded.
            tx.execute(
                "UPDATE workplace_stage_history SET at = ?1 WHERE id = last_insert_rowid()",
                params![w.created],
            )?;
            for step in &w.ladder {
                if workplaces::set_stage(tx, id, step.stage, actor, &step.note)? {
                    tx.execute(
                        "UPDATE workplace_stage_history SET at = ?1 WHERE id = last_insert_rowid()",
                        params![step.at],
                    )?;
                    l.stage_changes += 1;
                }
            }
            wids.push(id);
        }
        l.workplaces = wids.len();

        for (m, &id) in chapter.members.iter().zip(&ids) {
            let fields = members::NodeFields {
                union_role: m.union_role.map(str::to_owned),
                readiness: m.readiness,
                languages: Some(m.languages.join(",")),
                preferred_language: m.preferred_language.map(str::to_owned),
                ..Default::default()
            };
            members::update_node_fields(tx, id, &fields)?;
            if let Some((w, title, since)) = &m.workplace {
                workplaces::link_member(
                    tx,
                    &workplaces::Link {
                        member_id: id,
                        workplace_id: wids[*w],
                        job_title: title.clone(),
                        since: Some(since.to_string()),
                        is_primary: true,
                    },
                )?;
                l.links += 1;
            }
        }

        for (code, en, es, source) in super::tables::TRAININGS {
            trainings::upsert(
                tx,
                &trainings::Training {
                    code: (*code).to_owned(),
                    title_en: (*en).to_owned(),
                    title_es: (*es).to_owned(),
                    source: (*source).to_owned(),
                },
            )?;
        }
        for (m, code, on) in &chapter.completions {
            trainings::complete(tx, ids[*m], code, &on.to_string())?;
            l.completions += 1;
        }

        for p in &chapter.pods {
            let pid = pods::create(tx, &p.name, Some(p.sector))?;
            for m in &p.leads {
                pods::add_member(tx, pid, ids[*m], true)?;
            }
            for m in &p.members {
                pods::add_member(tx, pid, ids[*m], false)?;
            }
            l.pods += 1;
        }

        for ms in &chapter.mentorships {
            if ms.mentor == ms.mentee {
                continue;
            }
            let mid =
                mentorships::start(tx, ids[ms.mentor], ids[ms.mentee], &ms.started.to_string())?;
            if let Some(end) = ms.ended {
                mentorships::end(tx, mid, &end.to_string())?;
            }
            l.mentorships += 1;
        }

        for r in &chapter.reserve {
            reserve::opt_in(
                tx,
                &reserve::ReserveEntry {
                    member_id: ids[r.member],
                    languages: r.languages.iter().map(|s| (*s).to_owned()).collect(),
                    skills: r.skills.iter().map(|s| (*s).to_owned()).collect(),
                    availability: r.availability.clone(),
                    active: r.active,
                },
            )?;
            l.reserve += 1;
        }

        for c in &chapter.campaigns {
            let cid = campaigns::create(
                tx,
                &campaigns::CampaignFields {
                    title: c.title.clone(),
                    kind: c.kind.to_owned(),
                    status: c.status.to_owned(),
                    approval: c.approval.to_owned(),
                    public: c.public,
                    priority: c.priority,
                    labor_component: c.labor_component,
                },
            )?;
            for (name, target, actual) in &c.metrics {
                campaigns::set_metric(
                    tx,
                    cid,
                    &campaigns::SuccessMetric {
                        name: name.clone(),
                        target: *target,
                        actual: *actual,
                    },
                )?;
            }
            for w in &c.workplaces {
                campaigns::add_workplace(tx, cid, wids[*w])?;
            }
            l.campaigns += 1;
        }

        for r in &chapter.recruitments {
            recruitments::record(tx, wids[r.workplace], &r.on.to_string(), r.count)?;
            l.recruitments += 1;
        }

        let (labor_committee, clc_delegate, bylaws) = chapter.facts;
        facts::set(
            tx,
            &ChapterFacts {
                labor_committee,
                clc_delegate,
                bylaws,
            },
        )?;
        Ok(l)
    })?;
    Ok(loaded)
}

/// A generated workplace's fields as the node's domain takes them.
pub fn workplace_fields(w: &Workplace) -> workplaces::WorkplaceFields {
    workplaces::WorkplaceFields {
        employer: w.employer.clone(),
        site: w.site.clone(),
        city: w.city.clone(),
        county_fips: Some(w.county_fips.to_owned()),
        state: Some(w.state.to_owned()),
        sector: Some(w.sector.to_owned()),
        naics_code: w.naics_code.to_owned(),
        representation: w.representation.to_owned(),
        rep_union: w.rep_union.clone(),
        rep_local: w.rep_local.clone(),
        workforce_size: Some(w.workforce_size),
        committee_size: w.committee_size,
        supporters: w.supporters,
        notes: w.notes.clone(),
    }
}
