-- What the analyst should do about a submission's outcome, decided once by
-- the submitter (internal/dataworks) and kept with the outcome.
ALTER TABLE submissions ADD COLUMN guidance_en TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN guidance_zh TEXT NOT NULL DEFAULT '';
