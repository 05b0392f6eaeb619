-- Covering indexes for the report's one pass over the members table (issue 15,
-- report::members_pass): the present members' counted columns read from an index instead of the
-- wide member rows, and each member's primary workplace read from the index without visiting the
-- link's row.
CREATE INDEX members_report ON members
    (list_status, standing, union_role, union_code, readiness, preferred_language);
CREATE INDEX member_workplaces_primary ON member_workplaces (member_id, workplace_id, is_primary)
    WHERE is_primary = 1;
