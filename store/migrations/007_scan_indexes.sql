-- Scans (overdue, due-soon, statistics) read a dozen short columns of every case. The encrypted
-- identity columns make whole rows long, so a scan of the table read most of the database;
-- covering indexes let SQLite answer those scans from the indexes alone.
CREATE INDEX cases_summary ON cases(
  status, id, code, village, mentor_user_id, mentor_name, risk_level, created_at, closed_at,
  last_contact_date, close_reason, birth_date
);
-- The quarterly report reads when and how each contact of the quarter was made.
CREATE INDEX contacts_day ON contacts(contact_date, case_id, method);
DROP INDEX contacts_date;
