-- Shopfloor node schema, version 1.
--
-- Member-level data lives only here. Non-member coworkers are never recorded by name: workplaces
-- carry counts only (workforce estimate, committee size, supporters, recruited counts).
-- Dates are ISO 8601 text (YYYY-MM-DD); timestamps are RFC 3339 UTC text.

CREATE TABLE members (
    id                  INTEGER PRIMARY KEY,
    actionkit_id        TEXT UNIQUE,
    first_name          TEXT NOT NULL DEFAULT '',
    middle_name         TEXT NOT NULL DEFAULT '',
    last_name           TEXT NOT NULL DEFAULT '',
    email               TEXT,
    -- lower(trim(email)), the second matching key of the import.
    email_norm          TEXT,
    mobile_phone        TEXT NOT NULL DEFAULT '',
    home_phone          TEXT NOT NULL DEFAULT '',
    work_phone          TEXT NOT NULL DEFAULT '',
    best_phone          TEXT NOT NULL DEFAULT '',
    do_not_call         INTEGER NOT NULL DEFAULT 0 CHECK (do_not_call IN (0, 1)),
    p2ptext_optout      INTEGER NOT NULL DEFAULT 0 CHECK (p2ptext_optout IN (0, 1)),
    join_date           TEXT,
    xdate               TEXT,
    -- The list's text, verbatim ("Member in Good Standing", "Member", "Lapsed").
    membership_status   TEXT NOT NULL DEFAULT '',
    -- Derived from membership_status: good-standing | member | lapsed | NULL (unrecognised).
    standing            TEXT CHECK (standing IN ('good-standing', 'member', 'lapsed')),
    membership_type     TEXT NOT NULL DEFAULT '',
    monthly_dues_status TEXT NOT NULL DEFAULT '',
    yearly_dues_status  TEXT NOT NULL DEFAULT '',
    -- The list's union_member answer, verbatim.
    union_member        TEXT NOT NULL DEFAULT '',
    union_name          TEXT NOT NULL DEFAULT '',
    union_local         TEXT NOT NULL DEFAULT '',
    city                TEXT NOT NULL DEFAULT '',
    state               TEXT NOT NULL DEFAULT '',
    zip                 TEXT NOT NULL DEFAULT '',
    -- ISO 639 code (e.g. 'es'), NULL when not known.
    preferred_language  TEXT,
    -- Node fields.
    list_status         TEXT NOT NULL DEFAULT 'present' CHECK (list_status IN ('present', 'missing')),
    union_role          TEXT CHECK (union_role IN
                            ('none', 'organizing', 'member', 'steward', 'officer', 'staff', 'retired')),
    -- 1 once someone edited union_role by hand: imports then leave it alone.
    union_role_manual   INTEGER NOT NULL DEFAULT 0 CHECK (union_role_manual IN (0, 1)),
    -- registry::UNIONS code; NULL = unknown.
    union_code          TEXT,
    union_code_manual   INTEGER NOT NULL DEFAULT 0 CHECK (union_code_manual IN (0, 1)),
    readiness           INTEGER CHECK (readiness BETWEEN 1 AND 4),
    -- Languages spoken: comma-separated ISO 639 codes.
    languages           TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX members_email_norm ON members (email_norm) WHERE email_norm IS NOT NULL;
CREATE INDEX members_list ON members (list_status, standing);

CREATE TABLE workplaces (
    id                  INTEGER PRIMARY KEY,
    employer            TEXT NOT NULL CHECK (employer <> ''),
    site                TEXT NOT NULL DEFAULT '',
    city                TEXT NOT NULL DEFAULT '',
    -- 5-digit county FIPS, NULL when not known.
    county_fips         TEXT CHECK (county_fips IS NULL OR (length(county_fips) = 5 AND county_fips NOT GLOB '*[^0-9]*')),
    -- USPS code, NULL when not known.
    state               TEXT,
    -- registry::SECTORS code ('62', '44-45', ...), NULL when not known.
    sector              TEXT,
    -- Finer NAICS code if known (e.g. '622110').
    naics_code          TEXT NOT NULL DEFAULT '',
    representation      TEXT NOT NULL DEFAULT 'none' CHECK (representation IN ('none', 'organizing', 'represented')),
    rep_union           TEXT NOT NULL DEFAULT '',
    rep_local           TEXT NOT NULL DEFAULT '',
    workforce_size      INTEGER CHECK (workforce_size >= 0),
    committee_size      INTEGER NOT NULL DEFAULT 0 CHECK (committee_size >= 0),
    supporters          INTEGER NOT NULL DEFAULT 0 CHECK (supporters >= 0),
    stage               INTEGER NOT NULL DEFAULT 0 CHECK (stage BETWEEN 0 AND 5),
    notes               TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

-- Every change of a workplace's organizing stage, including the first.
CREATE TABLE workplace_stage_history (
    id            INTEGER PRIMARY KEY,
    workplace_id  INTEGER NOT NULL REFERENCES workplaces (id) ON DELETE CASCADE,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    from_stage    INTEGER CHECK (from_stage BETWEEN 0 AND 5),
    to_stage      INTEGER NOT NULL CHECK (to_stage BETWEEN 0 AND 5),
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX workplace_stage_history_wp ON workplace_stage_history (workplace_id, at);

CREATE TABLE member_workplaces (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    workplace_id  INTEGER NOT NULL REFERENCES workplaces (id) ON DELETE CASCADE,
    job_title     TEXT NOT NULL DEFAULT '',
    since         TEXT,
    is_primary    INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    UNIQUE (member_id, workplace_id)
);
CREATE UNIQUE INDEX member_workplaces_one_primary ON member_workplaces (member_id) WHERE is_primary = 1;
CREATE INDEX member_workplaces_wp ON member_workplaces (workplace_id);

CREATE TABLE pods (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
    sector      TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE pod_members (
    pod_id     INTEGER NOT NULL REFERENCES pods (id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    is_lead    INTEGER NOT NULL DEFAULT 0 CHECK (is_lead IN (0, 1)),
    PRIMARY KEY (pod_id, member_id)
) WITHOUT ROWID;
CREATE INDEX pod_members_member ON pod_members (member_id);

CREATE TABLE trainings (
    code         TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 40 AND code NOT GLOB '*[^a-z0-9-]*'),
    title_en     TEXT NOT NULL,
    title_es     TEXT NOT NULL DEFAULT '',
    -- 'hub' when the catalog came from guidance, 'chapter' for the chapter's own.
    source       TEXT NOT NULL DEFAULT 'chapter' CHECK (source IN ('hub', 'chapter'))
);

CREATE TABLE training_completions (
    id             INTEGER PRIMARY KEY,
    member_id      INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    training_code  TEXT NOT NULL REFERENCES trainings (code) ON UPDATE CASCADE,
    completed_on   TEXT NOT NULL,
    UNIQUE (member_id, training_code, completed_on)
);

CREATE TABLE mentorships (
    id          INTEGER PRIMARY KEY,
    mentor_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    mentee_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    started_on  TEXT NOT NULL,
    ended_on    TEXT,
    CHECK (mentor_id <> mentee_id),
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);

-- Organizer reserve opt-in: one row per member who volunteered.
CREATE TABLE reserve (
    member_id     INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    -- Comma-separated ISO 639 codes.
    languages     TEXT NOT NULL DEFAULT '',
    availability  TEXT NOT NULL DEFAULT '',
    opted_in_on   TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE reserve_skills (
    member_id  INTEGER NOT NULL REFERENCES reserve (member_id) ON DELETE CASCADE,
    skill      TEXT NOT NULL,
    PRIMARY KEY (member_id, skill)
) WITHOUT ROWID;

CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL CHECK (title <> ''),
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'planning',
    approval         TEXT NOT NULL DEFAULT 'draft' CHECK (approval IN ('draft', 'submitted', 'approved', 'rejected')),
    public           INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    priority         INTEGER NOT NULL DEFAULT 0 CHECK (priority IN (0, 1)),
    labor_component  INTEGER NOT NULL DEFAULT 0 CHECK (labor_component IN (0, 1)),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE campaign_metrics (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name         TEXT NOT NULL CHECK (name <> ''),
    target       INTEGER NOT NULL DEFAULT 0 CHECK (target >= 0),
    actual       INTEGER NOT NULL DEFAULT 0 CHECK (actual >= 0),
    UNIQUE (campaign_id, name)
);

CREATE TABLE campaign_workplaces (
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    workplace_id  INTEGER NOT NULL REFERENCES workplaces (id) ON DELETE CASCADE,
    PRIMARY KEY (campaign_id, workplace_id)
) WITHOUT ROWID;

-- Coworkers recruited to the organization: dated counts by workplace, never names.
CREATE TABLE recruitments (
    id            INTEGER PRIMARY KEY,
    workplace_id  INTEGER NOT NULL REFERENCES workplaces (id) ON DELETE CASCADE,
    recruited_on  TEXT NOT NULL,
    count         INTEGER NOT NULL CHECK (count > 0)
);
CREATE INDEX recruitments_on ON recruitments (recruited_on);

-- One row: facts about the chapter as a whole.
CREATE TABLE chapter_facts (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    labor_committee  INTEGER NOT NULL DEFAULT 0 CHECK (labor_committee IN (0, 1)),
    clc_delegate     INTEGER NOT NULL DEFAULT 0 CHECK (clc_delegate IN (0, 1)),
    bylaws           INTEGER NOT NULL DEFAULT 0 CHECK (bylaws IN (0, 1)),
    updated_at       TEXT NOT NULL
);
INSERT INTO chapter_facts (id, updated_at) VALUES (1, '1970-01-01T00:00:00Z');

-- One row: enrollment with the parent hub (filled in by `enroll`). NULL until enrolled.
CREATE TABLE enrollment (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    hub_id            TEXT,
    hub_card_json     TEXT,
    certificate_json  TEXT,
    -- The hub's disclosure k; the node applies max(this, node.toml's k).
    policy_k          INTEGER CHECK (policy_k IS NULL OR policy_k BETWEEN 2 AND 100),
    -- Digest (hex) of the last report envelope the hub accepted.
    previous_report   TEXT,
    enrolled_at       TEXT
);
INSERT INTO enrollment (id) VALUES (1);

-- Reports built for sending: one row per (period, revision).
CREATE TABLE reports (
    period      TEXT NOT NULL,
    revision    INTEGER NOT NULL CHECK (revision >= 1),
    digest      TEXT NOT NULL,
    built_at    TEXT NOT NULL,
    envelope    BLOB NOT NULL,
    PRIMARY KEY (period, revision)
) WITHOUT ROWID;

-- Accounts. The web interface adds sessions, tokens etc. in later migrations.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    -- argon2id PHC string.
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'organizer', 'pod_lead', 'viewer')),
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     TEXT NOT NULL,
    language       TEXT NOT NULL DEFAULT 'en'
);

-- Who did what, when. Append-only by convention: nothing updates or deletes rows.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
