-- Up Migration
-- The role the application's sessions run as (records.appRole). Each table's migration grants
-- it what it needs; it is never the owner, so it cannot grant itself more. Creating it needs
-- CREATEROLE: a login user without it relies on an administrator having created the role.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reclaim_app') THEN
    CREATE ROLE reclaim_app NOLOGIN;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN NULL;
END
$$;

DO $$
BEGIN
  GRANT reclaim_app TO CURRENT_USER;
EXCEPTION
  WHEN OTHERS THEN NULL;
END
$$;

-- Down Migration
