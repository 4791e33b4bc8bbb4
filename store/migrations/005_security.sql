-- Security: the data-key check value, the sealed flag on cases, and the append-only audit log.

-- name = 'key_check': HMAC of a constant under the data key, written when a key first opens the
-- database. Its presence means encrypted data may exist, so starting without the key is refused.
CREATE TABLE security_meta (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- 1 when the case holds justice details (处置、涉法) that must be treated as sealed records
-- (刑诉法 Art. 286; docs/domain-rules.md P7): shown only to sealedAccess units, never exported.
ALTER TABLE cases ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1));

-- Who looked at or changed what (网络保护条例 Art. 36; docs/domain-rules.md P6). Each row's hash covers the
-- previous row's hash and its own fields, so an edited or deleted row breaks the chain;
-- AUTOINCREMENT keeps the highest id ever used in sqlite_sequence, which exposes a deleted tail.
CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  case_code TEXT,
  reason    TEXT,
  detail    TEXT,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE INDEX audit_log_case ON audit_log(case_code) WHERE case_code IS NOT NULL;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
