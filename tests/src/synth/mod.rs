//! Synthetic chapters, deterministic from a seed.
//!
//! [`generate`] makes a chapter of 20 to 10,000 members: names (Spanish speakers at a realistic
//! share, higher in Texas and Florida), union members with union names as free text the way
//! national's list carries them, workplaces in real counties (FIPS codes) with sectors weighted
//! like US employment and every organizing stage 0-5 (workforce, committee and supporters as
//! counts: coworkers are never named), trainings, pods with leads, mentorships, reserve
//! organizers, campaigns (some public, some priority with a labor component) and recruitments.
//!
//! Two outputs: the national membership list as CSV ([`national_csv`] in the current header
//! style, [`national_csv_legacy`] in the legacy one, with [`CsvStyle`] messiness) to load with
//! `shopfloor_node::import::import_bytes`; and the organizing data, loaded through the node's
//! domain functions by [`load_organizing`]. [`load`] does both.
//!
//! ```no_run
//! # fn demo(store: &shopfloor_node::store::Store) -> anyhow::Result<()> {
//! use shopfloor_testbed::synth::{self, ChapterProfile};
//! let chapter = synth::generate(&ChapterProfile::new("Durham DSA", "NC", 800, 42));
//! let loaded = synth::load(store, &chapter)?;
//! println!("{} members, {} workplaces", loaded.import.created, loaded.workplaces);
//! # Ok(()) }
//! ```

mod csv;
pub mod ladder;
mod load;
mod rng;
pub mod tables;
#[cfg(test)]
mod tests;

use jiff::civil::Date;

pub use csv::{CsvStyle, national_csv, national_csv_legacy};
pub use load::{Loaded, load, load_organizing, member_ids, workplace_fields};
pub use rng::Rng;

use tables::{COUNTIES, County, SECTOR_WEIGHTS, SECTORS, SectorDetail};

/// Smallest chapter.
pub const MIN_MEMBERS: usize = 20;
/// Largest chapter.
pub const MAX_MEMBERS: usize = 10_000;

/// What to generate.
#[derive(Clone, Debug)]
pub struct ChapterProfile {
    /// Chapter name, e.g. "Durham DSA".
    pub name: String,
    /// USPS state; must be one [`tables::COUNTIES`] knows (the South, and Maine).
    pub state: String,
    /// The chapter's home county FIPS (default: the state's first county in the table).
    pub home_county: Option<String>,
    /// Members on the list (clamped to 20..=10,000).
    pub members: usize,
    /// Seed.
    pub seed: u64,
    /// Everything is dated on or before this day (pass the last day of the reporting period).
    pub as_of: Date,
    /// When set, planted into every free-text member and workplace field (and other private
    /// text): a lowercase ASCII token that must never leave the node.
    pub canary: Option<String>,
    /// When set, planted into public campaign titles: published on purpose, so it must appear
    /// in what hubs receive (the positive control of the canary check).
    pub public_marker: Option<String>,
}

impl ChapterProfile {
    /// A profile with `as_of` 2026-01-31 and no canary.
    pub fn new(name: &str, state: &str, members: usize, seed: u64) -> ChapterProfile {
        ChapterProfile {
            name: name.to_owned(),
            state: state.to_owned(),
            home_county: None,
            members,
            seed,
            as_of: jiff::civil::date(2026, 1, 31),
            canary: None,
            public_marker: None,
        }
    }

    /// Sets the home county.
    pub fn county(mut self, fips: &str) -> Self {
        self.home_county = Some(fips.to_owned());
        self
    }

    /// Sets the reference date.
    pub fn as_of(mut self, date: Date) -> Self {
        self.as_of = date;
        self
    }

    /// Plants a canary token (lowercase ASCII letters and digits).
    pub fn canary(mut self, token: &str) -> Self {
        self.canary = Some(token.to_owned());
        self
    }

    /// Plants a public marker in public campaign titles.
    pub fn public_marker(mut self, token: &str) -> Self {
        self.public_marker = Some(token.to_owned());
        self
    }
}

