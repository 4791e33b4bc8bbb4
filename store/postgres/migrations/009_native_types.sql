-- Timestamps become timestamptz and plain-text JSON becomes jsonb: the connection no longer
-- carries everything as text (see store/postgres/pg-pool-db.ts), so the database can compare,
-- index and check these values by what they are.
--
-- Stays text, on purpose:
--  - days (YYYY-MM-DD: birth_date, contact_date, last_contact_date, period): a calendar day in
--    the town's time zone, not an instant;
--  - columns encrypted when a data key is set (replies, reply, state, details, body, notes, …):
--    they hold ciphertext then, so not JSON;
--  - audit_log.detail: hashed into the chain as the exact text written; jsonb would re-space it;
--  - job_runs.summary: free text.
--
-- The audit chain hashes each row's `at` as ISO text; every Humiao version wrote it with
-- milliseconds and `Z`, which timestamptz gives back exactly. A row written any other way would
-- read back as other text and break the chain, so this migration refuses to run over one.
-- (Checked only while `at` is still text: run again over converted tables, this file changes nothing.)
DO $$
DECLARE bad text;
BEGIN
  IF (SELECT data_type FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = 'audit_log' AND column_name = 'at') = 'text' THEN
    SELECT at INTO bad FROM audit_log
     WHERE at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'
        OR to_char(at::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') <> at
     LIMIT 1;
    IF bad IS NOT NULL THEN
      RAISE EXCEPTION 'audit_log.at % is not ISO text with milliseconds and Z: converting it would break the hash chain', bad;
    END IF;
  END IF;
END;
$$;

-- The append-only triggers fire on row changes only, not on ALTER TABLE's rewrite; indexes over
-- these columns (outbox_due, cases_summary, …) are rebuilt by the ALTER itself.
ALTER TABLE inbound
  ALTER COLUMN received_at TYPE timestamptz USING received_at::timestamptz;

ALTER TABLE outbox
  ALTER COLUMN created_at      TYPE timestamptz USING created_at::timestamptz,
  ALTER COLUMN next_attempt_at TYPE timestamptz USING next_attempt_at::timestamptz,
  ALTER COLUMN sent_at         TYPE timestamptz USING sent_at::timestamptz,
  ALTER COLUMN claimed_until   TYPE timestamptz USING claimed_until::timestamptz,
  ALTER COLUMN held_at         TYPE timestamptz USING held_at::timestamptz,
  ALTER COLUMN given_up_at     TYPE timestamptz USING given_up_at::timestamptz;

ALTER TABLE chats
  ALTER COLUMN first_seen_at TYPE timestamptz USING first_seen_at::timestamptz,
  ALTER COLUMN last_seen_at  TYPE timestamptz USING last_seen_at::timestamptz;

ALTER TABLE form_sessions
  ALTER COLUMN created_at     TYPE timestamptz USING created_at::timestamptz,
  ALTER COLUMN last_active_at TYPE timestamptz USING last_active_at::timestamptz;

ALTER TABLE cases
  ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz,
  ALTER COLUMN updated_at TYPE timestamptz USING updated_at::timestamptz,
  ALTER COLUMN closed_at  TYPE timestamptz USING closed_at::timestamptz,
  ALTER COLUMN inferred_fields DROP DEFAULT,
  ALTER COLUMN inferred_fields TYPE jsonb USING inferred_fields::jsonb,
  ALTER COLUMN inferred_fields SET DEFAULT '[]'::jsonb;

ALTER TABLE case_categories
  ALTER COLUMN lead_units TYPE jsonb USING lead_units::jsonb;

ALTER TABLE mandatory_reports
  ALTER COLUMN prompted_at TYPE timestamptz USING prompted_at::timestamptz;

ALTER TABLE job_runs
  ALTER COLUMN as_of  TYPE timestamptz USING as_of::timestamptz,
  ALTER COLUMN ran_at TYPE timestamptz USING ran_at::timestamptz;

ALTER TABLE contacts
  ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz;

ALTER TABLE screening_reports
  ALTER COLUMN reported_at TYPE timestamptz USING reported_at::timestamptz;

ALTER TABLE followup_dialogs
  ALTER COLUMN updated_at TYPE timestamptz USING updated_at::timestamptz;

ALTER TABLE audit_log
  ALTER COLUMN at TYPE timestamptz USING at::timestamptz;

ALTER TABLE sent_cards
  ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz,
  ALTER COLUMN expires_at TYPE timestamptz USING expires_at::timestamptz;

ALTER TABLE conversation_turns
  ALTER COLUMN updated_at TYPE timestamptz USING updated_at::timestamptz;

ALTER TABLE dialog_outcomes
  ALTER COLUMN done_at TYPE timestamptz USING done_at::timestamptz;
