-- Up Migration
-- User-update batches (the users API, bulk CSV): the record with a count per outcome, kept in
-- step with the rows by the statement that records each outcome. `total` is null while rows are
-- still being received. A batch is kept BATCH_RETAIN_DAYS after `updated_at`, its last change;
-- the audit log keeps its changes for good.
CREATE TABLE batches (
  id text PRIMARY KEY,
  actor text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  received integer NOT NULL DEFAULT 0,
  total integer,
  pending integer NOT NULL DEFAULT 0,
  done integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  -- The summary of the batch's last undo.
  undo jsonb
);
CREATE INDEX batches_by_last_change ON batches (updated_at);

-- Every row of a batch as received, with its outcome once its job ran.
CREATE TABLE batch_rows (
  batch_id text NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  row_number integer NOT NULL,
  username text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('pending', 'done', 'failed', 'skipped')),
  -- The update the row asked for; null for a row that did not parse.
  update jsonb,
  reason text,
  -- The user's Jira key, once found.
  user_key text,
  changes jsonb,
  -- The user as the row's first attempt read it: what its changes start from.
  subject jsonb,
  PRIMARY KEY (batch_id, row_number)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON batches, batch_rows TO reclaim_app;

-- Down Migration
DROP TABLE batch_rows;
DROP TABLE batches;
