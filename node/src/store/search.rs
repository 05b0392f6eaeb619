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

/// Every member's searchable fields, lowercased as the list's SQL compares them.
#[derive(Debug, Default)]
pub struct MemberIndex {
    /// `first SEP last SEP email SEP`, for every member in `ids` order.
    hay: String,
    /// Byte offset of each member's fields in `hay`.
    starts: Vec<u32>,
    /// Member ids.
    ids: Vec<i64>,
}

/// The text a search looks for: trimmed and lowercased, as `member_page` makes its pattern.
pub fn needle(text: &str) -> String {
    text.trim().to_lowercase()
}

impl MemberIndex {
    /// Reads every member's names and email.
    pub fn build(conn: &Connection) -> Result<MemberIndex> {
        let mut stmt = conn.prepare_cached(
            "SELECT id, first_name, last_name, coalesce(email_norm, '') FROM members ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut index = MemberIndex::default();
        while let Some(r) = rows.next()? {
            let Ok(start) = u32::try_from(index.hay.len()) else {
                // Over 4 GB of names: not a chapter; the caller falls back to SQL.
                return Ok(MemberIndex::default());
            };
            index.starts.push(start);
            index.ids.push(r.get(0)?);
            for i in 1..=3 {
                let v = r.get_ref(i)?;
                let s = v.as_str().unwrap_or("");
                // SQLite's lower(): ASCII letters only.
                index.hay.extend(s.chars().map(|c| c.to_ascii_lowercase()));
                index.hay.push(SEP);
            }
        }
        index.hay.shrink_to_fit();
        index.starts.shrink_to_fit();
        index.ids.shrink_to_fit();
        Ok(index)
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
        if needle.is_empty() || needle.contains(SEP) {
            return None;
        }
        let mut out = Vec::new();
        let mut from = 0usize;
        while let Some(found) = self.hay.get(from..).and_then(|h| h.find(needle)) {
            let at = from + found;
            // The member whose fields hold `at`: the last start at or before it.
            let i = self
                .starts
                .partition_point(|s| usize::try_from(*s).unwrap_or(usize::MAX) <= at)
                .saturating_sub(1);
            if let Some(id) = self.ids.get(i) {
                out.push(*id);
            }
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
