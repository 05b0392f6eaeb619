-- Shopfloor node schema, version 3: talking to the hub (node/src/federation).
--
-- Enrollment progress and trust material, fetched guidance, the durable outbox of sealed
-- reports, the hub's receipts and every checkpoint seen, and alarms for people to look at.
-- Times are unix seconds (INTEGER) unless named *_text.

-- The enrollment row (version 1) learns where the hub is and what vouches for it.
ALTER TABLE enrollment ADD COLUMN hub_url TEXT;
-- The request id at the hub while waiting for approval.
ALTER TABLE enrollment ADD COLUMN request_id TEXT;
-- 'none', 'pending', 'approved' or 'rejected'.
ALTER TABLE enrollment ADD COLUMN status TEXT NOT NULL DEFAULT 'none'
    CHECK (status IN ('none', 'pending', 'approved', 'rejected'));
-- The hub's own chain from the national root (JSON array of certificate envelopes).
ALTER TABLE enrollment ADD COLUMN chain_json TEXT;
-- The national root card, pinned out of band (or the hub's card when the hub is national).
ALTER TABLE enrollment ADD COLUMN root_card_json TEXT;
-- Whether the chain was verified up to the root card.
ALTER TABLE enrollment ADD COLUMN chain_verified INTEGER NOT NULL DEFAULT 0
    CHECK (chain_verified IN (0, 1));
-- The hub's newest signed revocation list (envelope JSON) and when it was fetched.
ALTER TABLE enrollment ADD COLUMN revocations_json TEXT;
ALTER TABLE enrollment ADD COLUMN revocations_fetched_at INTEGER;

-- Guidance fetched from the hub, newest last. Only a changed envelope adds a row.
CREATE TABLE guidance (
    id                  INTEGER PRIMARY KEY,
    fetched_at          INTEGER NOT NULL,
    issuer              TEXT NOT NULL,
    issued_at_text      TEXT NOT NULL,
    digest              TEXT NOT NULL UNIQUE,
    -- The signed envelope, verbatim (JSON).
    envelope            TEXT NOT NULL,
    -- The verified payload, parsed (JSON), for the web interface.
    guidance_json       TEXT NOT NULL,
    -- The disclosure k the hub asks for (the stricter of its own and any inherited policy).
    policy_k            INTEGER NOT NULL CHECK (policy_k BETWEEN 2 AND 100),
    -- 1 when the relayed parent guidance was verified against the root card (or there is none).
    inherited_verified  INTEGER NOT NULL CHECK (inherited_verified IN (0, 1))
);

-- Sealed documents waiting for (or done with) delivery to the hub. One per (period, revision).
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    period           TEXT NOT NULL,
    revision         INTEGER NOT NULL CHECK (revision >= 1),
    -- Digest of the signed envelope inside (what the receipt must name).
    digest           TEXT NOT NULL UNIQUE,
    sealed           BLOB NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    -- The hub's stable reason code when it refused the document for good.
    error_code       TEXT,
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    UNIQUE (period, revision),
    FOREIGN KEY (period, revision) REFERENCES reports (period, revision)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Verified receipts: the hub accepted the envelope with this digest.
CREATE TABLE receipts (
    digest           TEXT PRIMARY KEY,
    period           TEXT NOT NULL,
    revision         INTEGER NOT NULL,
    log              TEXT NOT NULL,
    log_index        INTEGER NOT NULL,
    checkpoint_size  INTEGER NOT NULL,
    checkpoint_root  TEXT NOT NULL,
    -- The signed receipt envelope, verbatim (JSON).
    envelope         TEXT NOT NULL,
    received_at      INTEGER NOT NULL
) WITHOUT ROWID;

-- Every checkpoint of the hub's log the node has seen (from receipts and from checks).
CREATE TABLE checkpoints (
    id         INTEGER PRIMARY KEY,
    log        TEXT NOT NULL,
    size       INTEGER NOT NULL,
    root       TEXT NOT NULL,
    time_text  TEXT NOT NULL,
    -- 'receipt' or 'fetched'.
    source     TEXT NOT NULL CHECK (source IN ('receipt', 'fetched')),
    seen_at    INTEGER NOT NULL,
    UNIQUE (log, size, root)
);

-- Things people must look at: the hub's log forked or dropped a report, a bad receipt.
CREATE TABLE alarms (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL,
    resolved_at  INTEGER
);
CREATE INDEX alarms_open ON alarms (resolved_at);
