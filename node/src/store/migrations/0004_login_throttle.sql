-- Shopfloor node schema, version 4: login throttling and device tokens (web/throttle.rs).
--
-- Throttle state lives here, not in the server's memory, so `shopfloor-node user unlock NAME`
-- clears a lock the running server sees, and a restart does not forget an attack.
-- Times are unix seconds.

CREATE TABLE login_throttle (
    -- 'p:<user>|<address>', 'q:<address>' (unknown names), 'a:<address>', 'u:<user>', 'g'.
    key          TEXT PRIMARY KEY,
    -- pair, unknown, address, account, global: what the counter is about.
    kind         TEXT NOT NULL,
    -- The account the counter is about (pair, account), for `user unlock`; NULL otherwise.
    account      TEXT,
    failures     INTEGER NOT NULL,
    first_at     INTEGER NOT NULL,
    last_at      INTEGER NOT NULL,
    -- Attempts are refused before any password check until then (0: not locked).
    locked_until INTEGER NOT NULL DEFAULT 0,
    -- The row is forgotten from then on.
    expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX login_throttle_expires ON login_throttle (expires_at);
CREATE INDEX login_throttle_kind ON login_throttle (kind, last_at);
CREATE INDEX login_throttle_account ON login_throttle (account) WHERE account IS NOT NULL;

-- A browser that logged in successfully gets a device token (cookie): with it, its user is
-- checked even while the account is locked against unknown clients. Only the hash is stored.
CREATE TABLE device_tokens (
    token_hash     TEXT PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    failures       INTEGER NOT NULL DEFAULT 0,
    last_failed_at INTEGER NOT NULL DEFAULT 0,
    locked_until   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX device_tokens_user ON device_tokens (user_id, created_at);
CREATE INDEX device_tokens_expires ON device_tokens (expires_at);
