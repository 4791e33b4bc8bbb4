-- Follow-up work: contact logs, the monthly risk-screening replies per unit, and the short
-- dialogs (contact form, closing confirmation) kept per (user, chat) apart from intake drafts.

CREATE TABLE contacts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id     INTEGER NOT NULL REFERENCES cases(id),
  -- Shanghai calendar day of the contact, YYYY-MM-DD.
  contact_date TEXT NOT NULL,
  method      TEXT NOT NULL CHECK (method IN ('上门', '电话', '微信', '在校', '其他')),
  -- What the helper wrote; may hold personal data, never shown in lists or groups.
  notes       TEXT NOT NULL,
  -- The risk level set with this contact, if it was changed.
  risk_level  TEXT CHECK (risk_level IN ('低', '中', '高')),
  logged_by   TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
CREATE INDEX contacts_case_date ON contacts(case_id, contact_date);
CREATE INDEX contacts_date ON contacts(contact_date);

-- One row per (month, unit): the unit's answer to that month's risk-screening dispatch.
CREATE TABLE screening_reports (
  period      TEXT NOT NULL,
  unit        TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  new_risks   INTEGER NOT NULL CHECK (new_risks >= 0),
  high_risks  INTEGER NOT NULL CHECK (high_risks >= 0),
  reported_at TEXT NOT NULL,
  PRIMARY KEY (period, unit)
) WITHOUT ROWID;

CREATE TABLE followup_dialogs (
  user_id    TEXT NOT NULL,
  chat_id    TEXT NOT NULL,
  state      TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (user_id, chat_id)
) WITHOUT ROWID;
