-- Shopfloor node schema, version 5: what a closed period's report stood on (report/snapshot.rs).
--
-- When a month ends, the node records the stock part of its report as it stood then (the
-- schedule's first run after the end, or the first report built for the month): every later
-- build for that month (revisions, re-sends) publishes these counts, not today's. Rows are
-- written once and never changed; a labelled correction is built from the current state and
-- leaves the snapshot as it was.

CREATE TABLE period_snapshots (
    -- YYYY-MM.
    period          TEXT PRIMARY KEY,
    -- When the stocks were counted (RFC 3339, UTC): the report's `as_of`.
    as_of           TEXT NOT NULL,
    -- The stock metrics' exact cells, before disclosure control (JSON array of report cells).
    cells_json      TEXT NOT NULL,
    -- The campaigns the chapter had made public (JSON array, as in the report).
    campaigns_json  TEXT NOT NULL,
    -- The chapter facts (JSON object, as in the report).
    facts_json      TEXT NOT NULL,
    -- When the row was written (unix seconds); differs from as_of when a period is closed
    -- with a given date (`report::close_period`).
    taken_at        INTEGER NOT NULL
) WITHOUT ROWID;
