//! Searching members by a substring of their names or email without reading every row for each
//! search.
//!
//! The member list's search is a case-insensitive substring of the first name, the last name or
//! the normalised email (`web::query::member_page`). As SQL that is three `LIKE '%…%'` per row,
//! which no B-tree index can answer: at 20,000 members each search read every index entry twice
//! (the count and the page), about 30 ms of processor time. An FTS5 trigram index answers it
//! from the index, but keeping one up to date made a 20,000-row import several times slower.
//!
//! [`MemberIndex`] is the three fields of every member, lowercased as the SQL compares them, in
//! one string (about 45 bytes a member: 1 MB at 20,000). A search finds the matching ids in it
//! (a fraction of a millisecond) and the page's query takes them as a set. The store keeps the
//! index in its read cache ([`super::cache`]): rebuilt after the next write through the store
//! or after [`TTL`], like the dashboard.
//!
//! **The same members as the SQL.** SQLite's `lower()` and `LIKE` fold ASCII letters only; the
//! search text is lowercased with Unicode rules first (as `member_page` does). So a member
//! matches when the ASCII-lowercased field contains the lowercased text, exactly the rows the
//! `LIKE`s select (tested against them in `tests/member_search.rs`).

use std::time::Duration;

use rusqlite::Connection;

use crate::error::Result;

/// How long an index is served at most when nothing was written through this store.
pub const TTL: Duration = Duration::from_secs(60);

/// Key of the index in the store's read cache.
pub const CACHE_KEY: &str = "member-search-index";

/// More matches than this are left to the SQL: a page of them is then found by walking the
/// name index in order, no slower than a lookup of each.
pub const MAX_IDS: usize = 2_000;

/// Separates fields in the haystack: no search text contains it (see [`MemberIndex::matching`]).
const SEP: char = '\0';

/// Every member's searchable fields, lowercased as the list's SQL compares them, with what the
/// list needs to filter, count and order a search's matches without reading their rows.
#[derive(Debug, Default)]
pub struct MemberIndex {
    /// `first SEP last SEP email SEP`, for every member in `ids` order.
    hay: String,
    /// Byte offset of each member's fields in `hay`.
    starts: Vec<u32>,
    /// Member ids.
    ids: Vec<i64>,
    /// Each member's place in the list's order, `lower(last_name), lower(first_name), id`.
    rank: Vec<u32>,
    /// Each member's `list_status`, `standing`, `union_role` and `union_code`, as places in
    /// `values` (8 bytes a member).
    attrs: Vec<[u16; ATTRS]>,
    /// The distinct values of those columns (a handful: they are codes).
    values: Vec<Option<String>>,
}

/// Columns kept per member for the list's filters (see [`Wanted`]).
const ATTRS: usize = 4;

/// The list's filters the index answers, each the exact value asked for (the SQL's `col = ?`);
/// `None` when not filtered on.
#[derive(Clone, Copy, Debug, Default)]
pub struct Wanted<'a> {
    /// `list_status = ?`.
    pub list_status: Option<&'a str>,
    /// `standing = ?`.
    pub standing: Option<&'a str>,
    /// `union_role = ?`.
    pub union_role: Option<&'a str>,
    /// `union_code = ?`.
    pub union_code: Option<&'a str>,
}

/// The text a search looks for: trimmed and lowercased, as `member_page` makes its pattern.
pub fn needle(text: &str) -> String {
    text.trim().to_lowercase()
}

impl MemberIndex {
    /// Reads every member's names and email.
    pub fn build(conn: &Connection) -> Result<MemberIndex> {
        let mut stmt = conn.prepare_cached(
            "SELECT id, first_name, last_name, coalesce(email_norm, ''), \
             list_status, standing, union_role, union_code FROM members ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut index = MemberIndex::default();
        // (lower(last_name), lower(first_name)) of each member, to rank them.
        let mut keys: Vec<(String, String)> = Vec::new();
        while let Some(r) = rows.next()? {
            let Ok(start) = u32::try_from(index.hay.len()) else {
                // Over 4 GB of names: not a chapter; the caller falls back to SQL.
                return Ok(MemberIndex::default());
            };
            index.starts.push(start);
            index.ids.push(r.get(0)?);
            let mut lowered = [String::new(), String::new(), String::new()];
            for (i, low) in lowered.iter_mut().enumerate() {
                let v = r.get_ref(i + 1)?;
                // SQLite's lower(): ASCII letters only.
                *low = v.as_str().unwrap_or("").to_ascii_lowercase();
                index.hay.push_str(low);
                index.hay.push(SEP);
            }
            let [first, last, _] = lowered;
            keys.push((last, first));
            let mut attrs = [0u16; ATTRS];
            for (i, a) in attrs.iter_mut().enumerate() {
                let v: Option<String> = r.get(i + 4)?;
                *a = match index.values.iter().position(|x| *x == v) {
                    Some(at) => u16::try_from(at).unwrap_or(u16::MAX),
                    None => {
                        index.values.push(v);
                        u16::try_from(index.values.len() - 1).unwrap_or(u16::MAX)
                    }
                };
            }
            if index.values.len() >= usize::from(u16::MAX) {
                // Not codes: the caller falls back to SQL.
                return Ok(MemberIndex::default());
            }
            index.attrs.push(attrs);
        }
        // The list's order: ORDER BY lower(last_name), lower(first_name), id. SQLite compares
        // the lowered text byte by byte (BINARY), as Rust compares strings; ids are ascending
        // within `keys`, so a stable sort breaks ties by id.
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|a, b| keys.get(*a).cmp(&keys.get(*b)));
        index.rank = vec![0; keys.len()];
        for (rank, at) in order.into_iter().enumerate() {
            if let Some(r) = index.rank.get_mut(at) {
                *r = u32::try_from(rank).unwrap_or(u32::MAX);
            }
        }
        index.hay.shrink_to_fit();
        index.starts.shrink_to_fit();
        index.ids.shrink_to_fit();
        index.attrs.shrink_to_fit();
        Ok(index)
    }

