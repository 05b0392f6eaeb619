-- Shopfloor node schema: the federation's joint key for encrypted small cells (issue 14),
-- pinned from national's signed guidance (federation/joint_key.rs).
--
-- The first key seen is pinned; afterwards national's guidance may only carry the same key or a
-- rotation that names the pinned key in `replaces`. Every pin stays (the newest is current), so
-- the history of rotations can be shown and checked.
CREATE TABLE joint_key_pins (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The key id (hex), as national's guidance states and as the key recomputes.
    key_id           TEXT NOT NULL UNIQUE,
    -- The joint key with its ceremony (JSON), checked on parse.
    joint_key        TEXT NOT NULL,
    -- The key it replaced (hex), on a rotation.
    replaces         TEXT,
    -- When it was pinned (unix seconds).
    pinned_at        INTEGER NOT NULL,
    -- The guidance envelope that carried it (digest, hex).
    guidance_digest  TEXT NOT NULL
);