/// One member: national's columns, and what the node learns about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// ActionKit id.
    pub actionkit_id: String,
    /// First name.
    pub first_name: String,
    /// Middle name.
    pub middle_name: String,
    /// Last name.
    pub last_name: String,
    /// Suffix (legacy lists).
    pub suffix: String,
    /// Email.
    pub email: String,
    /// Phones.
    pub mobile_phone: String,
    /// Home phone.
    pub home_phone: String,
    /// Work phone.
    pub work_phone: String,
    /// Best phone.
    pub best_phone: String,
    /// Do not call.
    pub do_not_call: bool,
    /// Opted out of texts.
    pub p2ptext_optout: bool,
    /// Joined.
    pub join_date: Date,
    /// Expires (lifetime: 2099-11-01).
    pub xdate: Date,
    /// "Member in Good Standing", "Member" or "Lapsed" (a canary may follow).
    pub membership_status: String,
    /// M or L.
    pub memb_status_letter: &'static str,
    /// monthly, annual, one-time, income-based, lifetime.
    pub membership_type: String,
    /// Monthly dues status.
    pub monthly_dues_status: String,
    /// Yearly dues status.
    pub yearly_dues_status: String,
    /// The union_member answer.
    pub union_member: String,
    /// Union name, free text.
    pub union_name: String,
    /// Union local, free text.
    pub union_local: String,
    /// Accommodations.
    pub accomodations: String,
    /// Race.
    pub race: &'static str,
    /// Student?
    pub student_yes_no: &'static str,
    /// School.
    pub student_school_name: String,
    /// Mailing preference.
    pub mailing_pref: &'static str,
    /// YDSA chapter.
    pub ydsa_chapter: String,
    /// Congressional district.
    pub congressional_district: &'static str,
    /// Address.
    pub address1: String,
    /// Address, second line.
    pub address2: String,
    /// City.
    pub city: String,
    /// USPS state (the current list writes the name: see [`County::state_name`]).
    pub state: String,
    /// State name.
    pub state_name: String,
    /// ZIP.
    pub zip: String,
    /// Latitude, micro-degrees.
    pub lat: i64,
    /// Longitude, micro-degrees.
    pub lon: i64,
    /// Lapsed (not counted as a member).
    pub lapsed: bool,
    /// Languages spoken (ISO 639).
    pub languages: Vec<&'static str>,
    /// Preferred language.
    pub preferred_language: Option<&'static str>,
    /// Leadership readiness 1-4.
    pub readiness: Option<i64>,
    /// Union role set by hand on the node (steward, officer, staff).
    pub union_role: Option<&'static str>,
    /// Primary workplace: (index into [`Chapter::workplaces`], job title, since).
    pub workplace: Option<(usize, String, Date)>,
}

/// A workplace: counts only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workplace {
    /// Employer.
    pub employer: String,
    /// Site.
    pub site: String,
    /// City.
    pub city: String,
    /// County FIPS.
    pub county_fips: &'static str,
    /// USPS state.
    pub state: &'static str,
    /// Sector code.
    pub sector: &'static str,
    /// Finer NAICS code.
    pub naics_code: &'static str,
    /// none, organizing, represented.
    pub representation: &'static str,
    /// Union, free text.
    pub rep_union: String,
    /// Local, free text.
    pub rep_local: String,
    /// Workforce.
    pub workforce_size: i64,
    /// Committee (a count).
    pub committee_size: i64,
    /// Supporters (a count).
    pub supporters: i64,
    /// Notes.
    pub notes: String,
    /// Stage 0-5.
    pub stage: i64,
    /// When the workplace was added to the map (RFC 3339, before its first step).
    pub created: String,
    /// Its steps up the ladder to `stage`, on distinct days of the year, oldest first.
    pub ladder: Vec<ladder::LadderStep>,
}

/// A pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pod {
    /// Name.
    pub name: String,
    /// Sector.
    pub sector: &'static str,
    /// Member indexes that lead it.
    pub leads: Vec<usize>,
    /// Other member indexes.
    pub members: Vec<usize>,
}

/// A mentorship.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mentorship {
    /// Mentor (member index).
    pub mentor: usize,
    /// Mentee (member index).
    pub mentee: usize,
    /// Started.
    pub started: Date,
    /// Ended.
    pub ended: Option<Date>,
}

/// A reserve organizer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reserve {
    /// Member index.
    pub member: usize,
    /// Languages.
    pub languages: Vec<&'static str>,
    /// Skills (registry codes).
    pub skills: Vec<&'static str>,
    /// Availability.
    pub availability: String,
    /// Active.
    pub active: bool,
}

