-- Up Migration
-- Seats of each managed application over time (the licence monitor; kept 400 days).
CREATE TABLE licence_history (
  application text NOT NULL,
  at timestamptz NOT NULL,
  seats integer,
  used integer NOT NULL,
  PRIMARY KEY (application, at)
);
-- Licences and access given back on login or on request: one row per restore or grant.
CREATE TABLE restore_ledger (
  id text PRIMARY KEY,
  user_key text NOT NULL,
  username text NOT NULL,
  -- restore (what a reclaim took) | grant (an application's default group on login)
  kind text NOT NULL,
  -- poll | webhook | api | cli: how Reclaim learnt of the login, or who asked
  trigger text NOT NULL,
  requested_at timestamptz NOT NULL,
  -- queued | waiting (for a free seat) | done | skipped | not-possible | failed
  state text NOT NULL,
  -- The run whose reclaim it reverses, and that run's last audit entry for the user.
  reclaim_run text,
  reclaim_entry text,
  -- The restore's (or grant's) own audit entry, once logged.
  audit_entry text,
  reason text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The applications it waits for a seat of, the login it answers, …
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX restore_ledger_by_user ON restore_ledger (user_key, requested_at);
CREATE INDEX restore_ledger_waiting ON restore_ledger (requested_at) WHERE state = 'waiting';
-- The users a reclaim took something from and no restore gave it back since: whose logins the
-- poll watches. Kept in step with the audit log (read from restore_cursor's position on).
CREATE TABLE restore_watch (
  user_key text PRIMARY KEY,
  username text NOT NULL,
  run_id text NOT NULL,
  reclaim_entry text NOT NULL,
  reclaimed_at timestamptz NOT NULL,
  deactivated boolean NOT NULL DEFAULT false
);
CREATE INDEX restore_watch_by_name ON restore_watch (lower(username));
-- Positions and figures the restore work keeps between polls (the last audit entry read, …).
CREATE TABLE restore_cursor (
  name text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE, DELETE ON licence_history, restore_ledger TO reclaim_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON restore_watch, restore_cursor TO reclaim_app;

-- Down Migration
DROP TABLE restore_cursor;
DROP TABLE restore_watch;
DROP TABLE restore_ledger;
DROP TABLE licence_history;
