-- The PostgreSQL form of store/migrations/008_privacy.sql: audit reasons that purge can erase,
-- and a MAC over each case row (see that file for why).
CREATE TABLE audit_reasons (
  audit_id  integer PRIMARY KEY,
  case_code text COLLATE "C",
  salt      text COLLATE "C" NOT NULL,
  reason    text NOT NULL,
  town      text NOT NULL DEFAULT '{{town}}' CHECK (town = '{{town}}')
);
CREATE INDEX audit_reasons_case ON audit_reasons(case_code) WHERE case_code IS NOT NULL;

ALTER TABLE cases ADD COLUMN row_mac text COLLATE "C";

-- The audit log's signed head (see src/domain/security/audit-head.ts), outside the town's
-- schema: emptying or cutting town_<id>.audit_log leaves the head naming what is gone.
CREATE TABLE IF NOT EXISTS humiao.audit_heads (
  town text COLLATE "C" PRIMARY KEY,
  head text NOT NULL
);
