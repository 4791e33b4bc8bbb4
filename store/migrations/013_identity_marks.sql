-- The group filter's index kept on disk: a keyed hash (HMAC under a sub-key of HUMIAO_DATA_KEY,
-- a plain SHA-256 without a key, when the values themselves are stored in plain text) of every
-- name, ID number and phone number on file, written with the case. A restart then checks a
-- group-bound message with one indexed lookup instead of decrypting every case first.
CREATE TABLE identity_marks (
  mark    TEXT NOT NULL,
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  PRIMARY KEY (mark, case_id)
) WITHOUT ROWID;
CREATE INDEX identity_marks_case ON identity_marks(case_id);
-- How far the marks are filled: every case with an id up to `through` has its marks under the
-- key `scheme` names; cases from before this table are filled once, in the background.
-- `longest_name` bounds how long a stretch of a message has to be looked up as a name.
-- The one row is written with the first mark, so a store without cases holds no rows here.
CREATE TABLE identity_mark_fill (
  one          INTEGER PRIMARY KEY CHECK (one = 1),
  scheme       TEXT NOT NULL DEFAULT '',
  through      INTEGER NOT NULL DEFAULT 0,
  longest_name INTEGER NOT NULL DEFAULT 0
);
