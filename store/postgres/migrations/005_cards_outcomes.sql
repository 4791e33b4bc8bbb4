-- Same as store/migrations/011_cards_outcomes.sql: sent cards, conversation turns, dialog outcomes.
CREATE TABLE sent_cards (
  task_id    text COLLATE "C" PRIMARY KEY,
  chat_id    text COLLATE "C" NOT NULL,
  user_id    text COLLATE "C" NOT NULL,
  for_user   text COLLATE "C",
  turn       integer NOT NULL,
  card_key   text COLLATE "C",
  standing   integer NOT NULL DEFAULT 0,
  body       text NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  expires_at text COLLATE "C" NOT NULL,
  town       text NOT NULL DEFAULT '{{town}}' CHECK (town = '{{town}}')
);
CREATE INDEX sent_cards_expiry ON sent_cards(expires_at);

CREATE TABLE conversation_turns (
  chat_id    text COLLATE "C" NOT NULL,
  user_id    text COLLATE "C" NOT NULL,
  turn       integer NOT NULL,
  card_key   text COLLATE "C",
  reply      text,
  updated_at text COLLATE "C" NOT NULL,
  town       text NOT NULL DEFAULT '{{town}}' CHECK (town = '{{town}}'),
  PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX conversation_turns_age ON conversation_turns(updated_at);

CREATE TABLE dialog_outcomes (
  user_id text COLLATE "C" NOT NULL,
  chat_id text COLLATE "C" NOT NULL,
  kind    text COLLATE "C" NOT NULL,
  reply   text NOT NULL,
  done_at text COLLATE "C" NOT NULL,
  town    text NOT NULL DEFAULT '{{town}}' CHECK (town = '{{town}}'),
  PRIMARY KEY (user_id, chat_id)
);
CREATE INDEX dialog_outcomes_age ON dialog_outcomes(done_at);
