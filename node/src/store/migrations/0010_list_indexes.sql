-- Indexes that match the member and workplace lists' orders and filters (issue 15), so a page of
-- 50 reads about 50 index entries instead of scanning and sorting every member.

-- /members: present members by name (the default), and everyone by name (`list=all`). The
-- expressions are the ones the list orders by (web::query::member_page); email_norm rides along
-- so a search (a substring of either name or the address) reads the index, not the table.
CREATE INDEX members_present_by_name ON members (list_status, lower(last_name), lower(first_name), id, email_norm);
CREATE INDEX members_by_name ON members (lower(last_name), lower(first_name), id, email_norm);
-- The list's equality filters.
CREATE INDEX members_union_role ON members (union_role) WHERE union_role IS NOT NULL;
CREATE INDEX members_preferred_language ON members (preferred_language) WHERE preferred_language IS NOT NULL;

-- /workplaces: by employer and site, the list's order; its sector and stage filters.
CREATE INDEX workplaces_by_name ON workplaces (lower(employer), lower(site), id);
CREATE INDEX workplaces_sector_stage ON workplaces (sector, stage);

-- A member's page lists the audit entries about them (web::ui::members::history_of): without
-- this it read the whole audit log, which every view makes longer.
CREATE INDEX audit_log_subject ON audit_log (subject, id);
