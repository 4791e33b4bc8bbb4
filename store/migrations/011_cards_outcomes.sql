-- Cards the bot sent, by task_id: whom each asked, in which of their turns and which question,
-- so a tap after a restart is still judged (taken while current, refused politely when stale)
-- instead of every card expiring with the process. A card lives a bounded time (expires_at).
-- body holds the card's title and choices, encrypted with the data key when one is set.
CREATE TABLE sent_cards (
  task_id    TEXT PRIMARY KEY,
  chat_id    TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  for_user   TEXT,
  turn       INTEGER NOT NULL,
  card_key   TEXT,
  standing   INTEGER NOT NULL DEFAULT 0,
  body       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sent_cards_expiry ON sent_cards(expires_at);

-- The last thing the bot said to each person in each conversation: its turn number, the
-- question it asks, and the reply itself (encrypted) to show again after a tap on a stale card.
CREATE TABLE conversation_turns (
  chat_id    TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  turn       INTEGER NOT NULL,
  card_key   TEXT,
  reply      TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (chat_id, user_id)
) WITHOUT ROWID;
CREATE INDEX conversation_turns_age ON conversation_turns(updated_at);

-- What a dialog ended with (a case saved), per (user, chat), for a while: a 「确认」 typed again
-- after the answer was lost gets that answer again. reply is encrypted with the data key.
CREATE TABLE dialog_outcomes (
  user_id TEXT NOT NULL,
  chat_id TEXT NOT NULL,
  kind    TEXT NOT NULL,
  reply   TEXT NOT NULL,
  done_at TEXT NOT NULL,
  PRIMARY KEY (user_id, chat_id)
) WITHOUT ROWID;
CREATE INDEX dialog_outcomes_age ON dialog_outcomes(done_at);
