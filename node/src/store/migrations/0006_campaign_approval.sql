-- Shopfloor node schema: campaign approval (federation/campaigns.rs).
--
-- What the chapter sent its hub for approval (the latest submission per campaign, with the
-- digest of the exact bytes sent) and every decision the hub signed, verified with the hub's
-- card before it is stored. A campaign's `approval` becomes `approved` only from a verified
-- decision on its latest submission; a campaign sent back returns to `draft`.

CREATE TABLE campaign_submissions (
    campaign_id      INTEGER PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
    -- The id sent to the hub (`campaign-<id>`), stable across resubmissions.
    submission_id    TEXT NOT NULL UNIQUE,
    -- SHA-256 of the submission bytes last sent (hex).
    digest           TEXT NOT NULL,
    -- The criterion and the criteria version (the hub's guidance digest) it answers.
    criterion        TEXT NOT NULL,
    criteria_version TEXT NOT NULL,
    sector           TEXT NOT NULL,
    summary          TEXT NOT NULL,
    -- Unix seconds.
    sent_at          INTEGER NOT NULL
);

CREATE TABLE campaign_decisions (
    id                INTEGER PRIMARY KEY,
    campaign_id       INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    submission_digest TEXT NOT NULL,
    outcome           TEXT NOT NULL CHECK (outcome IN ('approved', 'returned')),
    comment           TEXT NOT NULL,
    -- RFC 3339, as signed.
    decided_at        TEXT NOT NULL,
    criteria_version  TEXT NOT NULL,
    -- The signed envelope (JSON), verified before it was stored.
    envelope          TEXT NOT NULL UNIQUE,
    fetched_at        INTEGER NOT NULL
);
CREATE INDEX campaign_decisions_by_campaign ON campaign_decisions (campaign_id, id);