/// A campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Campaign {
    /// Title.
    pub title: String,
    /// Type code.
    pub kind: &'static str,
    /// Status code.
    pub status: &'static str,
    /// Approval.
    pub approval: &'static str,
    /// Public.
    pub public: bool,
    /// National priority.
    pub priority: bool,
    /// Labor component.
    pub labor_component: bool,
    /// Metrics: (name, target, actual).
    pub metrics: Vec<(String, i64, i64)>,
    /// Workplace indexes.
    pub workplaces: Vec<usize>,
}

/// Coworkers recruited at a workplace on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recruitment {
    /// Workplace index.
    pub workplace: usize,
    /// Day.
    pub on: Date,
    /// How many.
    pub count: i64,
}

/// A generated chapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chapter {
    /// The profile it came from.
    pub name: String,
    /// USPS state.
    pub state: String,
    /// Reference date.
    pub as_of: Date,
    /// The canary, if planted.
    pub canary: Option<String>,
    /// Members.
    pub members: Vec<Member>,
    /// Workplaces.
    pub workplaces: Vec<Workplace>,
    /// Training completions: (member index, training code, day).
    pub completions: Vec<(usize, &'static str, Date)>,
    /// Pods.
    pub pods: Vec<Pod>,
    /// Mentorships.
    pub mentorships: Vec<Mentorship>,
    /// Reserve.
    pub reserve: Vec<Reserve>,
    /// Campaigns.
    pub campaigns: Vec<Campaign>,
    /// Recruitments.
    pub recruitments: Vec<Recruitment>,
    /// Chapter facts: labor committee, CLC delegate, bylaws.
    pub facts: (bool, bool, bool),
}

impl Chapter {
    /// Members not lapsed.
    pub fn active_members(&self) -> usize {
        self.members.iter().filter(|m| !m.lapsed).count()
    }

    /// Members who speak Spanish.
    pub fn spanish_speakers(&self) -> usize {
        self.members
            .iter()
            .filter(|m| m.languages.contains(&"es"))
            .count()
    }

    /// Members whose answer says they are in a union now.
    pub fn union_members(&self) -> usize {
        self.members
            .iter()
            .filter(|m| m.union_member.starts_with("Yes, current"))
            .count()
    }

    /// Workplaces at each stage 0-5.
    pub fn stages(&self) -> [usize; 6] {
        let mut out = [0; 6];
        for w in &self.workplaces {
            if let Some(slot) = usize::try_from(w.stage).ok().and_then(|s| out.get_mut(s)) {
                *slot += 1;
            }
        }
        out
    }
}

fn days_before(date: Date, days: i64) -> Date {
    date.checked_sub(jiff::Span::new().days(days))
        .unwrap_or(date)
}

fn days_after(date: Date, days: i64) -> Date {
    date.checked_add(jiff::Span::new().days(days))
        .unwrap_or(date)
}

/// Tags private text with the canary.
struct Tagger<'a> {
    canary: Option<&'a str>,
}

impl Tagger<'_> {
    fn tag(&self, s: impl Into<String>) -> String {
        let s = s.into();
        match self.canary {
            Some(c) if s.is_empty() => c.to_owned(),
            Some(c) => format!("{s} {c}"),
            None => s,
        }
    }
    /// Tags only every `every`-th item (fields whose text the node interprets).
    fn tag_some(&self, s: &str, i: usize, every: usize) -> String {
        if self.canary.is_some() && i.is_multiple_of(every) {
            self.tag(s)
        } else {
            s.to_owned()
        }
    }
}

fn sector_detail(code: &str) -> &'static SectorDetail {
    SECTORS
        .iter()
        .find(|s| s.code == code)
        .unwrap_or(&SECTORS[0])
}

fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let m = match c {
                'á' | 'à' | 'ä' | 'â' | 'Á' => 'a',
                'é' | 'è' | 'ë' | 'ê' | 'É' => 'e',
                'í' | 'ï' | 'Í' => 'i',
                'ó' | 'ö' | 'ô' | 'Ó' | 'Ö' => 'o',
                'ú' | 'ü' | 'Ú' => 'u',
                'ñ' | 'Ñ' => 'n',
                'ễ' => 'e',
                c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
                _ => return None,
            };
            Some(m)
        })
        .collect()
}

fn phone(rng: &mut Rng, county: &County) -> String {
    let area = rng.pick(county.area_codes);
    // 555-0100..0199 is reserved for fiction.
    let line = 100 + rng.below(100);
    match rng.below(4) {
        0 => format!("({area}) 555-0{line}"),
        1 => format!("{area}-555-0{line}"),
        2 => format!("{area}5550{line}"),
        _ => format!("+1 {area} 555 0{line}"),
    }
}

