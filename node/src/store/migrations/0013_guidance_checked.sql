-- When the node last asked its hub for guidance and got an answer (guidance, or "nothing
-- published yet"): the guidance page says so instead of only "not received yet" (issue 19,
-- item 7). RFC 3339 text, like enrolled_at.
ALTER TABLE enrollment ADD COLUMN guidance_checked_at TEXT;
