-- Up Migration
-- A finished run's plan: one row per user, archived from Redis once the run is planned (or once
-- it ended while evaluating). The line is kept as columns, so the report filters and a user's
-- history are SQL over indexed columns; the reader builds the plan line back from them.
CREATE TABLE plan_lines (
  run_id text NOT NULL,
  user_key text NOT NULL,
  -- The verdict's position in VERDICTS: pages walk verdict_rank, then user_key (byte order).
  verdict_rank smallint NOT NULL,
  name text NOT NULL,
  display_name text,
  email text,
  active boolean NOT NULL,
  last_login_at timestamptz,
  -- known | never | unknown
  last_login_status text NOT NULL,
  -- The groups of the line's revoke-license actions, as written (licences freed per group).
  licence_groups text[] NOT NULL DEFAULT '{}',
  -- The groups the actions take (licence groups revoked, groups removed), lower-cased: the
  -- report's application and group filters.
  groups_taken text[] NOT NULL DEFAULT '{}',
  -- Name, display name and e-mail address, lower-cased, joined by U+0001: the report's text filter.
  search text NOT NULL,
  -- As the API shows them (json, not jsonb: the keys keep their order).
  actions json NOT NULL,
  reasons json NOT NULL,
  directory text,
  PRIMARY KEY (run_id, user_key)
);
CREATE INDEX plan_lines_page ON plan_lines (run_id, verdict_rank, user_key COLLATE "C");
-- A user's line in every run (user history).
CREATE INDEX plan_lines_by_user ON plan_lines (user_key);
-- The report's group and application filters: a group nobody in the plan loses is answered
-- from the index instead of a walk over the whole verdict.
CREATE INDEX plan_lines_groups_taken ON plan_lines USING gin (groups_taken);

-- One row per run whose plan is archived: written once every line is in plan_lines and counted,
-- before the Redis copy is removed. Readers of a run with a row here read PostgreSQL.
CREATE TABLE plan_archives (
  run_id text PRIMARY KEY,
  rows integer NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);

-- Fresh statistics once a plan is archived, so the planner walks the page index for a report's
-- first page instead of sorting a whole verdict; ANALYZE needs the owner, hence SECURITY DEFINER.
CREATE FUNCTION plan_lines_analyze() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public AS $$
BEGIN
  ANALYZE plan_lines;
END
$$;
REVOKE ALL ON FUNCTION plan_lines_analyze() FROM PUBLIC;

GRANT SELECT, INSERT, UPDATE, DELETE ON plan_lines TO reclaim_app;
GRANT EXECUTE ON FUNCTION plan_lines_analyze() TO reclaim_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON plan_archives TO reclaim_app;

-- Down Migration
DROP FUNCTION plan_lines_analyze();
DROP TABLE plan_archives;
DROP TABLE plan_lines;
