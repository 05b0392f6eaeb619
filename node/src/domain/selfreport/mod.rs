//! Members map their own workplaces: personal self-report links, the answers they send, and
//! the review that records them (issue 18).
//!
//! - An organizer makes a link for each chosen member ([`make_links`]). The token is 32 random
//!   bytes, base64url in the link; only its SHA-256 is stored. A link expires ([`LINK_DAYS`]),
//!   and is used up by the first answer.
//! - The public page opens a link ([`open`]) and sends answers ([`submit`]). Answers wait in a
//!   queue and change nothing until an organizer accepts ([`accept`]) or discards ([`discard`])
//!   them.
//! - [`progress`]: how many current members have a workplace recorded, and links sent, opened,
//!   answered and accepted, for the dashboard.

pub mod industry;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::{Connection, OptionalExtension, params};
use shopfloor_protocol::registry::{self, Dim};

use crate::domain::members::NodeFields;
use crate::domain::workplaces::{self, Link, WorkplaceFields};
use crate::domain::{members, vocab};
use crate::error::{Error, Result};

/// How long a link lasts by default, in days.
pub const LINK_DAYS: i64 = 30;

/// Characters of a token in a link (32 bytes, base64url without padding).
pub const TOKEN_CHARS: usize = 43;

/// A new random token.
pub fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Task(format!("no system randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `token` has a token's shape (43 base64url characters). Anything else is refused
/// before the database is asked.
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What the database keeps of a token.
pub fn hash_token(token: &str) -> String {
    crate::web::session::hash_secret(token)
}

/// A timestamp `days` from now (RFC 3339, seconds).
fn in_days(days: i64) -> String {
    let now = jiff::Timestamp::now();
    now.checked_add(jiff::SignedDuration::from_secs(days.saturating_mul(86_400)))
        .unwrap_or(now)
        .round(jiff::Unit::Second)
        .map_or_else(|_| now.to_string(), |t| t.to_string())
}

/// A link just made, for the organizer's CSV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLink {
    /// The member.
    pub member_id: i64,
    /// Their email, if known.
    pub email: Option<String>,
    /// Their first name.
    pub first_name: String,
    /// The token (only here, never stored).
    pub token: String,
}

/// Makes one link for each member (unknown ids are skipped), valid for `days` days.
pub fn make_links(
    conn: &Connection,
    member_ids: &[i64],
    actor: &str,
    days: i64,
) -> Result<Vec<NewLink>> {
    let now = vocab::now();
    let expires = in_days(days.clamp(1, 365));
    let mut out = Vec::with_capacity(member_ids.len());
    let mut who = conn.prepare_cached("SELECT email, first_name FROM members WHERE id = ?1")?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO self_report_links (token_hash, member_id, created_by, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for &id in member_ids {
        let Some((email, first_name)) = who
            .query_row(params![id], |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
        else {
            continue;
        };
        let token = new_token()?;
        insert.execute(params![hash_token(&token), id, actor, now, expires])?;
        out.push(NewLink {
            member_id: id,
            email,
            first_name,
            token,
        });
    }
    Ok(out)
}

/// A link that may still be answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenLink {
    /// Its row.
    pub link_id: i64,
    /// The member.
    pub member_id: i64,
    /// Their first name: the only thing the page shows about them.
    pub first_name: String,
    /// Their preferred language, if stored.
    pub language: Option<String>,
}

fn find(conn: &Connection, token: &str) -> Result<Option<OpenLink>> {
    if !well_formed(token) {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached(
            "SELECT l.id, l.member_id, m.first_name, m.preferred_language
             FROM self_report_links l JOIN members m ON m.id = l.member_id
             WHERE l.token_hash = ?1 AND l.used = 0 AND l.expires_at > ?2",
        )?
        .query_row(params![hash_token(token), vocab::now()], |r| {
            Ok(OpenLink {
                link_id: r.get(0)?,
                member_id: r.get(1)?,
                first_name: r.get(2)?,
                language: r.get(3)?,
            })
        })
        .optional()?)
}

/// The link a token names if it may still be answered, without recording anything.
pub fn peek(conn: &Connection, token: &str) -> Result<Option<OpenLink>> {
    find(conn, token)
}

/// Opens a link: `None` when it is unknown, malformed, used or expired (the page says the same
/// for all four). The first opening is recorded.
pub fn open(conn: &Connection, token: &str) -> Result<Option<OpenLink>> {
    let found = find(conn, token)?;
    if let Some(l) = &found {
        conn.execute(
            "UPDATE self_report_links SET opened_at = ?2 WHERE id = ?1 AND opened_at IS NULL",
            params![l.link_id, vocab::now()],
        )?;
    }
    Ok(found)
}

/// What a member answered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answers {
    /// Employer.
    pub employer: String,
    /// Worksite name.
    pub site: String,
    /// City.
    pub city: String,
    /// USPS state.
    pub state: Option<String>,
    /// County FIPS.
    pub county_fips: Option<String>,
    /// registry::SECTORS code.
    pub sector: Option<String>,
    /// Job title.
    pub job_title: String,
    /// registry::UNION_STATUSES code.
    pub union_status: Option<String>,
    /// Union name.
    pub union_name: String,
    /// Union local.
    pub union_local: String,
    /// none, curious or ready.
    pub interest: Option<String>,
    /// ISO 639 codes.
    pub languages: Vec<String>,
    /// May be contacted about workplace organizing.
    pub consent: bool,
}

/// The longest free-text answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 200;

/// Checks answers against their vocabularies and lengths; the first bad field is the error.
pub fn validate(a: &Answers) -> Result<()> {
    for (field, v) in [
        ("employer", &a.employer),
        ("site", &a.site),
        ("city", &a.city),
        ("job_title", &a.job_title),
        ("union_name", &a.union_name),
        ("union_local", &a.union_local),
    ] {
        if v.chars().count() > MAX_ANSWER_CHARS || v.chars().any(char::is_control) {
            return Err(Error::invalid(
                field,
                "too long or holds control characters",
            ));
        }
    }
    if let Some(s) = &a.state
        && !vocab::is_state(s)
    {
        return Err(Error::invalid("state", "not a state"));
    }
    if let Some(c) = &a.county_fips {
        if !Dim::County.accepts(c) || c == registry::UNKNOWN {
            return Err(Error::invalid("county_fips", "not a county"));
        }
        let state_fips = a.state.as_deref().and_then(|s| {
            registry::STATE_FIPS
                .iter()
                .find(|(code, _)| *code == s)
                .map(|(_, f)| *f)
        });
        if state_fips.is_some_and(|sf| !c.starts_with(sf)) {
            return Err(Error::invalid("county_fips", "county not in the state"));
        }
    }
    if let Some(s) = &a.sector
        && !vocab::is_sector(s)
    {
        return Err(Error::invalid("sector", "not a sector"));
    }
    if let Some(u) = &a.union_status
        && !vocab::is_union_role(u)
    {
        return Err(Error::invalid("union_role", "not a union status"));
    }
    if let Some(i) = &a.interest
        && !["none", "curious", "ready"].contains(&i.as_str())
    {
        return Err(Error::invalid("interest", "none, curious or ready"));
    }
    if a.languages.len() > 20
        || a.languages
            .iter()
            .any(|l| vocab::language_code(l).is_none())
    {
        return Err(Error::invalid("languages", "unknown language"));
    }
    Ok(())
}

/// Records a member's answers and uses the link up, atomically (call in a transaction).
/// `Ok(false)` when the link cannot be answered (unknown, used, expired): nothing is written.
pub fn submit(conn: &Connection, token: &str, a: &Answers) -> Result<bool> {
    validate(a)?;
    let Some(link) = find(conn, token)? else {
        return Ok(false);
    };
    let now = vocab::now();
    let changed = conn.execute(
        "UPDATE self_report_links SET used = 1, answered_at = ?2,
            opened_at = coalesce(opened_at, ?2) WHERE id = ?1 AND used = 0",
        params![link.link_id, now],
    )?;
    if changed != 1 {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO self_report_answers (link_id, member_id, employer, site, city, state,
            county_fips, sector, job_title, union_status, union_name, union_local, interest,
            languages, consent, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            link.link_id,
            link.member_id,
            a.employer.trim(),
            a.site.trim(),
            a.city.trim(),
            a.state,
            a.county_fips,
            a.sector,
            a.job_title.trim(),
            a.union_status,
            a.union_name.trim(),
            a.union_local.trim(),
            a.interest,
            a.languages.join(","),
            a.consent,
            now
        ],
    )?;
    Ok(true)
}

/// The sector a NAICS code (2 to 6 digits) lies in.
pub fn sector_of_naics(code: &str) -> Option<&'static str> {
    if !(2..=6).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let two = code.get(..2)?;
    let sector = match two {
        "31" | "32" | "33" => "31-33",
        "44" | "45" => "44-45",
        "48" | "49" => "48-49",
        _ => registry::SECTORS.iter().find(|t| t.code == two)?.code,
    };
    Some(sector)
}

