-- Submissions to DataWorks: a recorded state machine. The partial unique
-- index allows at most one pending submission per draft, so a double click
-- or two colleagues pressing submit together make exactly one API call.
CREATE TABLE submissions (
    id            INTEGER PRIMARY KEY,
    draft_key     TEXT    NOT NULL REFERENCES drafts (key) ON DELETE CASCADE,
    draft_version INTEGER NOT NULL,
    spec          BLOB    NOT NULL,       -- the exact bytes sent
    project_id    TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    endpoint      TEXT    NOT NULL,       -- real or sandbox
    operation     TEXT    NOT NULL CHECK (operation IN ('create', 'update')),
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'unknown')),
    workflow_id   TEXT    NOT NULL DEFAULT '',
    request_id    TEXT    NOT NULL DEFAULT '',
    http_status   INTEGER NOT NULL DEFAULT 0,
    error_code    TEXT    NOT NULL DEFAULT '',
    error_message TEXT    NOT NULL DEFAULT '', -- redacted
    author        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER
) STRICT;

CREATE UNIQUE INDEX submissions_one_pending ON submissions (draft_key) WHERE state = 'pending';
CREATE INDEX submissions_by_draft ON submissions (draft_key, id);
