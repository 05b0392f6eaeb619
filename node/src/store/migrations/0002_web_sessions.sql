-- Shopfloor node schema, version 2: the web interface's accounts machinery.
--
-- Session ids and API tokens are random secrets given to the browser or script once; only their
-- SHA-256 (hex) is stored, so a copy of the database does not let anyone log in.
-- Times here are unix seconds (INTEGER): expiry checks are arithmetic.

CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Per-session CSRF token, sent back in forms (`csrf`) and in X-CSRF-Token.
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    -- Absolute expiry; the idle limit is checked against last_seen.
    expires_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    created_at  INTEGER NOT NULL,
    last_used   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- The member record a pod lead is: the pods they lead (pod_members.is_lead) decide which
-- members they may see. NULL for everyone else (and for a pod lead not yet linked: sees nobody).
ALTER TABLE users ADD COLUMN member_id INTEGER REFERENCES members (id) ON DELETE SET NULL;
