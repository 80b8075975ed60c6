-- Deliveries belong to the FlowForm instance running them. Each instance
-- renews a lease here while it runs; a pending delivery whose instance's
-- lease ran out (the instance crashed or stopped) is taken over and
-- settled by another instance, or by the same one after a restart, and a
-- live instance's deliveries are never touched.
ALTER TABLE submissions ADD COLUMN owner TEXT NOT NULL DEFAULT '';

CREATE TABLE instances (
    id      TEXT    PRIMARY KEY,
    seen_at INTEGER NOT NULL          -- Unix milliseconds of the last renewal
) STRICT, WITHOUT ROWID;
