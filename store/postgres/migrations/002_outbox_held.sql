-- Same as store/migrations/008_outbox_held.sql: held rows, delivered parts, given-up rows.
ALTER TABLE outbox ADD COLUMN held_at text COLLATE "C";
ALTER TABLE outbox ADD COLUMN parts_sent integer NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN given_up_at text COLLATE "C";
CREATE INDEX outbox_held ON outbox(target_kind, target_id) WHERE held_at IS NOT NULL AND sent_at IS NULL;
