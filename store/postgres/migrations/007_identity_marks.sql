-- The PostgreSQL form of store/migrations/013_identity_marks.sql: the group filter's keyed
-- hashes of the names and numbers on file, and how far they are filled.
CREATE TABLE identity_marks (
  mark    text COLLATE "C" NOT NULL,
  case_id integer NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  town    text NOT NULL DEFAULT '{{town}}' CHECK (town = '{{town}}'),
  PRIMARY KEY (mark, case_id)
);
CREATE INDEX identity_marks_case ON identity_marks(case_id);
CREATE TABLE identity_mark_fill (
  one          integer PRIMARY KEY CHECK (one = 1),
  scheme       text COLLATE "C" NOT NULL DEFAULT '',
  through      integer NOT NULL DEFAULT 0,
  longest_name integer NOT NULL DEFAULT 0,
  town         text NOT NULL DEFAULT '{{town}}' CHECK (town = '{{town}}')
);
