-- A member's page (web::ui::members::history_of) lists the 50 newest audit entries about them
-- that are not views. With only audit_log_subject, every view of the member (each one an audit
-- row with the same subject) was read and skipped on the way to them, so a member's page got
-- slower the more often it was looked at. This index holds the other entries only.
CREATE INDEX audit_log_subject_edits ON audit_log (subject, id) WHERE action <> 'member.view';

-- A member's page lists the mentorships they are in (domain::mentorships::of_member).
CREATE INDEX mentorships_mentor ON mentorships (mentor_id);
CREATE INDEX mentorships_mentee ON mentorships (mentee_id);