    /// The place in `values` of `want`: `Some(None)` when no member has that value.
    fn code_of(&self, want: Option<&str>) -> Option<Option<u16>> {
        let want = want?;
        Some(
            self.values
                .iter()
                .position(|v| v.as_deref() == Some(want))
                .and_then(|at| u16::try_from(at).ok()),
        )
    }

    /// One page of the members one of whose fields contains `needle` (already [`needle`]d)
    /// and who have the `wanted` values, in the list's order: (how many there are in all, the
    /// ids of the `limit` from `offset`). `None` when the index cannot answer ([`matching`]).
    ///
    /// [`matching`]: MemberIndex::matching
    pub fn page(
        &self,
        needle: &str,
        wanted: &Wanted<'_>,
        offset: usize,
        limit: usize,
    ) -> Option<(usize, Vec<i64>)> {
        let codes = [
            self.code_of(wanted.list_status),
            self.code_of(wanted.standing),
            self.code_of(wanted.union_role),
            self.code_of(wanted.union_code),
        ];
        let mut found = self.matching_at(needle)?;
        found.retain(|at| {
            let Some(attrs) = self.attrs.get(*at) else {
                return false;
            };
            codes.iter().zip(attrs).all(|(want, has)| match want {
                None => true,
                Some(code) => *code == Some(*has),
            })
        });
        let total = found.len();
        found.sort_unstable_by_key(|at| self.rank.get(*at).copied().unwrap_or(u32::MAX));
        let ids = found
            .into_iter()
            .skip(offset)
            .take(limit)
            .filter_map(|at| self.ids.get(at).copied())
            .collect();
        Some((total, ids))
    }

    /// Members indexed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no member is indexed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Ids of the members one of whose fields contains `needle` (already [`needle`]d), in id
    /// order; `None` when the index cannot answer (an empty text, or one containing the
    /// separator), and the caller searches with SQL.
    pub fn matching(&self, needle: &str) -> Option<Vec<i64>> {
        Some(
            self.matching_at(needle)?
                .into_iter()
                .filter_map(|at| self.ids.get(at).copied())
                .collect(),
        )
    }

    /// [`MemberIndex::matching`], as places in `ids`.
    fn matching_at(&self, needle: &str) -> Option<Vec<usize>> {
        if needle.is_empty() || needle.contains(SEP) {
            return None;
        }
        let mut out = Vec::new();
        let mut from = 0usize;
        // One vectorised pass over the haystack's bytes. A UTF-8 needle matches a UTF-8
        // haystack only at character boundaries, so the bytes find what `str::find` would.
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let hay = self.hay.as_bytes();
        while let Some(found) = hay.get(from..).and_then(|h| finder.find(h)) {
            let at = from + found;
            // The member whose fields hold `at`: the last start at or before it.
            let i = self
                .starts
                .partition_point(|s| usize::try_from(*s).unwrap_or(usize::MAX) <= at)
                .saturating_sub(1);
            out.push(i);
            // On to the next member: one match is enough.
            from = match self.starts.get(i + 1) {
                Some(next) => usize::try_from(*next).unwrap_or(usize::MAX),
                None => break,
            };
        }
        Some(out)
    }
}

/// `ids` as a JSON array, for `m.id IN (SELECT value FROM json_each(?))`.
pub fn json_ids(ids: &[i64]) -> String {
    let mut s = String::with_capacity(ids.len() * 7 + 2);
    s.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&id.to_string());
    }
    s.push(']');
    s
}
