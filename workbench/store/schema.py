"""The schema and its migrations. `MIGRATIONS[n]` upgrades a database at user_version n to
n + 1: append, never edit (a database made by any earlier workbench must upgrade).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

SCHEMA_VERSION = 5

_SCHEMA_V1 = """
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    story_id TEXT NOT NULL REFERENCES stories(id),
    source TEXT NOT NULL,
    title TEXT,
    outlet TEXT,
    published TEXT,
    url TEXT,
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX articles_story ON articles(story_id, source);
CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('claim', 'boilerplate', 'heading')),
    ordinal INTEGER NOT NULL
);
CREATE INDEX claims_article ON claims(article_id, ordinal);
CREATE TABLE candidates (
    story_id TEXT NOT NULL REFERENCES stories(id),
    claim_id TEXT NOT NULL REFERENCES claims(id),
    candidate_id TEXT NOT NULL REFERENCES claims(id),
    rank INTEGER NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (claim_id, candidate_id)
);
CREATE INDEX candidates_story ON candidates(story_id, rank, score, claim_id, candidate_id);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    reviewer TEXT NOT NULL,
    mode TEXT NOT NULL,
    started_at TEXT NOT NULL,
    host TEXT,
    pid INTEGER
);
CREATE TABLE marks (
    id TEXT PRIMARY KEY,
    pair_id TEXT NOT NULL,
    claim_a TEXT NOT NULL REFERENCES claims(id),
    claim_b TEXT NOT NULL REFERENCES claims(id),
    label TEXT CHECK (label IS NULL OR label IN ('agree', 'contradict', 'unrelated', 'unsure')),
    reviewer TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    session_id TEXT REFERENCES sessions(id),
    action TEXT NOT NULL CHECK (action IN ('mark', 'undo', 'final')),
    undoes TEXT REFERENCES marks(id),
    CHECK (claim_a < claim_b),
    CHECK (action = 'undo' OR label IS NOT NULL)
);
CREATE INDEX marks_pair ON marks(pair_id, reviewer, created_at);
CREATE INDEX marks_reviewer ON marks(reviewer, created_at);
CREATE INDEX marks_undoes ON marks(undoes);
CREATE INDEX marks_claim_a ON marks(claim_a);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# Version 2: claims get an integer key (the rowid, kept, so the full-text index stays
# valid) and their normalised words (computed once, at import), and candidates are stored by those keys: what review needs, O(claims x k) rows
# with no secondary index (a text-keyed row and its covering index cost ~10x the time).
_CANDIDATES_V2 = """
CREATE TABLE candidates (
    -- Derived rows (`workbench align` rebuilds them), keyed by claims.key; no foreign key
    -- clause: checking two keys per row would double the cost of storing a story's rows.
    a INTEGER NOT NULL,  -- the proposing claim
    b INTEGER NOT NULL,  -- its candidate, in another article
    score REAL NOT NULL,                        -- similarity, 0-100
    rank INTEGER NOT NULL,                      -- b's rank among a's candidates in b's article
    discrepancy REAL NOT NULL DEFAULT 0,        -- 0-100: likely one fact told two ways
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
"""

_MIGRATE_1_TO_2 = (
    """
CREATE TABLE claims_v2 (
    key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL REFERENCES articles(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('claim', 'boilerplate', 'heading')),
    ordinal INTEGER NOT NULL,
    norm TEXT  -- the words the aligner matches (textnorm.normalize); NULL until computed
);
INSERT INTO claims_v2 (key, id, article_id, start, "end", text, kind, ordinal)
    SELECT rowid, id, article_id, start, "end", text, kind, ordinal FROM claims;
CREATE TABLE candidates_v1 AS SELECT claim_id, candidate_id, rank, score FROM candidates
    WHERE rank = 1;
DROP TABLE candidates;
DROP TABLE claims;
ALTER TABLE claims_v2 RENAME TO claims;
CREATE INDEX claims_article ON claims(article_id, ordinal);
CREATE TRIGGER "claims_ai" AFTER INSERT ON "claims" BEGIN
  INSERT INTO "claims_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
CREATE TRIGGER "claims_ad" AFTER DELETE ON "claims" BEGIN
  INSERT INTO "claims_fts" ("claims_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
END;
CREATE TRIGGER "claims_au" AFTER UPDATE ON "claims" BEGIN
  INSERT INTO "claims_fts" ("claims_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
  INSERT INTO "claims_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
"""
    + _CANDIDATES_V2
    + """
-- What the review queue used (each claim's best candidate in every other article) is kept;
-- `workbench align` recomputes the rest with the current aligner.
INSERT INTO candidates (a, b, score, rank)
    SELECT ca.key, cb.key, k.score, k.rank FROM candidates_v1 k
    JOIN claims ca ON ca.id = k.claim_id JOIN claims cb ON cb.id = k.candidate_id;
DROP TABLE candidates_v1;
"""
)


# Version 3: the store indexes an article's claims for search itself, in one statement
# after inserting them; a trigger fired per row cost ten times as much (the INSERT of a
# 4,000-claim story's claims, timed alone: 0.16 s with it, 0.02 s without). The delete
# and update triggers stay.
_MIGRATE_2_TO_3 = """
DROP TRIGGER IF EXISTS "claims_ai";
"""


# Version 4: each claim's traits (hints.claim_traits: a bare reply? anything a discrepancy
# check compares?), computed at import like its words; NULL until computed. The aligner
# asked them of every claim of a story on every run (a 100-article story: about a tenth of
# adding one article to it). The search index follows a claim's text only: storing a
# claim's words or traits no longer rewrites its index entry.
_MIGRATE_3_TO_4 = """
ALTER TABLE claims ADD COLUMN traits INTEGER;
DROP TRIGGER IF EXISTS "claims_au";
CREATE TRIGGER "claims_au" AFTER UPDATE OF "text" ON "claims" BEGIN
  INSERT INTO "claims_fts" ("claims_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
  INSERT INTO "claims_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
"""


# Version 5: each claim's vector from the database's sentence encoder, if it has one
# (workbench.encoders: float16, unit length; NULL until computed, and for boilerplate).
# Encoding is the slow part of using one (`workbench align --encoder` on 2,794 claims took
# 24-28 s, most of it the model): each claim is encoded once, and the views rank from the
# stored vectors without loading the model.
_MIGRATE_4_TO_5 = """
ALTER TABLE claims ADD COLUMN vector BLOB;
"""


def _migrate_0_to_1(db: sqlite_utils.Database) -> None:
    # sqlite-utils runs a script statement by statement inside an open transaction
    # (plain sqlite3.executescript would commit the migration half way).
    db.executescript(_SCHEMA_V1)
    db["claims"].enable_fts(["text"], create_triggers=True, tokenize="porter")


def _migrate_1_to_2(db: sqlite_utils.Database) -> None:
    db.executescript(_MIGRATE_1_TO_2)


def _migrate_2_to_3(db: sqlite_utils.Database) -> None:
    db.executescript(_MIGRATE_2_TO_3)


def _migrate_3_to_4(db: sqlite_utils.Database) -> None:
    db.executescript(_MIGRATE_3_TO_4)


def _migrate_4_to_5(db: sqlite_utils.Database) -> None:
    db.executescript(_MIGRATE_4_TO_5)


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {
    0: _migrate_0_to_1,
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
    4: _migrate_4_to_5,
}
