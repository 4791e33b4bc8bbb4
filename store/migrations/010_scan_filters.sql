-- 「我的个案」 and 走访 without a code read one mentor's open cases: through this index (it
-- carries the summary columns) they no longer scan every open case of the town or county.
CREATE INDEX cases_mentor ON cases(
  mentor_user_id, status, id, code, village, mentor_name, risk_level, created_at, closed_at,
  last_contact_date, close_reason, birth_date
);
-- Each case's lead units, one row each: 逾期 for a lead-unit member and "does this unit lead
-- any case" become index lookups instead of parsing every case's category JSON.
CREATE TABLE case_lead_units (
  unit    TEXT NOT NULL,
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  PRIMARY KEY (unit, case_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO case_lead_units (unit, case_id)
  SELECT j.value, cc.case_id FROM case_categories cc, json_each(cc.lead_units) j;
