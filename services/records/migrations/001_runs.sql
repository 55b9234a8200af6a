-- Up Migration
-- Every run: the record as the API shows it (counters and notes included). While the run is in
-- flight Redis holds its truth and this row mirrors it, kept current at each status change;
-- once the run is over its whole record is written here (finished_at set) and leaves Redis, and
-- from then on only this row changes. The columns beside the record are for listing.
-- `record` is json, not jsonb: it keeps the text as written, so the order of its keys (verdicts,
-- actions, the licences of the Jira facts) reads back as the run had it; cast it to jsonb to
-- query it.
CREATE TABLE runs (
  id text PRIMARY KEY,
  created_at timestamptz NOT NULL,
  status text NOT NULL,
  mode text NOT NULL,
  finished_at timestamptz,
  record json NOT NULL
);
CREATE INDEX runs_newest_first ON runs (created_at DESC, id DESC);
CREATE INDEX runs_unfinished ON runs (created_at) WHERE finished_at IS NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON runs TO reclaim_app;

-- Down Migration
DROP TABLE runs;
