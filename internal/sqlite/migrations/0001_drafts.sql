-- Drafts and their revisions. Tokens are never stored: key and view_key are
-- SHA-256 hashes of the edit and view tokens.
CREATE TABLE drafts (
    key        TEXT    PRIMARY KEY,
    view_key   TEXT    NOT NULL UNIQUE,
    view_seq   INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL CHECK (version >= 1),
    project_id TEXT    NOT NULL DEFAULT '',
    region     TEXT    NOT NULL,
    spec       BLOB    NOT NULL,            -- current canonical FlowSpec, uncompressed for fast reads
    author     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,            -- Unix milliseconds
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE revisions (
    draft_key    TEXT    NOT NULL REFERENCES drafts (key) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    base_version INTEGER,                   -- NULL: deflated alone; else deflated with that revision as dictionary
    spec         BLOB    NOT NULL,
    project_id   TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    author       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (draft_key, version)
) STRICT, WITHOUT ROWID;
