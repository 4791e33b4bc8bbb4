-- One row per (job, period): the proof that a period's messages went into the outbox, written
-- in the same transaction as those outbox rows, so a period never runs twice.
CREATE TABLE job_runs (
  job      TEXT NOT NULL,
  period   TEXT NOT NULL,
  status   TEXT NOT NULL CHECK (status IN ('done', 'skipped')),
  trigger  TEXT NOT NULL CHECK (trigger IN ('cron', 'catchup', 'manual')),
  as_of    TEXT NOT NULL,
  ran_at   TEXT NOT NULL,
  summary  TEXT NOT NULL,
  PRIMARY KEY (job, period)
) WITHOUT ROWID;