/// The workplace columns of an imported row as answers for the review queue, or `None` when the
/// row has none. The industry is a NAICS code or words (the first sector the words match);
/// a county, state or industry the node does not recognise is left out (the organizer sees the
/// rest and decides). The member's union name and local from the same row come along.
pub fn imported(
    mut a: Answers,
    industry: &str,
    list: &crate::domain::members::ListFields,
) -> Option<Answers> {
    let any = [&a.employer, &a.city, &a.job_title]
        .iter()
        .any(|v| !v.is_empty())
        || a.county_fips.is_some()
        || a.state.is_some()
        || !industry.is_empty();
    if !any {
        return None;
    }
    a.sector = sector_of_naics(industry.trim())
        .or_else(|| industry::search(industry).first().copied())
        .map(str::to_owned);
    if a.state.as_deref().is_some_and(|s| !vocab::is_state(s)) {
        a.state = None;
    }
    if a.county_fips
        .as_deref()
        .is_some_and(|c| !Dim::County.accepts(c) || c == registry::UNKNOWN)
    {
        a.county_fips = None;
    }
    if let (Some(c), Some(s)) = (&a.county_fips, &a.state) {
        let fits = registry::STATE_FIPS
            .iter()
            .find(|(code, _)| code == s)
            .is_none_or(|(_, f)| c.starts_with(f));
        if !fits {
            a.county_fips = None;
        }
    }
    let cut = |v: &mut String| {
        if v.chars().count() > MAX_ANSWER_CHARS {
            *v = v.chars().take(MAX_ANSWER_CHARS).collect();
        }
    };
    cut(&mut a.employer);
    cut(&mut a.city);
    cut(&mut a.job_title);
    a.union_name = list.union_name.chars().take(MAX_ANSWER_CHARS).collect();
    a.union_local = list.union_local.chars().take(MAX_ANSWER_CHARS).collect();
    Some(a)
}

