//! Login throttling that strangers cannot turn against real users.
//!
//! The state lives in SQLite (migration 3), not in the server's memory: `shopfloor-hub user
//! unlock NAME` clears a lock the running server sees, a restart forgets nothing, and every
//! row has an expiry. The design is OWASP's answer to the lockout dilemma, with device cookies
//! ("Slow Down Online Guessing Attacks with Device Cookies"):
//!
//! - **One account from one address** (`pair`): 5 failures, then a lock of one minute that
//!   doubles with each further failure, up to an hour. A success from that address clears it.
//! - **One address across accounts** (`address`): 20 failures, then the same backoff.
//! - **One account across addresses** (`account`): counts only the first 5 failures of each
//!   address (so no single address can trip it); at 10 the account is locked for 15 minutes
//!   (doubling up to an hour) against *unknown clients* only.
//! - **Device tokens**: a successful login gives the browser a random token (a cookie, 90 days,
//!   stored hashed, tied to the account). A request carrying a valid one for the account it
//!   names skips every lock above and is checked; its failures count on the token alone (5,
//!   then the backoff). Strangers can slow guessing down, but cannot keep out a user who has
//!   logged in from that browser before; an admin clears the rest with `user unlock`.
//! - **Unknown user names** create no per-name state: they count against their address, a
//!   per-address bucket all unknown names share (same rule as `pair`), and a global budget of
//!   checks per minute, which bounds the argon2 work spent on made-up names. Once the budget is
//!   spent, unknown names are refused; names that exist are still checked, so **a global cap
//!   never refuses valid credentials** (the work they cause is bounded by the account limit).
//! - **Bounded**: expired rows are pruned on every write. Rows only an address owns
//!   (`address`, `unknown`) are capped at [`LoginLimiter::max_address_rows`], the least
//!   recently failing unlocked one evicted first. Rows about accounts are never evicted (their
//!   number is bounded by the accounts and the account limit), so a full table never stops the
//!   limiting of a real account.
//!
//! Enrollment (`POST /api/v1/enroll`) is limited per address (10 wrong invite codes, then the
//! backoff) and per existing invite code (5 failures), never globally: no stranger can block
//! every chapter's enrollment.
//!
//! The node keeps the same design in `node/src/web/throttle.rs` (the crates share no code but
//! `protocol`, which must stay pure).
//!
//! One file of about 800 lines, nearly half of them tests: the limits, the SQL that keeps them
//! and the tests that attack them are read together.

use std::net::IpAddr;

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::error::Result;
use crate::secret::{hash_secret, random_token};

/// One counter's rule: after `threshold` failures, attempts are refused for `base_secs`,
/// doubling with each further failure up to `max_secs`; the count is forgotten `memory_secs`
/// after the last failure (and never while locked).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Failures before the first lock.
    pub threshold: u32,
    /// The first lock, in seconds.
    pub base_secs: i64,
    /// The longest lock, in seconds.
    pub max_secs: i64,
    /// Seconds without a failure after which the count starts again.
    pub memory_secs: i64,
}

impl Rule {
    /// How long `failures` failures lock for (0: not locked).
    pub fn lock_secs(&self, failures: u32) -> i64 {
        if failures < self.threshold {
            return 0;
        }
        let doublings = (failures - self.threshold).min(32);
        self.base_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.max_secs)
    }
}

