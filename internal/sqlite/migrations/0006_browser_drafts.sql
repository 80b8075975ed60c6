-- The drafts each browser opened, for its home page. browser_key is the
-- SHA-256 hash of the browser's id cookie; sealed_token is the draft's edit
-- token encrypted (AES-GCM) under a key derived from that id, so this table
-- alone opens no draft. Purging a draft forgets it everywhere.
CREATE TABLE browser_drafts (
    browser_key  TEXT NOT NULL,
    draft_key    TEXT NOT NULL REFERENCES drafts (key) ON DELETE CASCADE,
    sealed_token BLOB NOT NULL,
    PRIMARY KEY (browser_key, draft_key)
) STRICT, WITHOUT ROWID;

-- For the cascade when a draft is purged.
CREATE INDEX browser_drafts_by_draft ON browser_drafts (draft_key);
