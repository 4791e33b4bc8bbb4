-- A message for someone the bot cannot reach yet waits for them (held_at), instead of being
-- marked delivered to the group that was only nudged; a long message remembers how many of its
-- parts went out (parts_sent), so a retry does not repeat them; a row the worker stopped trying
-- is marked given_up_at (the admin is told).
ALTER TABLE outbox ADD COLUMN held_at TEXT;
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN given_up_at TEXT;
CREATE INDEX outbox_held ON outbox(target_kind, target_id) WHERE held_at IS NOT NULL AND sent_at IS NULL;
