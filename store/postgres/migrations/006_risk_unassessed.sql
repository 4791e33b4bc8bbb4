-- The PostgreSQL form of store/migrations/012_risk_unassessed.sql: a case may be registered
-- before its risk level is assessed (NULL, shown as 待补充).
ALTER TABLE cases ALTER COLUMN risk_level DROP NOT NULL;