/// Generates a chapter. Deterministic: the same profile gives the same chapter.
pub fn generate(profile: &ChapterProfile) -> Chapter {
    let n = profile.members.clamp(MIN_MEMBERS, MAX_MEMBERS);
    let root = Rng::new(profile.seed);
    let tagger = Tagger {
        canary: profile.canary.as_deref(),
    };
    let state_counties: Vec<&'static County> = COUNTIES
        .iter()
        .filter(|c| c.state == profile.state)
        .collect();
    let state_counties = if state_counties.is_empty() {
        COUNTIES.iter().take(1).collect()
    } else {
        state_counties
    };
    let home = profile
        .home_county
        .as_deref()
        .and_then(|f| state_counties.iter().copied().find(|c| c.fips == f))
        .unwrap_or(state_counties[0]);
    let as_of = profile.as_of;

    // Workplaces first: members are then placed in them.
    let mut rng = root.fork("workplaces");
    let mut ladder_rng = root.fork("ladder");
    let n_work = (n / 9).max(6);
    let mut workplaces = Vec::with_capacity(n_work);
    for i in 0..n_work {
        let county = if rng.permille(750) {
            home
        } else {
            *rng.pick(&state_counties)
        };
        let (city, _) = *rng.pick(county.cities);
        let sector = *rng.weighted(SECTOR_WEIGHTS);
        let detail = sector_detail(sector);
        // Every stage appears: the first six workplaces take stages 0-5.
        let stage: i64 = if i < 6 {
            i as i64
        } else {
            *rng.weighted(&[(0i64, 350), (1, 250), (2, 180), (3, 100), (4, 70), (5, 50)])
        };
        let workforce = match rng.below(10) {
            0..=3 => rng.range(8, 40),
            4..=6 => rng.range(40, 200),
            7 | 8 => rng.range(200, 1200),
            _ => rng.range(1200, 6000),
        };
        let committee = match stage {
            0 => 0,
            1 => rng.range(0, 1),
            2 => rng.range(2, 5),
            3 => rng.range(4, 12),
            4 => rng.range(6, 20),
            _ => rng.range(8, 30),
        }
        .min(workforce);
        let support_pct = match stage {
            0 => 0,
            1 => rng.range(1, 10),
            2 => rng.range(10, 35),
            3 => rng.range(51, 70),
            4 => rng.range(55, 80),
            _ => rng.range(60, 90),
        };
        let supporters = (workforce * support_pct / 100)
            .max(committee)
            .min(workforce);
        let representation = match stage {
            5 => "represented",
            4 => "organizing",
            _ if rng.permille(150) => "represented",
            _ => "none",
        };
        let (rep_union, rep_local) = if representation == "none" {
            (String::new(), String::new())
        } else {
            let (u, l) = *rng.pick(detail.unions);
            (u.to_owned(), l.to_owned())
        };
        // A name that belongs in the workplace's own state ("Lone Star" only in Texas).
        let employer = format!(
            "{} {}",
            rng.pick(&ladder::employer_prefixes(county.state)),
            rng.pick(detail.employers)
        );
        let notes = match stage {
            0 => "",
            1 => "mapping the shifts; first one-on-ones",
            2 => "committee meets Tuesdays after second shift",
            3 => "majority signed the petition",
            4 => "went public with the march on the boss",
            _ => "first contract ratified",
        };
        let (created, mut steps) = ladder::climb(&mut ladder_rng, as_of, stage);
        for step in &mut steps {
            step.note = tagger.tag(step.note.as_str());
        }
        workplaces.push(Workplace {
            employer: tagger.tag(employer),
            site: tagger.tag(*rng.pick(detail.sites)),
            city: tagger.tag(city),
            county_fips: county.fips,
            state: county.state,
            sector,
            naics_code: rng.pick_copy(detail.naics),
            representation,
            rep_union: if rep_union.is_empty() {
                tagger.tag_some("", i, 1)
            } else {
                tagger.tag(rep_union)
            },
            rep_local: tagger.tag(rep_local),
            workforce_size: workforce,
            committee_size: committee,
            supporters,
            notes: tagger.tag(notes),
            stage,
            created,
            ladder: steps,
        });
    }

    // Members.
    let mut rng = root.fork("members");
    let spanish = tables::spanish_permille(&profile.state);
    let mut members = Vec::with_capacity(n);
    let mut ak: u64 = 100_000 + rng.below(800_000);
    // Workplaces each get one member first, then members fall where they may.
    let mut unplaced: Vec<usize> = (0..n_work).collect();
    for i in 0..n {
        ak += 1 + rng.below(97);
        let speaks_es = rng.permille(spanish);
        let hispanic_name = if speaks_es {
            rng.permille(850)
        } else {
            rng.permille(40)
        };
        let (first, last) = if hispanic_name {
            let last = if rng.permille(200) {
                format!(
                    "{} {}",
                    rng.pick(tables::LAST_ES),
                    rng.pick(tables::LAST_ES)
                )
            } else {
                (*rng.pick(tables::LAST_ES)).to_owned()
            };
            ((*rng.pick(tables::FIRST_ES)).to_owned(), last)
        } else {
            let first = if rng.permille(15) {
                format!("{} \"{}\"", rng.pick(tables::FIRST), "Red")
            } else {
                (*rng.pick(tables::FIRST)).to_owned()
            };
            (first, (*rng.pick(tables::LAST)).to_owned())
        };
        let middle = if rng.permille(250) {
            (*rng.pick(if hispanic_name {
                tables::FIRST_ES
            } else {
                tables::FIRST
            }))
            .to_owned()
        } else {
            String::new()
        };
        let county = if rng.permille(800) {
            home
        } else {
            *rng.pick(&state_counties)
        };
        let (city, zip3) = *rng.pick(county.cities);
        let zip = format!("{zip3}{:02}", rng.below(100));
        let domain = rng.pick(&["example.org", "example.com", "example.net"]);
        let email = format!("{}.{}{}@{domain}", ascii_fold(&first), ascii_fold(&last), i);
        let email = match &profile.canary {
            // An email must stay an email: the canary goes into the local part.
            Some(c) => email.replacen('@', &format!(".{c}@"), 1),
            None => email,
        };
        let join = days_before(as_of, rng.range(10, 365 * 12));
        let kind = *rng.weighted(&[
            ("monthly", 520),
            ("annual", 330),
            ("income-based", 80),
            ("one-time", 50),
            ("lifetime", 20),
        ]);
        let lapsed = kind != "lifetime" && rng.permille(170);
        let xdate = if kind == "lifetime" {
            jiff::civil::date(2099, 11, 1)
        } else if lapsed {
            days_before(as_of, rng.range(40, 900))
        } else {
            days_after(as_of, rng.range(20, 400))
        };
        let status = if lapsed {
            "Lapsed"
        } else if rng.permille(850) {
            "Member in Good Standing"
        } else {
            "Member"
        };
        let monthly = match (kind, lapsed) {
            ("monthly", false) => *rng.weighted(&[("active", 900), ("past_due", 100)]),
            ("monthly", true) => {
                *rng.pick(&["lapsed", "canceled_by_user", "canceled_by_processor"])
            }
            _ => "never",
        };
        let yearly = match (kind, lapsed) {
            ("annual", false) => "active",
            ("annual", true) => "lapsed",
            _ => "never",
        };
        let answer = *rng.weighted(&[
            ("Yes, current union member", 230),
            ("Yes, retired union member", 30),
            ("No, but former union member", 120),
            ("No, not a union member", 540),
            ("Currently organizing my workplace", 60),
            ("", 20),
        ]);
        // Lapsed members keep their list rows but are less often mapped.
        let placed = rng.permille(if lapsed { 200 } else { 600 });
        let workplace = if placed {
            let idx = if unplaced.is_empty() {
                rng.index(n_work)
            } else {
                unplaced.swap_remove(rng.index(unplaced.len()))
            };
            let detail = sector_detail(workplaces[idx].sector);
            let since = days_before(as_of, rng.range(30, 365 * 15));
            Some((idx, tagger.tag(*rng.pick(detail.jobs)), since))
        } else {
            None
        };
        let sector_for_union = workplace.as_ref().map_or_else(
            || *rng.weighted(SECTOR_WEIGHTS),
            |(w, _, _)| workplaces[*w].sector,
        );
        let (union_name, union_local) = if answer.starts_with("Yes") {
            let (u, l) = *rng.pick(sector_detail(sector_for_union).unions);
            match rng.below(5) {
                0 => (String::new(), format!("{u} {l}").trim().to_owned()),
                1 => (u.to_lowercase(), l.to_owned()),
                _ => (u.to_owned(), l.to_owned()),
            }
        } else if answer.starts_with("No, but") && rng.permille(300) {
            let (u, _) = *rng.pick(sector_detail(sector_for_union).unions);
            (u.to_owned(), String::new())
        } else {
            (String::new(), String::new())
        };
        let union_role = if answer == "Yes, current union member" {
            *rng.weighted(&[
                (None, 820),
                (Some("steward"), 120),
                (Some("officer"), 40),
                (Some("staff"), 20),
            ])
        } else {
            None
        };
        let mut languages = vec!["en"];
        if speaks_es {
            if rng.permille(150) {
                languages = vec!["es"];
            } else {
                languages.push("es");
            }
        }
        for (lang, pm) in [
            ("vi", 10),
            ("zh", 10),
            ("ar", 5),
            ("fr", 10),
            ("asl", 5),
            ("ht", if profile.state == "FL" { 30 } else { 3 }),
        ] {
            if rng.permille(pm) {
                languages.push(lang);
            }
        }
        languages.sort_unstable();
        let preferred_language = if speaks_es && rng.permille(400) {
            Some("es")
        } else if rng.permille(300) {
            Some("en")
        } else {
            None
        };
        let readiness = if !lapsed && rng.permille(350) {
            Some(*rng.weighted(&[(1i64, 400), (2, 300), (3, 200), (4, 100)]))
        } else {
            None
        };
        let student = *rng.weighted(&[
            ("", 800),
            ("Yes, graduate student", 80),
            ("Yes, undergraduate student", 80),
            ("Yes, high school student", 10),
            ("No", 30),
        ]);
        let school = if student.starts_with("Yes") {
            (*rng.pick(&[
                "NC Central University",
                "University of Houston",
                "Houston Community College",
                "Durham Technical Community College",
                "University of Southern Maine",
                "UNC Chapel Hill",
                "Texas Southern University",
            ]))
            .to_owned()
        } else {
            String::new()
        };
        let address2 = match rng.below(10) {
            0 => format!("Apt {}", rng.range(1, 40)),
            1 => format!("Unit {}, Rear", rng.range(1, 9)),
            _ => String::new(),
        };
        let lat = county.centre.0 + rng.range(-60_000, 60_000);
        let lon = county.centre.1 + rng.range(-60_000, 60_000);
        let ydsa = if student.starts_with("Yes") && rng.permille(300) {
            format!("{} YDSA", school)
        } else {
            String::new()
        };
        let mobile = if rng.permille(800) {
            phone(&mut rng, county)
        } else {
            String::new()
        };
        let home_phone = if rng.permille(200) {
            phone(&mut rng, county)
        } else {
            String::new()
        };
        let work_phone = if rng.permille(50) {
            phone(&mut rng, county)
        } else {
            String::new()
        };
        let best = if mobile.is_empty() {
            home_phone.clone()
        } else {
            mobile.clone()
        };
        let accomodations = if rng.permille(40) {
            (*rng.pick(&[
                "ASL interpreter",
                "wheelchair access",
                "large print",
                "childcare at meetings",
            ]))
            .to_owned()
        } else {
            String::new()
        };
        members.push(Member {
            actionkit_id: ak.to_string(),
            first_name: tagger.tag(first),
            middle_name: tagger.tag(middle),
            last_name: tagger.tag(last),
            suffix: if rng.permille(20) {
                "Jr.".into()
            } else {
                String::new()
            },
            email,
            mobile_phone: tagger.tag(mobile),
            home_phone: tagger.tag(home_phone),
            work_phone: tagger.tag(work_phone),
            best_phone: tagger.tag(best),
            do_not_call: rng.permille(40),
            p2ptext_optout: rng.permille(80),
            join_date: join,
            xdate,
            membership_status: tagger.tag_some(status, i, 9),
            memb_status_letter: if lapsed { "L" } else { "M" },
            membership_type: tagger.tag_some(kind, i, 5),
            monthly_dues_status: tagger.tag_some(monthly, i, 5),
            yearly_dues_status: tagger.tag_some(yearly, i, 5),
            union_member: tagger.tag_some(answer, i, 11),
            union_name: tagger.tag(union_name),
            union_local: tagger.tag(union_local),
            accomodations,
            race: rng.weighted_copy(tables::RACES),
            student_yes_no: student,
            student_school_name: school,
            mailing_pref: rng.pick_copy(&["Yes", "No", "Membership card only"]),
            ydsa_chapter: ydsa,
            congressional_district: county.district,
            address1: format!(
                "{} {} {}",
                rng.range(1, 9999),
                rng.pick(tables::STREETS),
                rng.pick(tables::STREET_KINDS)
            ),
            address2,
            city: tagger.tag(city),
            state: tagger.tag(county.state),
            state_name: tagger.tag(county.state_name),
            zip: tagger.tag(zip),
            lat,
            lon,
            lapsed,
            languages,
            preferred_language,
            readiness,
            union_role,
            workplace,
        });
    }

    // Trainings.
    let mut rng = root.fork("trainings");
    let mut completions = Vec::new();
    for (i, m) in members.iter().enumerate() {
        if m.lapsed {
            continue;
        }
        for (code, pm) in [
            ("organizing-conversations", 250),
            ("workplace-mapping", 150),
            ("know-your-rights", 200),
            ("eowc-101", 80),
            ("strike-readiness", 50),
            (
                "steward-basics",
                if m.union_role == Some("steward") {
                    500
                } else {
                    10
                },
            ),
        ] {
            if rng.permille(pm) {
                completions.push((i, code, days_before(as_of, rng.range(0, 700))));
            }
        }
    }

    // Pods: one per sector with at least three placed members, up to eight.
    let mut rng = root.fork("pods");
    let mut pods = Vec::new();
    for (sector, _) in SECTOR_WEIGHTS {
        if pods.len() >= 8 {
            break;
        }
        let mut in_sector: Vec<usize> = members
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                !m.lapsed
                    && m.workplace
                        .as_ref()
                        .is_some_and(|(w, _, _)| workplaces[*w].sector == *sector)
            })
            .map(|(i, _)| i)
            .collect();
        if in_sector.len() < 3 {
            continue;
        }
        // Leads: the most ready members of the sector.
        in_sector.sort_by_key(|i| (std::cmp::Reverse(members[*i].readiness.unwrap_or(0)), *i));
        let n_leads = if in_sector.len() >= 12 { 2 } else { 1 };
        let leads: Vec<usize> = in_sector[..n_leads].to_vec();
        let rest: Vec<usize> = in_sector[n_leads..]
            .iter()
            .copied()
            .filter(|i| members[*i].readiness.is_some_and(|r| r >= 2) || rng.permille(300))
            .take(60)
            .collect();
        pods.push(Pod {
            name: tagger.tag(format!("{} pod", sector_detail(sector).pod)),
            sector,
            leads,
            members: rest,
        });
    }

    // Mentorships: ready members mentor newer ones.
    let mut rng = root.fork("mentorships");
    let mentors: Vec<usize> = (0..n)
        .filter(|i| members[*i].readiness.is_some_and(|r| r >= 3))
        .collect();
    let mentees: Vec<usize> = (0..n)
        .filter(|i| members[*i].readiness.is_some_and(|r| r <= 2))
        .collect();
    let mut mentorships = Vec::new();
    if !mentors.is_empty() && !mentees.is_empty() {
        for _ in 0..(n / 40).max(1) {
            let mentor = *rng.pick(&mentors);
            let mentee = *rng.pick(&mentees);
            let started = days_before(as_of, rng.range(0, 300));
            let ended = if rng.permille(250) {
                Some(days_after(started, rng.range(0, 60)).min(as_of))
            } else {
                None
            };
            mentorships.push(Mentorship {
                mentor,
                mentee,
                started,
                ended,
            });
        }
    }

    // Reserve: members with readiness 2+ volunteer to help other chapters.
    let mut rng = root.fork("reserve");
    let skills: Vec<&'static str> = shopfloor_protocol::registry::SKILLS
        .iter()
        .map(|t| t.code)
        .collect();
    let mut reserve = Vec::new();
    for (i, m) in members.iter().enumerate() {
        if m.readiness.is_none_or(|r| r < 2) || !rng.permille(180) {
            continue;
        }
        let mut sk: Vec<&'static str> = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let s = *rng.pick(&skills);
            if !sk.contains(&s) {
                sk.push(s);
            }
        }
        if m.languages.contains(&"es") && rng.permille(400) && !sk.contains(&"interpretation") {
            sk.push("interpretation");
        }
        sk.sort_unstable();
        reserve.push(Reserve {
            member: i,
            languages: m.languages.clone(),
            skills: sk,
            availability: tagger.tag(*rng.pick(tables::AVAILABILITY)),
            active: rng.permille(900),
        });
    }

    // Campaigns: a priority one with a labor component first, then a mix.
    let mut rng = root.fork("campaigns");
    let n_campaigns = (2 + n / 1500).min(8);
    let city0 = home.cities[0].0;
    let mut campaigns = Vec::new();
    for c in 0..n_campaigns {
        let public = c % 2 == 0;
        let priority = c == 0 || rng.permille(150);
        let (kind, labor) = if c == 0 {
            ("new-organizing", true)
        } else {
            let k = *rng.pick(&[
                "new-organizing",
                "contract",
                "strike-support",
                "union-democracy",
                "legislative",
                "community",
            ]);
            (k, k != "legislative" || rng.permille(300))
        };
        let status = *rng.weighted(&[
            ("planning", 150),
            ("active", 500),
            ("won", 200),
            ("lost", 80),
            ("ended", 70),
        ]);
        let approval = if priority {
            "approved"
        } else {
            *rng.pick(&["approved", "approved", "submitted", "draft"])
        };
        let base = match kind {
            "new-organizing" => format!("Organize the South: {city0} workers' committees"),
            "contract" => format!("Fair contract for {city0} school workers"),
            "strike-support" => format!("{city0} strike solidarity fund"),
            "union-democracy" => "Rank-and-file caucus support".to_owned(),
            "legislative" => "Heat protection at work".to_owned(),
            _ => format!("{city0} tenants and workers together"),
        };
        let title = match (public, &profile.public_marker) {
            (true, Some(marker)) => format!("{base} {marker}"),
            (true, None) => base,
            // Private campaigns are the chapter's business: planted like member data.
            (false, _) => tagger.tag(base),
        };
        let mut metrics = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let name = *rng.pick(tables::METRIC_NAMES);
            if metrics
                .iter()
                .any(|(m, _, _): &(String, i64, i64)| m == name)
            {
                continue;
            }
            let target = rng.range(10, 500);
            let actual = rng.range(0, target + target / 4);
            metrics.push((name.to_owned(), target, actual));
        }
        let workplaces_linked: Vec<usize> = if labor {
            let mut ws: Vec<usize> = (0..rng.range(1, 3)).map(|_| rng.index(n_work)).collect();
            ws.sort_unstable();
            ws.dedup();
            ws
        } else {
            Vec::new()
        };
        campaigns.push(Campaign {
            title,
            kind,
            status,
            approval,
            public,
            priority,
            labor_component: labor,
            metrics,
            workplaces: workplaces_linked,
        });
    }

    // Recruitment: coworkers who joined, at workplaces with a committee.
    let mut rng = root.fork("recruitments");
    let mut recruitments = Vec::new();
    // Every month of the year has some (a committee recruits all year, not only lately), at
    // workplaces that had a committee by then.
    let committee_since = |w: &Workplace| -> Option<Date> {
        w.ladder
            .iter()
            .find(|s| s.stage == 2)
            .and_then(|s| s.at.get(..10))
            .and_then(|d| d.parse::<Date>().ok())
    };
    for month in 0..12i64 {
        let first = as_of
            .first_of_month()
            .checked_sub(jiff::Span::new().months(month))
            .unwrap_or(as_of);
        let last = first.last_of_month().min(as_of);
        let day = days_after(first, rng.range(0, i64::from(last.day() - first.day())));
        let with_committee: Vec<usize> = workplaces
            .iter()
            .enumerate()
            .filter(|(_, w)| committee_since(w).is_some_and(|d| d <= day))
            .map(|(i, _)| i)
            .collect();
        // Early in the year few committees exist yet: any workplace at stage 2 or more.
        let pool: Vec<usize> = if with_committee.is_empty() {
            workplaces
                .iter()
                .enumerate()
                .filter(|(_, w)| w.stage >= 2)
                .map(|(i, _)| i)
                .collect()
        } else {
            with_committee
        };
        for _ in 0..rng.range(1, 3) {
            if pool.is_empty() {
                break;
            }
            recruitments.push(Recruitment {
                workplace: *rng.pick(&pool),
                on: day,
                count: rng.range(1, 6),
            });
        }
    }

    let mut rng = root.fork("facts");
    let facts = (true, rng.permille(600), rng.permille(800));

    Chapter {
        name: profile.name.clone(),
        state: profile.state.clone(),
        as_of,
        canary: profile.canary.clone(),
        members,
        workplaces,
        completions,
        pods,
        mentorships,
        reserve,
        campaigns,
        recruitments,
        facts,
    }
}
