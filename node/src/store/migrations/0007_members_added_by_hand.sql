-- Shopfloor node schema: members added by hand (web/ui/members.rs, domain/members/save.rs).
--
-- A member added through "Add a member" is someone not yet on national's list: the member page
-- says so ("not on the national list yet") until an import of the list matches them, which
-- clears the mark. Members already added by hand before this version are recognised by the audit
-- log's `member.create` entries (an import never writes one) when they still have no ActionKit
-- id (the national list gives every member one).
ALTER TABLE members ADD COLUMN added_by_hand INTEGER NOT NULL DEFAULT 0 CHECK (added_by_hand IN (0, 1));

UPDATE members SET added_by_hand = 1
WHERE actionkit_id IS NULL
  AND id IN (
    SELECT CAST(substr(subject, 8) AS INTEGER) FROM audit_log
    WHERE action = 'member.create' AND subject LIKE 'member:%'
  );
