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
  -- sha256 hex of prev_hash || entry.
  hash text NOT NULL,
  -- The entry's canonical JSON without its hash, exactly as hashed.
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

-- The end of the chain, in one row: an append locks it (SELECT … FOR UPDATE), so appenders take
-- their turn, and moves it to the entry it inserted. It also tells `audit verify` where the log
-- ends, so that removing the last entries shows. The application's role may move it, never add
-- or remove the row.
CREATE TABLE audit_tail (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_tail (only_row, seq, hash) VALUES (true, 0, repeat('0', 64));

REVOKE ALL ON audit_tail FROM PUBLIC;
GRANT SELECT, UPDATE ON audit_tail TO reclaim_app;

-- Down Migration
DROP TABLE audit_tail;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