/// Puts an imported row's workplace answers in the review queue (no link; call inside the
/// import's transaction).
pub fn queue_import(conn: &Connection, member_id: i64, a: &Answers) -> Result<()> {
    conn.execute(
        "INSERT INTO self_report_answers (link_id, member_id, employer, site, city, state,
            county_fips, sector, job_title, union_status, union_name, union_local, interest,
            languages, consent, received_at)
         VALUES (NULL, ?1, ?2, '', ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, NULL, '', 0, ?10)",
        params![
            member_id,
            a.employer,
            a.city,
            a.state,
            a.county_fips,
            a.sector,
            a.job_title,
            a.union_name,
            a.union_local,
            vocab::now()
        ],
    )?;
    Ok(())
}

/// An answer in the review queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Its row.
    pub id: i64,
    /// The member.
    pub member_id: i64,
    /// The member's full name (organizers see it; the public page never does).
    pub member_name: String,
    /// What they answered.
    pub answers: Answers,
    /// When it came in.
    pub received_at: String,
    /// Workplaces that may be the same one: (id, employer · site, city).
    pub suggestions: Vec<(i64, String, String)>,
}

fn answers_from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Answers> {
    let langs: String = r.get(at + 11)?;
    Ok(Answers {
        employer: r.get(at)?,
        site: r.get(at + 1)?,
        city: r.get(at + 2)?,
        state: r.get(at + 3)?,
        county_fips: r.get(at + 4)?,
        sector: r.get(at + 5)?,
        job_title: r.get(at + 6)?,
        union_status: r.get(at + 7)?,
        union_name: r.get(at + 8)?,
        union_local: r.get(at + 9)?,
        interest: r.get(at + 10)?,
        languages: langs
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        consent: r.get(at + 12)?,
    })
}

