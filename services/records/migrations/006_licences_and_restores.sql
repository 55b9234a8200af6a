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
  kind text NOT NULL,
  requested_at timestamptz NOT NULL,
  state text NOT NULL,
  -- The audit entry of the reclaim it reverses, when it restores one.
  reclaim_entry text,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX restore_ledger_by_user ON restore_ledger (user_key, requested_at);
CREATE INDEX restore_ledger_waiting ON restore_ledger (requested_at) WHERE state = 'waiting';

GRANT SELECT, INSERT, UPDATE, DELETE ON licence_history, restore_ledger TO reclaim_app;

-- Down Migration
DROP TABLE restore_ledger;
DROP TABLE licence_history;
