import { fileURLToPath } from 'node:url';

/** A small enterprise (profile dc10): two directories, one read-only, and an SCIM directory. */
export const SMALL_ENTERPRISE_FIXTURE = fileURLToPath(
  new URL('./small-enterprise.fixture.json', import.meta.url),
);
