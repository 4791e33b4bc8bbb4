-- Guided intake: form drafts, cases, their categories, mandatory-report prompts, code serials.
-- Identity fields (name, ID number, phones) have their own columns so the security work can
-- encrypt them one by one; id_hash and dup_key are the lookup keys that keep duplicate checks
-- working once the plain columns are encrypted.

CREATE TABLE form_sessions (
  user_id        TEXT NOT NULL,
  -- Never the group: a form started in a group continues in the user's private chat.
  chat_id        TEXT NOT NULL,
  form_id        TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('active', 'paused')),
  state          TEXT NOT NULL,
  started_in     TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  last_active_at TEXT NOT NULL,
  PRIMARY KEY (user_id, chat_id)
) WITHOUT ROWID;
CREATE INDEX form_sessions_idle ON form_sessions(last_active_at);

CREATE TABLE case_serials (
  year INTEGER PRIMARY KEY,
  last INTEGER NOT NULL
);

CREATE TABLE cases (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  code              TEXT NOT NULL UNIQUE,
  primary_category  TEXT NOT NULL CHECK (primary_category IN ('01', '02', '03', '04', '05')),
  full_name         TEXT NOT NULL,
  gender            TEXT NOT NULL CHECK (gender IN ('男', '女')),
  -- 2013, 2013-05 or 2013-05-06: as precise as it is known.
  birth_date        TEXT NOT NULL,
  id_number         TEXT,
  id_hash           TEXT,
  dup_key           TEXT NOT NULL,
  village           TEXT NOT NULL,
  school_status     TEXT,
  school_detail     TEXT,
  guardian_name     TEXT,
  guardian_relation TEXT,
  guardian_phone    TEXT,
  guardianship_mode TEXT,
  risk_level        TEXT NOT NULL CHECK (risk_level IN ('低', '中', '高')),
  mentor_user_id    TEXT,
  mentor_name       TEXT,
  reporter_user_id  TEXT NOT NULL,
  bangjiao_name     TEXT,
  bangjiao_phone    TEXT,
  notes             TEXT,
  -- Category-specific answers without direct identifiers (work places, behaviour codes, …).
  details           TEXT NOT NULL DEFAULT '{}',
  inferred_fields   TEXT NOT NULL DEFAULT '[]',
  status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  closed_at         TEXT,
  close_reason      TEXT
);
CREATE INDEX cases_id_hash ON cases(id_hash) WHERE id_hash IS NOT NULL;
CREATE INDEX cases_dup_key ON cases(dup_key);
CREATE INDEX cases_village ON cases(village);

CREATE TABLE case_categories (
  case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  category   TEXT NOT NULL CHECK (category IN ('01', '02', '03', '04', '05')),
  -- 0 is the primary category.
  ordinal    INTEGER NOT NULL,
  lead_units TEXT NOT NULL,
  PRIMARY KEY (case_id, category)
) WITHOUT ROWID;

-- Proof that the bot told someone to report to the police (未保法 Art. 11): when, to whom,
-- which sign. No message text. case_id is filled in once the draft becomes a case.
CREATE TABLE mandatory_reports (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id     INTEGER REFERENCES cases(id),
  user_id     TEXT NOT NULL,
  chat_id     TEXT NOT NULL,
  sign        TEXT NOT NULL,
  report_to   TEXT NOT NULL,
  prompted_at TEXT NOT NULL
);
CREATE INDEX mandatory_reports_case ON mandatory_reports(case_id);
