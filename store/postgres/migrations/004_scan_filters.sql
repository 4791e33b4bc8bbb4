-- The PostgreSQL form of store/migrations/008_scan_filters.sql: one mentor's open cases through
-- an index, and each case's lead units as rows so a unit's cases are an index lookup.
CREATE INDEX cases_mentor ON cases(mentor_user_id, status, id) INCLUDE (
  code, village, mentor_name, risk_level, created_at, closed_at, last_contact_date, close_reason, birth_date
);
CREATE TABLE case_lead_units (
  unit    text COLLATE "C" NOT NULL,
  case_id integer NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  town    text NOT NULL DEFAULT '{{town}}' CHECK (town = '{{town}}'),
  PRIMARY KEY (unit, case_id)
);
INSERT INTO case_lead_units (unit, case_id)
  SELECT j.value, cc.case_id FROM case_categories cc CROSS JOIN LATERAL jsonb_array_elements_text(cc.lead_units::jsonb) AS j(value)
  ON CONFLICT DO NOTHING;
