-- Up Migration
-- The audit log: append-only, one hash chain. The application's role may read and append, never
-- change or remove (no UPDATE, DELETE or TRUNCATE granted, and a trigger refuses them for any
-- role that is subject to triggers). `audit verify` recomputes the chain in seq order.
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  action_id text NOT NULL,
  run_id text NOT NULL,
  user_key text NOT NULL,
  at timestamptz NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  -- The entry's canonical JSON, exactly as hashed.
  entry text NOT NULL
);
CREATE INDEX audit_log_by_run ON audit_log (run_id, seq);
CREATE INDEX audit_log_by_user ON audit_log (user_key, seq);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

REVOKE ALL ON audit_log FROM PUBLIC;
GRANT SELECT, INSERT ON audit_log TO reclaim_app;

-- Down Migration
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
