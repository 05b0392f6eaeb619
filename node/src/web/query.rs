//! Reading members and workplaces *within a user's scope*, with filters and pagination. The API
//! and the HTML pages both call these, so a pod lead's limits are enforced in one place: a
//! member outside the scope does not exist (404), and lists never include one.

use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};
use serde::{Deserialize, Serialize};

use super::auth::MemberScope;
use crate::domain::members::{self, Member};
use crate::domain::workplaces::{self, Link, StageChange, Workplace};
use crate::domain::{pods, recruitments, trainings};
use crate::error::{Error, Result};

/// Largest page.
pub const MAX_PER_PAGE: i64 = 100;
/// Page size when none is asked for.
pub const DEFAULT_PER_PAGE: i64 = 50;

/// `?page=&per_page=` (1-based page; per_page 1-100, default 50), and for member lists the
/// keyset cursors `after=` / `before=`.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct PageParams {
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Items per page, at most [`MAX_PER_PAGE`].
    pub per_page: Option<i64>,
    /// Member lists: the id of the last member of the previous page. The page is then read
    /// from that member's place in the list's order onwards (keyset pagination: 50 index
    /// entries, however deep the page) and `page` only numbers it. A member that is gone, or
    /// outside the reader's scope, is ignored and `page` is read by its offset.
    #[serde(default)]
    pub after: Option<i64>,
    /// Member lists: the id of the first member of the next page (the "previous" link), as
    /// `after` backwards. Ignored when `after` is given.
    #[serde(default)]
    pub before: Option<i64>,
}

impl PageParams {
    /// (page, per_page), validated.
    pub fn resolve(&self) -> Result<(i64, i64)> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=1_000_000).contains(&page) {
            return Err(Error::invalid("page", "pages start at 1"));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(Error::invalid("per_page", "1 to 100"));
        }
        Ok((page, per_page))
    }

    /// (limit, offset).
    pub fn limit_offset(&self) -> Result<(i64, i64)> {
        let (page, per_page) = self.resolve()?;
        Ok((per_page, (page - 1) * per_page))
    }

    /// One page of an in-memory list.
    pub fn slice<T>(&self, all: Vec<T>) -> Result<Page<T>> {
        let (page, per_page) = self.resolve()?;
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
        let take = usize::try_from(per_page).unwrap_or(0);
        Ok(Page {
            items: all.into_iter().skip(skip).take(take).collect(),
            page,
            per_page,
            total,
        })
    }
}

/// One page of results.
#[derive(Clone, Debug, Serialize)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// This page (from 1).
    pub page: i64,
    /// Page size.
    pub per_page: i64,
    /// Items in all pages.
    pub total: i64,
}

/// SQL condition restricting member id expression `member_expr` to `scope`; binds into `args`.
fn member_scope_sql(scope: &MemberScope, member_expr: &str, args: &mut Vec<Value>) -> String {
    match scope {
        MemberScope::All => "1".into(),
        MemberScope::None => "0".into(),
        MemberScope::Pods(ids) if ids.is_empty() => "0".into(),
        MemberScope::Pods(ids) => {
            let marks = vec!["?"; ids.len()].join(", ");
            args.extend(ids.iter().map(|i| Value::Integer(*i)));
            format!(
                "EXISTS (SELECT 1 FROM pod_members sp WHERE sp.member_id = {member_expr} \
                 AND sp.pod_id IN ({marks}))"
            )
        }
    }
}

/// SQL condition restricting workplace id expression `wp_expr` to `scope`: pod leads see the
/// workplaces where members of their pods work.
fn workplace_scope_sql(scope: &MemberScope, wp_expr: &str, args: &mut Vec<Value>) -> String {
    match scope {
        MemberScope::All => "1".into(),
        MemberScope::None => "0".into(),
        MemberScope::Pods(ids) if ids.is_empty() => "0".into(),
        MemberScope::Pods(ids) => {
            let marks = vec!["?"; ids.len()].join(", ");
            args.extend(ids.iter().map(|i| Value::Integer(*i)));
            format!(
                "EXISTS (SELECT 1 FROM member_workplaces sw JOIN pod_members sp \
                 ON sp.member_id = sw.member_id WHERE sw.workplace_id = {wp_expr} \
                 AND sp.pod_id IN ({marks}))"
            )
        }
    }
}

