-- Soft delete: a deleted draft answers like an unknown one, can be brought
-- back for 30 days, then is purged.
ALTER TABLE drafts ADD COLUMN deleted_at INTEGER;
CREATE INDEX drafts_deleted_at ON drafts (deleted_at) WHERE deleted_at IS NOT NULL;
