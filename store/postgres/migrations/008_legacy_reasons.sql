-- The PostgreSQL form of store/migrations/014_legacy_reasons.sql (see that file for why): the
-- one change the append-only log allows is a plain reason from before 009 becoming `moved:…`.
CREATE FUNCTION audit_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.reason IS NOT NULL AND left(OLD.reason, 4) <> 'ref:' AND left(OLD.reason, 6) <> 'moved:'
     AND NEW.reason IS NOT NULL AND left(NEW.reason, 6) = 'moved:'
     AND (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.case_code, NEW.detail, NEW.prev_hash, NEW.hash, NEW.town)
         IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.case_code, OLD.detail, OLD.prev_hash, OLD.hash, OLD.town) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

DROP TRIGGER audit_log_no_update ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_update();