/// The limits (see the module documentation). Tests shrink them; the state is in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimiter {
    /// One account from one address; also all unknown names from one address.
    pub pair: Rule,
    /// One address across accounts.
    pub address: Rule,
    /// One account across addresses, against clients without a device token.
    pub account: Rule,
    /// One device token.
    pub device: Rule,
    /// Failed checks of unknown user names per minute, all addresses together.
    pub unknown_per_minute: u32,
    /// Most rows that only an address owns.
    pub max_address_rows: u32,
    /// Device tokens last this long, in seconds.
    pub device_secs: i64,
    /// Device tokens kept per user (the oldest go first).
    pub devices_per_user: u32,
    /// Wrong invite codes from one address.
    pub enroll_address: Rule,
    /// Failed enrollments with one existing (used or expired) invite code.
    pub enroll_code: Rule,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        let hour = 3600;
        LoginLimiter {
            pair: Rule {
                threshold: 5,
                base_secs: 60,
                max_secs: hour,
                memory_secs: 24 * hour,
            },
            address: Rule {
                threshold: 20,
                base_secs: 60,
                max_secs: hour,
                memory_secs: hour,
            },
            account: Rule {
                threshold: 10,
                base_secs: 15 * 60,
                max_secs: hour,
                memory_secs: 24 * hour,
            },
            device: Rule {
                threshold: 5,
                base_secs: 60,
                max_secs: hour,
                memory_secs: 24 * hour,
            },
            unknown_per_minute: 60,
            max_address_rows: 10_000,
            device_secs: 90 * 24 * hour,
            devices_per_user: 10,
            enroll_address: Rule {
                threshold: 10,
                base_secs: 60,
                max_secs: hour,
                memory_secs: hour,
            },
            enroll_code: Rule {
                threshold: 5,
                base_secs: 60,
                max_secs: hour,
                memory_secs: 24 * hour,
            },
        }
    }
}

/// The window of the global budget on unknown names, in seconds.
const GLOBAL_WINDOW: i64 = 60;

/// The part of an address a limit counts: an IPv4 address, or the /64 network of an IPv6
/// address (one subscriber's allocation: counting single IPv6 addresses would give an attacker
/// 2^64 fresh ones). IPv4-mapped IPv6 addresses count as IPv4.
pub fn address_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// What [`LoginLimiter::assess`] found before any password was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The user name as given.
    pub name: String,
    /// The client's address ([`address_key`]).
    pub address: String,
    /// The account's row id, if the name exists.
    pub user_id: Option<i64>,
    /// The hash of the valid, unlocked device token for this account the request carried.
    pub device: Option<String>,
    /// Refused: seconds until an attempt can be checked again.
    pub refused: Option<u64>,
}

/// What a recorded failure changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failed {
    /// This failure locked the account against unknown clients (audit it).
    pub account_locked: bool,
}

struct Bumped {
    failures: u32,
    newly_locked: bool,
    created: bool,
}

