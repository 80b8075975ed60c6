-- What made each revision, so history can show editing sessions and named
-- versions: kind (create, edit, version, restore), a named version's
-- message, and the version a restore saved again. Revisions written before
-- this migration are edits, except each draft's first.
ALTER TABLE revisions ADD COLUMN kind TEXT NOT NULL DEFAULT 'edit' CHECK (kind IN ('create', 'edit', 'version', 'restore'));
ALTER TABLE revisions ADD COLUMN message TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN restored_from INTEGER;
UPDATE revisions SET kind = 'create' WHERE version = 1;
