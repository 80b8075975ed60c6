-- A submission is now a delivery: a recorded plan of calls (the workflow,
-- then each node), resumable when it stopped part-way ('partial'). The
-- table is rebuilt because SQLite cannot change a CHECK constraint.
CREATE TABLE submissions_new (
    id            INTEGER PRIMARY KEY,
    draft_key     TEXT    NOT NULL REFERENCES drafts (key) ON DELETE CASCADE,
    draft_version INTEGER NOT NULL,
    spec          BLOB    NOT NULL,       -- the draft version delivered
    project_id    TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    endpoint      TEXT    NOT NULL,       -- real or sandbox
    operation     TEXT    NOT NULL CHECK (operation IN ('create', 'update')),
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'unknown', 'partial')),
    workflow_id   TEXT    NOT NULL DEFAULT '',
    request_id    TEXT    NOT NULL DEFAULT '',
    http_status   INTEGER NOT NULL DEFAULT 0,
    error_code    TEXT    NOT NULL DEFAULT '',
    error_message TEXT    NOT NULL DEFAULT '', -- redacted
    author        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    guidance_en   TEXT    NOT NULL DEFAULT '',
    guidance_zh   TEXT    NOT NULL DEFAULT ''
) STRICT;
INSERT INTO submissions_new SELECT id, draft_key, draft_version, spec, project_id, region, endpoint, operation, state,
    workflow_id, request_id, http_status, error_code, error_message, author, created_at, finished_at, guidance_en, guidance_zh
    FROM submissions;
DROP TABLE submissions;
ALTER TABLE submissions_new RENAME TO submissions;
CREATE UNIQUE INDEX submissions_one_pending ON submissions (draft_key) WHERE state = 'pending';
CREATE INDEX submissions_by_draft ON submissions (draft_key, id);

-- Each call of a delivery, recorded before it is sent ('sending') and
-- after it answers.
CREATE TABLE submission_steps (
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    action        TEXT    NOT NULL CHECK (action IN ('CreateWorkflowDefinition', 'UpdateWorkflowDefinition', 'CreateNode', 'UpdateNode', 'DeleteNode')),
    node          TEXT    NOT NULL DEFAULT '', -- the node's id in the draft; '' for the workflow
    name          TEXT    NOT NULL,
    repair        INTEGER NOT NULL DEFAULT 0 CHECK (repair IN (0, 1)),
    target_id     TEXT    NOT NULL DEFAULT '', -- the Id acted on, created or adopted
    spec          BLOB    NOT NULL,            -- exactly as sent
    state         TEXT    NOT NULL CHECK (state IN ('planned', 'sending', 'succeeded', 'adopted', 'failed', 'unknown', 'skipped')),
    tries         INTEGER NOT NULL DEFAULT 0,
    request_id    TEXT    NOT NULL DEFAULT '',
    http_status   INTEGER NOT NULL DEFAULT 0,
    error_code    TEXT    NOT NULL DEFAULT '',
    error_message TEXT    NOT NULL DEFAULT '', -- redacted
    note_en       TEXT    NOT NULL DEFAULT '', -- what FlowForm verified or looked for
    note_zh       TEXT    NOT NULL DEFAULT '',
    started_at    INTEGER,
    finished_at   INTEGER,
    PRIMARY KEY (submission_id, seq)
) STRICT, WITHOUT ROWID;
-- Submissions before this migration were one call each.
INSERT INTO submission_steps (submission_id, seq, action, name, target_id, spec, state, tries, request_id, http_status,
    error_code, error_message, started_at, finished_at)
SELECT id, 1, CASE operation WHEN 'create' THEN 'CreateWorkflowDefinition' ELSE 'UpdateWorkflowDefinition' END, '', workflow_id, spec,
    CASE state WHEN 'succeeded' THEN 'succeeded' WHEN 'failed' THEN 'failed' WHEN 'pending' THEN 'sending' ELSE 'unknown' END,
    1, request_id, http_status, error_code, error_message, created_at, finished_at
FROM submissions;

-- What each draft holds in DataWorks: the workflow it created or opened,
-- as DataWorks last showed it, and the nodes with the spec each was last
-- sent (an update sends only what differs).
CREATE TABLE deliveries (
    draft_key   TEXT PRIMARY KEY REFERENCES drafts (key) ON DELETE CASCADE,
    project_id  TEXT NOT NULL,
    region      TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    live        BLOB              -- NULL until read back
) STRICT;
INSERT INTO deliveries (draft_key, project_id, region, workflow_id)
SELECT draft_key, project_id, region, workflow_id FROM submissions s
WHERE state = 'succeeded' AND workflow_id <> ''
  AND id = (SELECT max(id) FROM submissions WHERE draft_key = s.draft_key AND state = 'succeeded');

CREATE TABLE delivered_nodes (
    draft_key TEXT NOT NULL REFERENCES deliveries (draft_key) ON DELETE CASCADE,
    local_id  TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    sent      BLOB NOT NULL,
    PRIMARY KEY (draft_key, local_id)
) STRICT, WITHOUT ROWID;

-- Settling an unknown create skips workflows another draft holds.
CREATE INDEX deliveries_by_workflow ON deliveries (workflow_id);