const ANSWER_COLUMNS: &str = "a.employer, a.site, a.city, a.state, a.county_fips, a.sector, \
    a.job_title, a.union_status, a.union_name, a.union_local, a.interest, a.languages, a.consent";

/// Workplaces that may be the one an answer names: same employer (ignoring case and accents),
/// the same city first.
pub fn suggestions(
    conn: &Connection,
    employer: &str,
    city: &str,
) -> Result<Vec<(i64, String, String)>> {
    let want = industry::fold(employer)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if want.is_empty() {
        return Ok(Vec::new());
    }
    let want_city = industry::fold(city).trim().to_owned();
    let mut stmt = conn.prepare_cached("SELECT id, employer, site, city FROM workplaces")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, emp, site, c) = row?;
        let e = industry::fold(&emp)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if e.is_empty() || !(e.contains(&want) || want.contains(&e)) {
            continue;
        }
        let same_city = !want_city.is_empty() && industry::fold(&c).trim() == want_city;
        let label = if site.trim().is_empty() {
            emp
        } else {
            format!("{emp} · {site}")
        };
        out.push((same_city, id, label, c));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(out
        .into_iter()
        .take(5)
        .map(|(_, id, l, c)| (id, l, c))
        .collect())
}

/// The review queue, oldest first (at most `limit`).
pub fn pending(conn: &Connection, limit: i64) -> Result<Vec<Pending>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT a.id, a.member_id, m.first_name, m.last_name, a.received_at, {ANSWER_COLUMNS}
         FROM self_report_answers a JOIN members m ON m.id = a.member_id
         WHERE a.status = 'pending' ORDER BY a.received_at, a.id LIMIT ?1"
    ))?;
    let rows = stmt.query_map(params![limit.clamp(1, 500)], |r| {
        let first: String = r.get(2)?;
        let last: String = r.get(3)?;
        Ok(Pending {
            id: r.get(0)?,
            member_id: r.get(1)?,
            member_name: format!("{first} {last}").trim().to_owned(),
            received_at: r.get(4)?,
            answers: answers_from_row(r, 5)?,
            suggestions: Vec::new(),
        })
    })?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    for p in &mut out {
        p.suggestions = suggestions(conn, &p.answers.employer, &p.answers.city)?;
    }
    Ok(out)
}

fn pending_one(conn: &Connection, id: i64) -> Result<(i64, Answers)> {
    conn.prepare_cached(&format!(
        "SELECT a.member_id, {ANSWER_COLUMNS} FROM self_report_answers a
         WHERE a.id = ?1 AND a.status = 'pending'"
    ))?
    .query_row(params![id], |r| Ok((r.get(0)?, answers_from_row(r, 1)?)))
    .optional()?
    .ok_or_else(|| Error::not_found(format!("pending self-report answer {id}")))
}

