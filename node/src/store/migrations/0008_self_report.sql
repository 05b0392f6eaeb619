-- Shopfloor node schema: members map their own workplaces (issue 18; web/ui/selfreport.rs,
-- domain/selfreport).
--
-- An organizer makes a personal link for each chosen member; only the SHA-256 of the link's
-- random token is kept. The member's answers wait in self_report_answers until an organizer
-- accepts (then they update the member and a workplace) or discards them. Times are RFC 3339 UTC.

CREATE TABLE self_report_links (
    id           INTEGER PRIMARY KEY,
    -- hex SHA-256 of the token (32 random bytes, base64url in the link).
    token_hash   TEXT NOT NULL UNIQUE,
    member_id    INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    opened_at    TEXT,
    answered_at  TEXT,
    used         INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1))
);
CREATE INDEX self_report_links_member ON self_report_links (member_id);

CREATE TABLE self_report_answers (
    id              INTEGER PRIMARY KEY,
    link_id         INTEGER REFERENCES self_report_links (id) ON DELETE SET NULL,
    member_id       INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    employer        TEXT NOT NULL DEFAULT '',
    site            TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    state           TEXT,
    county_fips     TEXT,
    sector          TEXT,
    job_title       TEXT NOT NULL DEFAULT '',
    -- registry::UNION_STATUSES code, NULL when not answered.
    union_status    TEXT,
    union_name      TEXT NOT NULL DEFAULT '',
    union_local     TEXT NOT NULL DEFAULT '',
    interest        TEXT CHECK (interest IS NULL OR interest IN ('none', 'curious', 'ready')),
    -- Comma-separated ISO 639 codes.
    languages       TEXT NOT NULL DEFAULT '',
    consent         INTEGER NOT NULL DEFAULT 0 CHECK (consent IN (0, 1)),
    received_at     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'discarded')),
    -- The workplace an accepted answer was recorded at.
    workplace_id    INTEGER REFERENCES workplaces (id) ON DELETE SET NULL,
    reviewed_by     TEXT,
    reviewed_at     TEXT
);
CREATE INDEX self_report_answers_status ON self_report_answers (status, received_at);

-- Fixed-window counters for the public page: per client address and per token. Unix seconds.
CREATE TABLE self_report_throttle (
    key           TEXT PRIMARY KEY,
    window_start  INTEGER NOT NULL,
    hits          INTEGER NOT NULL
) WITHOUT ROWID;
