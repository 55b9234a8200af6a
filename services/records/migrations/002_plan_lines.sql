-- Up Migration
-- A finished run's plan: one row per user, archived from Redis once the run is planned. The
-- columns beside `line` (the plan line as the API shows it) serve the report filters.
CREATE TABLE plan_lines (
  run_id text NOT NULL,
  user_key text NOT NULL,
  -- The verdict's position in VERDICTS: pages walk verdict_rank, then user_key (byte order).
  verdict_rank smallint NOT NULL,
  verdict text NOT NULL,
  name text NOT NULL,
  display_name text,
  email text,
  active boolean NOT NULL,
  last_login_at timestamptz,
  last_login_status text NOT NULL,
  -- The licence groups and groups the plan's actions take.
  groups_taken text[] NOT NULL DEFAULT '{}',
  line jsonb NOT NULL,
  PRIMARY KEY (run_id, user_key)
);
CREATE INDEX plan_lines_page ON plan_lines (run_id, verdict_rank, user_key COLLATE "C");
CREATE INDEX plan_lines_last_login ON plan_lines (run_id, verdict_rank, last_login_at);
CREATE INDEX plan_lines_groups ON plan_lines USING gin (groups_taken);

GRANT SELECT, INSERT, UPDATE, DELETE ON plan_lines TO reclaim_app;

-- Down Migration
DROP TABLE plan_lines;