/// Where an accepted answer's workplace goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An existing workplace: its unknown sector, county, state and city are filled in.
    Existing(i64),
    /// A new workplace made from the answers.
    New,
}

/// Accepts an answer: links the member to the workplace (primary, with the job title), fills in
/// the workplace's unknown sector, county, state and city, and records the member's union status,
/// union name and local (where the list has none) and languages. Returns (member, workplace).
/// Call in a transaction, with the audit entry.
pub fn accept(conn: &Connection, id: i64, target: Target, actor: &str) -> Result<(i64, i64)> {
    let (member_id, a) = pending_one(conn, id)?;
    let workplace_id = match target {
        Target::Existing(wid) => {
            let w = workplaces::get(conn, wid)?;
            let mut f = w.fields.clone();
            if f.sector.is_none() {
                f.sector.clone_from(&a.sector);
            }
            if f.state.is_none() {
                f.state.clone_from(&a.state);
            }
            let county_fits = match (&a.county_fips, &f.state) {
                (Some(c), Some(s)) => registry::STATE_FIPS
                    .iter()
                    .find(|(code, _)| code == s)
                    .is_none_or(|(_, sf)| c.starts_with(sf)),
                _ => true,
            };
            if f.county_fips.is_none() && county_fits {
                f.county_fips.clone_from(&a.county_fips);
            }
            if f.city.trim().is_empty() {
                f.city.clone_from(&a.city);
            }
            if f != w.fields {
                workplaces::update(conn, wid, &f)?;
            }
            wid
        }
        Target::New => {
            let f = WorkplaceFields {
                employer: a.employer.clone(),
                site: a.site.clone(),
                city: a.city.clone(),
                county_fips: a.county_fips.clone(),
                state: a.state.clone(),
                sector: a.sector.clone(),
                representation: "none".into(),
                ..WorkplaceFields::default()
            };
            workplaces::create(conn, &f, actor)?
        }
    };
    workplaces::link_member(
        conn,
        &Link {
            member_id,
            workplace_id,
            job_title: a.job_title.clone(),
            since: None,
            is_primary: true,
        },
    )?;
    let member = members::get(conn, member_id)?;
    let mut langs = member.languages.clone();
    for l in &a.languages {
        if !langs.contains(l) {
            langs.push(l.clone());
        }
    }
    let union_code = a
        .union_status
        .as_deref()
        .and_then(|role| vocab::union_code(Some(role), &a.union_name, &a.union_local));
    members::update_node_fields(
        conn,
        member_id,
        &NodeFields {
            union_role: a.union_status.clone(),
            union_code: union_code.map(str::to_owned),
            languages: (!a.languages.is_empty()).then(|| langs.join(",")),
            ..NodeFields::default()
        },
    )?;
    let now = vocab::now();
    if !a.union_name.is_empty() {
        conn.execute(
            "UPDATE members SET union_name = ?2, updated_at = ?3 WHERE id = ?1 AND union_name = ''",
            params![member_id, a.union_name, now],
        )?;
    }
    if !a.union_local.is_empty() {
        conn.execute(
            "UPDATE members SET union_local = ?2, updated_at = ?3 WHERE id = ?1 AND union_local = ''",
            params![member_id, a.union_local, now],
        )?;
    }
    conn.execute(
        "UPDATE self_report_answers SET status = 'accepted', workplace_id = ?2, reviewed_by = ?3,
            reviewed_at = ?4 WHERE id = ?1",
        params![id, workplace_id, actor, now],
    )?;
    Ok((member_id, workplace_id))
}

/// Discards an answer: nothing about the member changes. Returns the member.
pub fn discard(conn: &Connection, id: i64, actor: &str) -> Result<i64> {
    let (member_id, _) = pending_one(conn, id)?;
    conn.execute(
        "UPDATE self_report_answers SET status = 'discarded', reviewed_by = ?2, reviewed_at = ?3
         WHERE id = ?1",
        params![id, actor, vocab::now()],
    )?;
    Ok(member_id)
}

