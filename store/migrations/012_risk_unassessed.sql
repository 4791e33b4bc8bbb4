-- A risk level is assessed by the mentor at the first contact, not known at registration: a case
-- is registered without one (NULL, shown as 待补充) instead of with a made-up 中. SQLite cannot
-- drop NOT NULL in place, so the column is swapped; the two covering indexes that carry it are
-- rebuilt under the same names (the statistics query names cases_summary).
DROP INDEX cases_summary;
DROP INDEX cases_mentor;
ALTER TABLE cases ADD COLUMN risk_level_assessed TEXT CHECK (risk_level_assessed IN ('低', '中', '高'));
UPDATE cases SET risk_level_assessed = risk_level;
ALTER TABLE cases DROP COLUMN risk_level;
ALTER TABLE cases RENAME COLUMN risk_level_assessed TO risk_level;
CREATE INDEX cases_summary ON cases(
  status, id, code, village, mentor_user_id, mentor_name, risk_level, created_at, closed_at,
  last_contact_date, close_reason, birth_date
);
CREATE INDEX cases_mentor ON cases(
  mentor_user_id, status, id, code, village, mentor_name, risk_level, created_at, closed_at,
  last_contact_date, close_reason, birth_date
);
