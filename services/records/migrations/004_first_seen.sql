-- Up Migration
-- Jira has no creation date: the first scan that saw a user, kept at its earliest value.
CREATE TABLE first_seen (
  user_key text PRIMARY KEY,
  first_seen_at timestamptz NOT NULL
);
-- Facts about the installation itself, such as when the very first scan recorded anyone
-- ('first-scan-at', ISO 8601).
CREATE TABLE records_meta (
  key text PRIMARY KEY,
  value text NOT NULL
);

GRANT SELECT, INSERT, UPDATE ON first_seen TO reclaim_app;
GRANT SELECT, INSERT, UPDATE ON records_meta TO reclaim_app;

-- Down Migration
DROP TABLE records_meta;
DROP TABLE first_seen;