/// The chapter's progress in mapping where members work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Current members (on the list, not lapsed).
    pub current: i64,
    /// Of them, with a workplace recorded.
    pub mapped: i64,
    /// Links made.
    pub sent: i64,
    /// Links opened.
    pub opened: i64,
    /// Links answered.
    pub answered: i64,
    /// Answers accepted.
    pub accepted: i64,
    /// Answers waiting for review.
    pub pending: i64,
}

impl Progress {
    /// The mapped share, in whole percent (0 when there are no current members).
    pub fn mapped_pct(&self) -> i64 {
        if self.current > 0 {
            self.mapped * 100 / self.current
        } else {
            0
        }
    }
}

/// Counts for [`Progress`].
pub fn progress(conn: &Connection) -> Result<Progress> {
    let one = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    Ok(Progress {
        current: one("SELECT count(*) FROM members WHERE list_status = 'present'
               AND (standing IS NULL OR standing <> 'lapsed')")?,
        mapped: one(
            "SELECT count(*) FROM members m WHERE list_status = 'present'
               AND (standing IS NULL OR standing <> 'lapsed')
               AND EXISTS (SELECT 1 FROM member_workplaces l WHERE l.member_id = m.id)",
        )?,
        sent: one("SELECT count(*) FROM self_report_links")?,
        opened: one("SELECT count(*) FROM self_report_links WHERE opened_at IS NOT NULL")?,
        answered: one("SELECT count(*) FROM self_report_links WHERE answered_at IS NOT NULL")?,
        accepted: one("SELECT count(*) FROM self_report_answers WHERE status = 'accepted'")?,
        pending: one("SELECT count(*) FROM self_report_answers WHERE status = 'pending'")?,
    })
}

/// Which members get links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Every current member.
    AllCurrent,
    /// Current members with no workplace recorded.
    Unmapped,
    /// The members of a pod.
    Pod(i64),
    /// These members (the Members page's filter, resolved by the caller).
    Ids(Vec<i64>),
}

/// The member ids a selection names, by id.
pub fn select(conn: &Connection, sel: &Selection) -> Result<Vec<i64>> {
    let current = "list_status = 'present' AND (standing IS NULL OR standing <> 'lapsed')";
    let sql = match sel {
        Selection::AllCurrent => format!("SELECT id FROM members WHERE {current} ORDER BY id"),
        Selection::Unmapped => format!(
            "SELECT id FROM members m WHERE {current}
               AND NOT EXISTS (SELECT 1 FROM member_workplaces l WHERE l.member_id = m.id)
             ORDER BY id"
        ),
        Selection::Pod(_) => {
            "SELECT member_id FROM pod_members WHERE pod_id = ?1 ORDER BY member_id".to_owned()
        }
        Selection::Ids(ids) => {
            let mut v = ids.clone();
            v.sort_unstable();
            v.dedup();
            return Ok(v);
        }
    };
    let mut stmt = conn.prepare(&sql)?;
    fn id(r: &rusqlite::Row<'_>) -> rusqlite::Result<i64> {
        r.get(0)
    }
    let rows = match sel {
        Selection::Pod(p) => stmt.query_map(params![p], id)?,
        _ => stmt.query_map([], id)?,
    };
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_base64url_characters() {
        let t = new_token().unwrap();
        assert!(well_formed(&t), "{t}");
        assert_ne!(t, new_token().unwrap());
        // The link's alphabet: URL-safe, no padding.
        assert_eq!(URL_SAFE_NO_PAD.encode(b"\xfb\xff"), "-_8");
        assert!(!well_formed(&format!("{}=", &t[..42])));
        assert!(!well_formed("short"));
    }
}
