-- Core tables: message de-duplication, outbox, chats that reached the bot.
CREATE TABLE inbound (
  channel     TEXT NOT NULL,
  id          TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  chat_id     TEXT NOT NULL,
  received_at TEXT NOT NULL,
  replies     TEXT,
  PRIMARY KEY (channel, id)
) WITHOUT ROWID;
CREATE INDEX inbound_received ON inbound(received_at);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  target_kind     TEXT NOT NULL CHECK (target_kind IN ('user', 'chat')),
  target_id       TEXT NOT NULL,
  reply           TEXT NOT NULL,
  reason          TEXT NOT NULL,
  dedupe_key      TEXT UNIQUE,
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  next_attempt_at TEXT NOT NULL,
  sent_at         TEXT,
  last_error      TEXT,
  delivered_kind  TEXT,
  delivered_id    TEXT
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL;

CREATE TABLE chats (
  chat_id       TEXT PRIMARY KEY,
  chat_type     TEXT NOT NULL,
  last_user_id  TEXT NOT NULL,
  first_seen_at TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL
) WITHOUT ROWID;