fn like_pattern(s: &str) -> String {
    let escaped = s
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Member list filters (all optional).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct MemberFilter {
    /// Substring of first, last name or email (case-insensitive).
    pub search: Option<String>,
    /// Member of this pod.
    pub pod: Option<i64>,
    /// Linked to this workplace.
    pub workplace: Option<i64>,
    /// Primary workplace's NAICS sector code.
    pub sector: Option<String>,
    /// Primary workplace's organizing stage 0-5.
    pub stage: Option<i64>,
    /// Union role: none, organizing, member, steward, officer, staff, retired.
    pub union_role: Option<String>,
    /// Union code (registry::UNIONS).
    pub union_code: Option<String>,
    /// Preferred or spoken language (ISO 639 code).
    pub language: Option<String>,
    /// present or missing.
    pub list_status: Option<String>,
    /// good-standing, member or lapsed.
    pub standing: Option<String>,
}

/// Members matching `filter` within `scope`, ordered by last then first name.
pub fn member_page(
    conn: &Connection,
    scope: &MemberScope,
    filter: &MemberFilter,
    page: &PageParams,
) -> Result<Page<Member>> {
    member_page_among(conn, scope, filter, page, None, None)
}

/// [`member_page`], with the search already answered: `among` is the JSON array of the ids
/// whose names or email contain the search text ([`crate::store::search`]), used instead of
/// the `LIKE`s when given. With `totals`, the count of a listing without a search is kept in
/// that store's read cache until the next write (`store::cache`): counting every present member
/// was two fifths of the member list's time at 20,000 members (docs/performance.md).
pub fn member_page_among(
    conn: &Connection,
    scope: &MemberScope,
    filter: &MemberFilter,
    page: &PageParams,
    among: Option<&str>,
    totals: Option<&crate::store::Store>,
) -> Result<Page<Member>> {
    let (limit, offset) = page.limit_offset()?;
    let mut args = Vec::new();
    let mut conds = vec![member_scope_sql(scope, "m.id", &mut args)];
    let text = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    // With the ids given, the query starts from them (CROSS JOIN keeps that order): a few
    // hundred rowid lookups instead of a walk over every member's index entry.
    let from = match among {
        Some(ids) => {
            args.insert(0, Value::Text(ids.to_owned()));
            "json_each(?) j CROSS JOIN members m ON m.id = j.value"
        }
        None => "members m",
    };
    if among.is_none()
        && let Some(s) = text(&filter.search)
    {
        let p = like_pattern(&s);
        conds.push(
            "(lower(m.first_name) LIKE ? ESCAPE '\\' OR lower(m.last_name) LIKE ? ESCAPE '\\' \
             OR m.email_norm LIKE ? ESCAPE '\\')"
                .into(),
        );
        args.extend([
            Value::Text(p.clone()),
            Value::Text(p.clone()),
            Value::Text(p),
        ]);
    }
    if let Some(p) = filter.pod {
        conds.push(
            "EXISTS (SELECT 1 FROM pod_members fp WHERE fp.member_id = m.id AND fp.pod_id = ?)"
                .into(),
        );
        args.push(Value::Integer(p));
    }
    if let Some(w) = filter.workplace {
        conds.push(
            "EXISTS (SELECT 1 FROM member_workplaces fw WHERE fw.member_id = m.id \
             AND fw.workplace_id = ?)"
                .into(),
        );
        args.push(Value::Integer(w));
    }
    if let Some(s) = text(&filter.sector) {
        conds.push(
            "EXISTS (SELECT 1 FROM member_workplaces fw JOIN workplaces w ON w.id = fw.workplace_id \
             WHERE fw.member_id = m.id AND fw.is_primary = 1 AND w.sector = ?)"
                .into(),
        );
        args.push(Value::Text(s));
    }
    if let Some(st) = filter.stage {
        conds.push(
            "EXISTS (SELECT 1 FROM member_workplaces fw JOIN workplaces w ON w.id = fw.workplace_id \
             WHERE fw.member_id = m.id AND fw.is_primary = 1 AND w.stage = ?)"
                .into(),
        );
        args.push(Value::Integer(st));
    }
    if let Some(r) = text(&filter.union_role) {
        conds.push("m.union_role = ?".into());
        args.push(Value::Text(r));
    }
    if let Some(c) = text(&filter.union_code) {
        conds.push("m.union_code = ?".into());
        args.push(Value::Text(c));
    }
    if let Some(l) = text(&filter.language) {
        let l = l.to_lowercase();
        conds.push(
            "(m.preferred_language = ? OR (',' || m.languages || ',') LIKE ? ESCAPE '\\')".into(),
        );
        args.push(Value::Text(l.clone()));
        args.push(Value::Text(format!(
            "%,{},%",
            like_pattern(&l).trim_matches('%')
        )));
    }
    if let Some(s) = text(&filter.list_status) {
        conds.push("m.list_status = ?".into());
        args.push(Value::Text(s));
    }
    if let Some(s) = text(&filter.standing) {
        conds.push("m.standing = ?".into());
        args.push(Value::Text(s));
    }
    let cond = conds.join(" AND ");
    let count_sql = format!("SELECT count(*) FROM {from} WHERE {cond}");
    let count = |conn: &Connection| -> Result<i64> {
        Ok(conn
            .prepare_cached(&count_sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?)
    };
    let total: i64 = match totals {
        // The key is the query and its arguments: one slot per scope and filter.
        Some(store) if among.is_none() && text(&filter.search).is_none() => *store.cached_on(
            conn,
            &format!("members:total:{cond}:{args:?}"),
            crate::web::ui::shared::CACHE_TTL,
            count,
        )?,
        _ => count(conn)?,
    };
    let columns = qualified_columns();
    let key = "(lower(m.last_name), lower(m.first_name), m.id)";
    let cursor = match (page.after, page.before) {
        (Some(id), _) => sort_key(conn, scope, id)?.map(|k| (k, true)),
        (None, Some(id)) => sort_key(conn, scope, id)?.map(|k| (k, false)),
        (None, None) => None,
    };
    let backwards = matches!(cursor, Some((_, false)));
    let items = match cursor {
        // Keyset: from the cursor's place in the list's order, in the index's order (forwards
        // for `after`, backwards for `before`), never skipping rows.
        Some(((last, first, id), forwards)) => {
            let (op, order) = if forwards {
                (">", "ASC")
            } else {
                ("<", "DESC")
            };
            // The row value alone does not bound the index's range (SQLite walked every entry
            // before the cursor: slower than the offset); its first column, repeated as a plain
            // comparison, does (0.06 against 1.6 ms for page 301 of 20,000, measured).
            args.extend([
                Value::Text(last.clone()),
                Value::Text(last),
                Value::Text(first),
                Value::Integer(id),
            ]);
            args.push(Value::Integer(limit));
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {columns} FROM {from} WHERE {cond} AND lower(m.last_name) {op}= ?
                 AND {key} {op} (?, ?, ?)
                 ORDER BY lower(m.last_name) {order}, lower(m.first_name) {order}, m.id {order}
                 LIMIT ?"
            ))?;
            let mut items = stmt
                .query_map(params_from_iter(args.iter()), members::from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if !forwards {
                items.reverse();
            }
            items
        }
        None => {
            args.push(Value::Integer(limit));
            args.push(Value::Integer(offset));
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {columns} FROM {from} WHERE {cond}
                 ORDER BY lower(m.last_name), lower(m.first_name), m.id LIMIT ? OFFSET ?"
            ))?;
            stmt.query_map(params_from_iter(args.iter()), members::from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
    };
    let (page_no, per_page) = page.resolve()?;
    // Fewer than a page before the cursor: that is the start of the list (members were
    // removed meanwhile, or the link was not from page 2), so show the first page as it is.
    if backwards && i64::try_from(items.len()).unwrap_or(0) < per_page && page_no != 1 {
        return member_page_among(
            conn,
            scope,
            filter,
            &PageParams {
                page: Some(1),
                per_page: Some(per_page),
                ..PageParams::default()
            },
            among,
            totals,
        );
    }
    Ok(Page {
        items,
        page: page_no,
        per_page,
        total,
    })
}

/// The list's sort key of member `id` (lowercased last and first name, id), if the member
/// exists and is within `scope`: a keyset cursor outside the scope is not a way to learn where
/// a hidden member's name sorts.
fn sort_key(
    conn: &Connection,
    scope: &MemberScope,
    id: i64,
) -> Result<Option<(String, String, i64)>> {
    use rusqlite::OptionalExtension as _;
    let mut args = vec![Value::Integer(id)];
    let cond = member_scope_sql(scope, "m.id", &mut args);
    Ok(conn
        .prepare_cached(&format!(
            "SELECT lower(m.last_name), lower(m.first_name), m.id FROM members m \
             WHERE m.id = ? AND {cond}"
        ))?
        .query_row(params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

/// [`member_page`] for a search answered from the store's index ([`crate::store::search`]):
/// the count and the page's ids come from the index, and only the page's rows are read. `None`
/// when the index cannot answer it: no search text (or one it does not take), a scope other than
/// every member, or a filter it does not hold (pod, workplace, sector, stage, language); the
/// caller then asks [`member_page_among`]. The same members, order and count as
/// [`member_page`] (tested in `tests/member_search.rs`).
pub fn member_page_indexed(
    conn: &Connection,
    index: &crate::store::search::MemberIndex,
    scope: &MemberScope,
    filter: &MemberFilter,
    page: &PageParams,
) -> Result<Option<Page<Member>>> {
    use crate::store::search::{Wanted, needle};
    let (limit, offset) = page.limit_offset()?;
    fn text(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let Some(search) = text(&filter.search) else {
        return Ok(None);
    };
    if !matches!(scope, MemberScope::All)
        || filter.pod.is_some()
        || filter.workplace.is_some()
        || text(&filter.sector).is_some()
        || filter.stage.is_some()
        || text(&filter.language).is_some()
    {
        return Ok(None);
    }
    let wanted = Wanted {
        list_status: text(&filter.list_status),
        standing: text(&filter.standing),
        union_role: text(&filter.union_role),
        union_code: text(&filter.union_code),
    };
    let (Ok(offset), Ok(limit)) = (usize::try_from(offset), usize::try_from(limit)) else {
        return Ok(None);
    };
    let Some((total, ids)) = index.page(&needle(search), &wanted, offset, limit) else {
        return Ok(None);
    };
    let (page, per_page) = page.resolve()?;
    Ok(Some(Page {
        items: members_in_order(conn, &ids)?,
        page,
        per_page,
        total: i64::try_from(total).unwrap_or(i64::MAX),
    }))
}

/// The member columns qualified by `m.`: `json_each` has columns of the same names (id, ...).
/// Made once, not at every list page.
fn qualified_columns() -> &'static str {
    static COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        members::COLUMNS
            .split(',')
            .map(|c| format!("m.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    });
    &COLUMNS
}

/// Members `ids`, in that order (one that no longer exists is left out).
fn members_in_order(conn: &Connection, ids: &[i64]) -> Result<Vec<Member>> {
    let columns = qualified_columns();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns} FROM json_each(?) j CROSS JOIN members m ON m.id = j.value \
         ORDER BY j.key"
    ))?;
    let items = stmt
        .query_map(
            params![crate::store::search::json_ids(ids)],
            members::from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(items)
}

/// Whether member `id` exists and is within `scope`.
pub fn member_visible(conn: &Connection, scope: &MemberScope, id: i64) -> Result<bool> {
    let mut args = vec![Value::Integer(id)];
    let cond = member_scope_sql(scope, "m.id", &mut args);
    Ok(conn.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM members m WHERE m.id = ? AND {cond})"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?)
}

/// `Ok` if member `id` is visible, else [`Error::NotFound`] (the same answer as for a member
/// that does not exist, so ids outside the scope reveal nothing).
pub fn require_member(conn: &Connection, scope: &MemberScope, id: i64) -> Result<()> {
    if member_visible(conn, scope, id)? {
        Ok(())
    } else {
        Err(Error::not_found(format!("member {id}")))
    }
}

/// A member's pod.
#[derive(Clone, Debug, Serialize)]
pub struct PodRef {
    /// Pod id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Whether the member leads it.
    pub lead: bool,
}

/// A member with what hangs off them.
#[derive(Clone, Debug, Serialize)]
pub struct MemberDetail {
    /// The member.
    pub member: Member,
    /// Their workplaces (primary first).
    pub workplaces: Vec<Link>,
    /// Their pods.
    pub pods: Vec<PodRef>,
    /// Trainings completed: (code, date).
    pub trainings: Vec<(String, String)>,
}

/// One member with links, pods and trainings; 404 outside the scope.
pub fn member_detail(conn: &Connection, scope: &MemberScope, id: i64) -> Result<MemberDetail> {
    require_member(conn, scope, id)?;
    let member = members::get(conn, id)?;
    let pods = conn
        .prepare_cached(
            "SELECT p.id, p.name, pm.is_lead FROM pod_members pm JOIN pods p ON p.id = pm.pod_id
             WHERE pm.member_id = ?1 ORDER BY p.name",
        )?
        .query_map(params![id], |r| {
            Ok(PodRef {
                id: r.get(0)?,
                name: r.get(1)?,
                lead: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(MemberDetail {
        member,
        workplaces: workplaces::links_of_member(conn, id)?,
        pods,
        trainings: trainings::completions_of(conn, id)?,
    })
}

/// Workplace list filters.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct WorkplaceFilter {
    /// Substring of employer, site or city.
    pub search: Option<String>,
    /// NAICS sector code.
    pub sector: Option<String>,
    /// Organizing stage 0-5.
    pub stage: Option<i64>,
    /// USPS state.
    pub state: Option<String>,
}

/// Workplaces matching `filter` within `scope`, by employer.
pub fn workplace_page(
    conn: &Connection,
    scope: &MemberScope,
    filter: &WorkplaceFilter,
    page: &PageParams,
) -> Result<Page<Workplace>> {
    let (limit, offset) = page.limit_offset()?;
    let mut args = Vec::new();
    let mut conds = vec![workplace_scope_sql(scope, "w.id", &mut args)];
    if let Some(s) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        let p = like_pattern(s);
        conds.push(
            "(lower(w.employer) LIKE ? ESCAPE '\\' OR lower(w.site) LIKE ? ESCAPE '\\' \
             OR lower(w.city) LIKE ? ESCAPE '\\')"
                .into(),
        );
        args.extend([
            Value::Text(p.clone()),
            Value::Text(p.clone()),
            Value::Text(p),
        ]);
    }
    if let Some(s) = filter.sector.as_deref().filter(|s| !s.is_empty()) {
        conds.push("w.sector = ?".into());
        args.push(Value::Text(s.to_owned()));
    }
    if let Some(st) = filter.stage {
        conds.push("w.stage = ?".into());
        args.push(Value::Integer(st));
    }
    if let Some(s) = filter.state.as_deref().filter(|s| !s.is_empty()) {
        conds.push("w.state = ?".into());
        args.push(Value::Text(s.to_uppercase()));
    }
    let cond = conds.join(" AND ");
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM workplaces w WHERE {cond}"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    args.push(Value::Integer(limit));
    args.push(Value::Integer(offset));
    let ids = conn
        .prepare_cached(&format!(
            "SELECT w.id FROM workplaces w WHERE {cond}
             ORDER BY lower(w.employer), lower(w.site), w.id LIMIT ? OFFSET ?"
        ))?
        .query_map(params_from_iter(args.iter()), |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let items = ids
        .into_iter()
        .map(|id| workplaces::get(conn, id))
        .collect::<Result<Vec<_>>>()?;
    let (page, per_page) = page.resolve()?;
    Ok(Page {
        items,
        page,
        per_page,
        total,
    })
}

/// Whether workplace `id` exists and is within `scope`.
pub fn workplace_visible(conn: &Connection, scope: &MemberScope, id: i64) -> Result<bool> {
    let mut args = vec![Value::Integer(id)];
    let cond = workplace_scope_sql(scope, "w.id", &mut args);
    Ok(conn.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM workplaces w WHERE w.id = ? AND {cond})"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?)
}

/// `Ok` if workplace `id` is visible, else [`Error::NotFound`].
pub fn require_workplace(conn: &Connection, scope: &MemberScope, id: i64) -> Result<()> {
    if workplace_visible(conn, scope, id)? {
        Ok(())
    } else {
        Err(Error::not_found(format!("workplace {id}")))
    }
}

/// A workplace with its history, recruitment total and the visible members linked to it.
#[derive(Clone, Debug, Serialize)]
pub struct WorkplaceDetail {
    /// The workplace.
    pub workplace: Workplace,
    /// Stage history, oldest first.
    pub history: Vec<StageChange>,
    /// Coworkers recruited there, in total.
    pub recruited: i64,
    /// Members (within the viewer's scope) linked to it.
    pub member_ids: Vec<i64>,
}

/// One workplace in detail; 404 outside the scope.
pub fn workplace_detail(
    conn: &Connection,
    scope: &MemberScope,
    id: i64,
) -> Result<WorkplaceDetail> {
    require_workplace(conn, scope, id)?;
    let mut args = vec![Value::Integer(id)];
    let cond = member_scope_sql(scope, "mw.member_id", &mut args);
    let member_ids = conn
        .prepare(&format!(
            "SELECT mw.member_id FROM member_workplaces mw WHERE mw.workplace_id = ? AND {cond}
             ORDER BY mw.member_id"
        ))?
        .query_map(params_from_iter(args.iter()), |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(WorkplaceDetail {
        workplace: workplaces::get(conn, id)?,
        history: workplaces::stage_history(conn, id)?,
        recruited: recruitments::total_at(conn, id)?,
        member_ids,
    })
}

/// Pods within the scope: all for organizers and admins, the led ones for pod leads.
pub fn visible_pods(conn: &Connection, scope: &MemberScope) -> Result<Vec<pods::Pod>> {
    Ok(within_scope(pods::list(conn)?, scope))
}

fn within_scope(all: Vec<pods::Pod>, scope: &MemberScope) -> Vec<pods::Pod> {
    match scope {
        MemberScope::All => all,
        MemberScope::Pods(ids) => all.into_iter().filter(|p| ids.contains(&p.id)).collect(),
        MemberScope::None => Vec::new(),
    }
}

/// Every pod with its members, kept in `store`'s read cache until the next write
/// (`store::cache`): the member pages read them on every view, one query per pod.
pub fn all_pods_cached(
    conn: &Connection,
    store: &crate::store::Store,
) -> Result<std::sync::Arc<Vec<pods::Pod>>> {
    store.cached_on(conn, "pods", crate::web::ui::shared::CACHE_TTL, pods::list)
}

/// [`visible_pods`], from the cached list ([`all_pods_cached`]).
pub fn visible_pods_cached(
    conn: &Connection,
    store: &crate::store::Store,
    scope: &MemberScope,
) -> Result<Vec<pods::Pod>> {
    Ok(within_scope(
        all_pods_cached(conn, store)?.as_ref().clone(),
        scope,
    ))
}
