-- Up Migration
-- User-update batches (the users API, bulk CSV) and every row with its outcome.
CREATE TABLE batches (
  id text PRIMARY KEY,
  actor text NOT NULL,
  created_at timestamptz NOT NULL,
  status text NOT NULL,
  total integer,
  record jsonb NOT NULL
);
CREATE TABLE batch_rows (
  batch_id text NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  row_number integer NOT NULL,
  username text NOT NULL,
  outcome text NOT NULL,
  row_data jsonb NOT NULL,
  PRIMARY KEY (batch_id, row_number)
);
CREATE INDEX batch_rows_pending ON batch_rows (batch_id) WHERE outcome = 'pending';

GRANT SELECT, INSERT, UPDATE, DELETE ON batches, batch_rows TO reclaim_app;

-- Down Migration
DROP TABLE batch_rows;
DROP TABLE batches;