fn locked_until(conn: &Connection, key: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT locked_until FROM login_throttle WHERE key = ?1")?
        .query_row(params![key], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

fn wait(until: i64, now: i64) -> Option<u64> {
    (until > now).then(|| u64::try_from(until - now).unwrap_or(1).max(1))
}

fn pair_key(name: &str, address: &str) -> String {
    format!("p:{name}|{address}")
}

impl LoginLimiter {
    /// Decides, before any password check, whether a login attempt for `name` from `ip` with
    /// device token `device` (the cookie's value) may be checked.
    pub fn assess(
        &self,
        conn: &Connection,
        name: &str,
        ip: IpAddr,
        device: Option<&str>,
        now: i64,
    ) -> Result<Attempt> {
        let address = address_key(ip);
        let user_id: Option<i64> = conn
            .prepare_cached("SELECT id FROM users WHERE name = ?1")?
            .query_row(params![name], |r| r.get(0))
            .optional()?;
        let mut attempt = Attempt {
            name: name.to_owned(),
            address,
            user_id,
            device: None,
            refused: None,
        };
        if let (Some(id), Some(secret)) = (user_id, device) {
            let hash = hash_secret(secret);
            let unlocked: Option<i64> = conn
                .prepare_cached(
                    "SELECT locked_until FROM device_tokens
                     WHERE token_hash = ?1 AND user_id = ?2 AND expires_at > ?3",
                )?
                .query_row(params![hash, id, now], |r| r.get(0))
                .optional()?;
            if unlocked.is_some_and(|until| until <= now) {
                attempt.device = Some(hash);
                return Ok(attempt);
            }
        }
        let mut until = locked_until(conn, &format!("a:{}", attempt.address))?;
        if user_id.is_some() {
            until = until
                .max(locked_until(conn, &pair_key(name, &attempt.address))?)
                .max(locked_until(conn, &format!("u:{name}"))?);
        } else {
            until = until.max(locked_until(conn, &format!("q:{}", attempt.address))?);
            let global: Option<(u32, i64)> = conn
                .prepare_cached("SELECT failures, first_at FROM login_throttle WHERE key = 'g'")?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((n, since)) = global
                && n >= self.unknown_per_minute
                && now - since < GLOBAL_WINDOW
            {
                until = until.max(since + GLOBAL_WINDOW);
            }
        }
        attempt.refused = wait(until, now);
        Ok(attempt)
    }

    /// Records a failed check of `attempt` (one write transaction with the audit entry).
    pub fn record_failure(&self, conn: &Connection, attempt: &Attempt, now: i64) -> Result<Failed> {
        let mut out = Failed::default();
        conn.execute(
            "DELETE FROM login_throttle WHERE expires_at <= ?1",
            params![now],
        )?;
        if let Some(hash) = &attempt.device {
            let row: Option<(u32, i64)> = conn
                .query_row(
                    "SELECT failures, last_failed_at FROM device_tokens WHERE token_hash = ?1",
                    params![hash],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let failures = match row {
                Some((n, last)) if now - last <= self.device.memory_secs => n.saturating_add(1),
                _ => 1,
            };
            let lock = self.device.lock_secs(failures);
            conn.execute(
                "UPDATE device_tokens SET failures = ?2, last_failed_at = ?3, locked_until = ?4
                 WHERE token_hash = ?1",
                params![hash, failures, now, if lock > 0 { now + lock } else { 0 }],
            )?;
            return Ok(out);
        }
        let address = &attempt.address;
        let a = self.bump(
            conn,
            &format!("a:{address}"),
            "address",
            None,
            self.address,
            now,
        )?;
        let mut evictable = a.created;
        if attempt.user_id.is_some() {
            let name = attempt.name.as_str();
            let pair = self.bump(
                conn,
                &pair_key(name, address),
                "pair",
                Some(name),
                self.pair,
                now,
            )?;
            if pair.failures <= self.pair.threshold {
                let account = self.bump(
                    conn,
                    &format!("u:{name}"),
                    "account",
                    Some(name),
                    self.account,
                    now,
                )?;
                out.account_locked = account.newly_locked;
            }
        } else {
            let q = self.bump(
                conn,
                &format!("q:{address}"),
                "unknown",
                None,
                self.pair,
                now,
            )?;
            evictable |= q.created;
            conn.execute(
                "INSERT INTO login_throttle
                     (key, kind, failures, first_at, last_at, expires_at)
                 VALUES ('g', 'global', 1, ?1, ?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET
                     failures = CASE WHEN ?1 - first_at >= ?3 THEN 1 ELSE failures + 1 END,
                     first_at = CASE WHEN ?1 - first_at >= ?3 THEN ?1 ELSE first_at END,
                     last_at = ?1,
                     expires_at = CASE WHEN ?1 - first_at >= ?3 THEN ?2 ELSE expires_at END",
                params![now, now + GLOBAL_WINDOW, GLOBAL_WINDOW],
            )?;
        }
        if evictable {
            self.evict(conn, now)?;
        }
        Ok(out)
    }

    /// Records a successful login: clears the account's failures from this address and the
    /// device token's; issues a device token to a client that came without a valid one (the
    /// cookie's value is returned).
    pub fn record_success(
        &self,
        conn: &Connection,
        attempt: &Attempt,
        user_id: i64,
        now: i64,
    ) -> Result<Option<String>> {
        conn.execute(
            "DELETE FROM login_throttle WHERE key = ?1",
            params![pair_key(&attempt.name, &attempt.address)],
        )?;
        if let Some(hash) = &attempt.device {
            conn.execute(
                "UPDATE device_tokens SET failures = 0, locked_until = 0 WHERE token_hash = ?1",
                params![hash],
            )?;
            return Ok(None);
        }
        let secret = random_token("sfd_")?;
        conn.execute(
            "DELETE FROM device_tokens WHERE expires_at <= ?1",
            params![now],
        )?;
        conn.execute(
            "INSERT INTO device_tokens (token_hash, user_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![hash_secret(&secret), user_id, now, now + self.device_secs],
        )?;
        conn.execute(
            "DELETE FROM device_tokens WHERE user_id = ?1 AND token_hash NOT IN (
                 SELECT token_hash FROM device_tokens WHERE user_id = ?1
                 ORDER BY created_at DESC LIMIT ?2)",
            params![user_id, self.devices_per_user],
        )?;
        Ok(Some(secret))
    }

    /// Whether someone already logged in as `name` may re-enter their password from `ip` now
    /// (a password change): only the account-from-this-address counter applies.
    pub fn assess_reauth(
        &self,
        conn: &Connection,
        name: &str,
        ip: IpAddr,
        now: i64,
    ) -> Result<Option<u64>> {
        let until = locked_until(conn, &pair_key(name, &address_key(ip)))?;
        Ok(wait(until, now))
    }

    /// Records a wrong current password at a password change.
    pub fn record_reauth_failure(
        &self,
        conn: &Connection,
        name: &str,
        ip: IpAddr,
        now: i64,
    ) -> Result<()> {
        let key = pair_key(name, &address_key(ip));
        self.bump(conn, &key, "pair", Some(name), self.pair, now)?;
        Ok(())
    }

    /// Whether an enrollment from `ip` with invite code `code_hash` may be tried now.
    pub fn assess_enroll(
        &self,
        conn: &Connection,
        ip: IpAddr,
        code_hash: &str,
        now: i64,
    ) -> Result<Option<u64>> {
        let until = locked_until(conn, &format!("e:{}", address_key(ip)))?
            .max(locked_until(conn, &format!("c:{code_hash}"))?);
        Ok(wait(until, now))
    }

    /// Records a refused invite code: against the address always, and against the code when
    /// it exists (`known_code`: used or expired), so the number of code rows is bounded by the
    /// invites table.
    pub fn record_enroll_failure(
        &self,
        conn: &Connection,
        ip: IpAddr,
        code_hash: &str,
        known_code: bool,
        now: i64,
    ) -> Result<()> {
        conn.execute(
            "DELETE FROM login_throttle WHERE expires_at <= ?1",
            params![now],
        )?;
        let e = self.bump(
            conn,
            &format!("e:{}", address_key(ip)),
            "enroll",
            None,
            self.enroll_address,
            now,
        )?;
        if known_code {
            self.bump(
                conn,
                &format!("c:{code_hash}"),
                "code",
                None,
                self.enroll_code,
                now,
            )?;
        }
        if e.created {
            self.evict(conn, now)?;
        }
        Ok(())
    }

    fn bump(
        &self,
        conn: &Connection,
        key: &str,
        kind: &str,
        account: Option<&str>,
        rule: Rule,
        now: i64,
    ) -> Result<Bumped> {
        let prev: Option<(u32, i64, i64)> = conn
            .prepare_cached(
                "SELECT failures, last_at, locked_until FROM login_throttle WHERE key = ?1",
            )?
            .query_row(params![key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let (failures, was_locked) = match prev {
            Some((n, last, until)) if now - last <= rule.memory_secs || until > now => {
                (n.saturating_add(1), until > now)
            }
            _ => (1, false),
        };
        let lock = rule.lock_secs(failures);
        let until = if lock > 0 { now + lock } else { 0 };
        conn.prepare_cached(
            "INSERT INTO login_throttle
                 (key, kind, account, failures, first_at, last_at, locked_until, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)
             ON CONFLICT (key) DO UPDATE SET failures = ?4, last_at = ?5, locked_until = ?6,
                 expires_at = ?7",
        )?
        .execute(params![
            key,
            kind,
            account,
            failures,
            now,
            until,
            (now + rule.memory_secs).max(until)
        ])?;
        Ok(Bumped {
            failures,
            newly_locked: lock > 0 && !was_locked,
            created: prev.is_none(),
        })
    }

    /// Keeps the rows only an address owns within the cap: the least recently failing unlocked
    /// ones go first, locked ones only when no other is left.
    fn evict(&self, conn: &Connection, now: i64) -> Result<()> {
        let n: i64 = conn.query_row(
            "SELECT count(*) FROM login_throttle WHERE kind IN ('address', 'unknown', 'enroll')",
            [],
            |r| r.get(0),
        )?;
        let excess = n - i64::from(self.max_address_rows);
        if excess > 0 {
            conn.execute(
                "DELETE FROM login_throttle WHERE key IN (
                     SELECT key FROM login_throttle WHERE kind IN ('address', 'unknown', 'enroll')
                     ORDER BY locked_until > ?1, last_at LIMIT ?2)",
                params![now, excess],
            )?;
        }
        Ok(())
    }
}

/// Clears every lock and failure count about account `name` (all addresses, the account
/// counter, its device tokens' counts). Returns how many counters it cleared.
pub fn unlock(conn: &Connection, name: &str) -> Result<usize> {
    let n = conn.execute(
        "DELETE FROM login_throttle WHERE account = ?1",
        params![name],
    )?;
    let d = conn.execute(
        "UPDATE device_tokens SET failures = 0, last_failed_at = 0, locked_until = 0
         WHERE user_id = (SELECT id FROM users WHERE name = ?1) AND failures > 0",
        params![name],
    )?;
    Ok(n + d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        crate::users::add(
            &store,
            "victim",
            crate::users::Role::Admin,
            "correct horse battery staple",
        )
        .unwrap();
        (dir, store)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// One attempt: assess, and if allowed, record a failure. Returns whether it was checked.
    fn fail(
        s: &Store,
        l: &LoginLimiter,
        name: &str,
        from: &str,
        device: Option<&str>,
        now: i64,
    ) -> bool {
        s.write(|tx, _| {
            let a = l.assess(tx, name, ip(from), device, now)?;
            if a.refused.is_some() {
                return Ok(false);
            }
            l.record_failure(tx, &a, now)?;
            Ok(true)
        })
        .unwrap()
    }

    fn refused(
        s: &Store,
        l: &LoginLimiter,
        name: &str,
        from: &str,
        device: Option<&str>,
        now: i64,
    ) -> bool {
        s.read(|c| Ok(l.assess(c, name, ip(from), device, now)?.refused.is_some()))
            .unwrap()
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let r = LoginLimiter::default().pair;
        assert_eq!(r.lock_secs(4), 0);
        assert_eq!(r.lock_secs(5), 60);
        assert_eq!(r.lock_secs(6), 120);
        assert_eq!(r.lock_secs(11), 3600);
        assert_eq!(r.lock_secs(u32::MAX), 3600);
    }

    #[test]
    fn ipv6_counts_by_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(address_key(ip("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
        assert_eq!(address_key(ip("2001:db8:1:2:ffff::1")), "2001:db8:1:2::/64");
        assert_eq!(address_key(ip("::ffff:10.1.2.3")), "10.1.2.3");
    }

    #[test]
    fn one_address_cannot_lock_the_account_for_others() {
        let (_d, s) = store();
        let l = LoginLimiter::default();
        let mut now = 1_000_000;
        let mut checked = 0;
        // A patient attacker at one address: every time a lock ends, one more guess, for a day.
        for _ in 0..(24 * 60) {
            if fail(&s, &l, "victim", "10.0.0.66", None, now) {
                checked += 1;
            }
            now += 60;
        }
        assert!(checked < 40, "backoff let {checked} guesses through");
        assert!(refused(&s, &l, "victim", "10.0.0.66", None, now));
        // The real user, elsewhere, is checked.
        assert!(!refused(&s, &l, "victim", "192.0.2.7", None, now));
    }

    #[test]
    fn many_addresses_lock_the_account_except_for_known_devices() {
        let (_d, s) = store();
        let l = LoginLimiter::default();
        let now = 1_000_000;
        let device = s
            .write(|tx, _| {
                let a = l.assess(tx, "victim", ip("192.0.2.7"), None, now)?;
                l.record_success(tx, &a, 1, now)
            })
            .unwrap()
            .unwrap();
        let locked = || s.read(|c| Ok(locked_until(c, "u:victim")? > now)).unwrap();
        for i in 0..10 {
            assert!(!locked(), "locked after {i} failures");
            assert!(fail(&s, &l, "victim", &format!("10.0.1.{i}"), None, now));
        }
        assert!(locked());
        assert!(refused(&s, &l, "victim", "10.0.2.1", None, now + 1));
        assert!(refused(&s, &l, "victim", "192.0.2.7", None, now + 1));
        assert!(!refused(
            &s,
            &l,
            "victim",
            "10.0.2.1",
            Some(&device),
            now + 1
        ));
        // A device token of another account, or a made-up one, is no way around the lock.
        assert!(refused(
            &s,
            &l,
            "victim",
            "10.0.2.1",
            Some("forged"),
            now + 1
        ));
        // Five wrong passwords with the token lock that token, not the account.
        for _ in 0..5 {
            assert!(fail(&s, &l, "victim", "192.0.2.7", Some(&device), now + 2));
        }
        assert!(refused(
            &s,
            &l,
            "victim",
            "192.0.2.7",
            Some(&device),
            now + 3
        ));
        // The admin's unlock clears both.
        let n = s.write(|tx, _| unlock(tx, "victim")).unwrap();
        assert!(n >= 2);
        assert!(!refused(&s, &l, "victim", "10.0.2.1", None, now + 3));
        assert!(!refused(
            &s,
            &l,
            "victim",
            "10.0.2.1",
            Some(&device),
            now + 3
        ));
    }

    #[test]
    fn unknown_names_spend_a_global_budget_that_never_refuses_real_accounts() {
        let (_d, s) = store();
        let l = LoginLimiter {
            unknown_per_minute: 30,
            ..LoginLimiter::default()
        };
        let now = 1_000_000;
        for i in 0..30 {
            assert!(fail(
                &s,
                &l,
                &format!("nobody{i}"),
                &format!("10.1.0.{i}"),
                None,
                now
            ));
        }
        assert!(refused(&s, &l, "nobody-else", "10.2.0.1", None, now + 1));
        assert!(!refused(&s, &l, "victim", "10.2.0.1", None, now + 1));
        // A minute later the budget is back.
        assert!(!refused(&s, &l, "nobody-else", "10.2.0.1", None, now + 61));
        // Unknown names create no per-name rows.
        let names: i64 = s
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM login_throttle WHERE key LIKE '%nobody%'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(names, 0);
    }

    #[test]
    fn enrollment_is_limited_per_address_and_per_code_never_globally() {
        let (_d, s) = store();
        let l = LoginLimiter::default();
        let now = 1_000_000;
        let try_code = |from: &str, code: &str, known: bool, now: i64| {
            s.write(|tx, _| {
                if l.assess_enroll(tx, ip(from), code, now)?.is_some() {
                    return Ok(false);
                }
                l.record_enroll_failure(tx, ip(from), code, known, now)?;
                Ok(true)
            })
            .unwrap()
        };
        let checked = (0..30)
            .filter(|i| try_code("10.3.0.1", &format!("guess{i}"), false, now))
            .count();
        assert_eq!(checked, 10);
        // Another address with the real code is not held up.
        let ok = s
            .read(|c| l.assess_enroll(c, ip("10.3.0.2"), "real", now + 1))
            .unwrap();
        assert_eq!(ok, None);
        // An existing code failing five times is held, from any address.
        for i in 0..5 {
            assert!(try_code(&format!("10.4.0.{i}"), "used", true, now));
        }
        let held = s
            .read(|c| l.assess_enroll(c, ip("10.5.0.1"), "used", now + 1))
            .unwrap();
        assert!(held.is_some());
    }

    #[test]
    fn login_limiter_keeps_limiting_when_table_full() {
        let (_d, s) = store();
        let l = LoginLimiter {
            max_address_rows: 50,
            unknown_per_minute: u32::MAX,
            ..LoginLimiter::default()
        };
        let now = 1_000_000;
        // The victim's account is half-way to its lock from a few addresses.
        for i in 0..3 {
            assert!(fail(&s, &l, "victim", "10.9.9.9", None, now + i));
        }
        // A flood of made-up names from fresh addresses fills the table many times over.
        for i in 0..500 {
            let from = format!("10.{}.{}.{}", 100 + i / 65536, (i / 256) % 256, i % 256);
            assert!(fail(&s, &l, &format!("fresh{i}"), &from, None, now + 10));
        }
        let rows: i64 = s
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM login_throttle WHERE kind IN ('address', 'unknown', 'enroll')",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert!(rows <= 50, "{rows} rows");
        // The victim's counters survived: two more wrong passwords from that address lock it.
        assert!(fail(&s, &l, "victim", "10.9.9.9", None, now + 20));
        assert!(fail(&s, &l, "victim", "10.9.9.9", None, now + 20));
        assert!(refused(&s, &l, "victim", "10.9.9.9", None, now + 21));
        // And forty more guesses from fresh addresses are not all checked: the account locks.
        let checked = (0..40)
            .filter(|i| fail(&s, &l, "victim", &format!("10.8.0.{i}"), None, now + 30))
            .count();
        assert_eq!(checked, 5);
    }
}
