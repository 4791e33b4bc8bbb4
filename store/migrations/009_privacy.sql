-- Privacy: audit reasons that purge can erase, and a MAC over each case row.

-- The purpose a viewer gave is personal data (it may describe the child), yet audit_log may
-- never change. So the log row keeps only `ref:<digest>` in its reason column (covered by the
-- hash chain as usual) and the text lives here, encrypted when a data key is set; purge deletes
-- the row here, and the digest, salted, tells nothing about what was erased.
CREATE TABLE audit_reasons (
  audit_id  INTEGER PRIMARY KEY,
  case_code TEXT,
  salt      TEXT NOT NULL,
  reason    TEXT NOT NULL
);
CREATE INDEX audit_reasons_case ON audit_reasons(case_code) WHERE case_code IS NOT NULL;

-- HMAC of a case's stored fields (key derived from HUMIAO_DATA_KEY, or a plain SHA-256 without
-- a key): a swapped ciphertext or an edited column (sealed = 0) no longer matches.
ALTER TABLE cases ADD COLUMN row_mac TEXT;
