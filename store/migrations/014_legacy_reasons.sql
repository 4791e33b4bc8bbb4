-- Audit reasons written before reasons moved to audit_reasons (009) sit in plain text in
-- audit_log.reason, which the hash chain covers as stored. With a data key set, the store moves
-- each one out once (see SqlAuditRepo.moveLegacyReasons): the text goes, encrypted, to
-- audit_reasons and the column becomes `moved:<digest>:<mac>`; the row's hash is left as it was,
-- since verify recomputes it from the decrypted text. So the log stays append-only except for
-- exactly that one change: a plain reason becoming `moved:…`, every other column unchanged.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
  OLD.reason IS NOT NULL AND substr(OLD.reason, 1, 4) <> 'ref:' AND substr(OLD.reason, 1, 6) <> 'moved:'
  AND NEW.reason IS NOT NULL AND substr(NEW.reason, 1, 6) = 'moved:'
  AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor AND NEW.action IS OLD.action
  AND NEW.case_code IS OLD.case_code AND NEW.detail IS OLD.detail
  AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
