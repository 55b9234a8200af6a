import { randomBytes } from 'node:crypto';
import { deletePrefixKeys } from '../../runtime/prefix-keys.js';

/*
 * Each test file gets its own key prefix on the shared Redis and removes every key under it
 * afterwards, so test files never see each other's jobs and leave nothing behind.
 */

/** The Redis the suite uses, set by the root hooks (REDIS_URL, 6379, or a throwaway server). */
export function testRedisUrl(): string {
  const url = process.env.RECLAIM_TEST_REDIS_URL;
  if (!url) throw new Error('the root hooks did not set RECLAIM_TEST_REDIS_URL');
  return url;
}

export function uniquePrefix(label: string): string {
  return `test-${label.replace(/[^A-Za-z0-9_-]/g, '')}-${randomBytes(4).toString('hex')}`;
}

/** Removes every key of a test's prefix. */
export function deletePrefix(prefix: string): Promise<number> {
  return deletePrefixKeys(testRedisUrl(), prefix);
}

/** A prefix for one test file, with its keys removed after the file's tests. */
export function usePrefix(label: string): { readonly prefix: string } {
  const holder = { prefix: uniquePrefix(label) };
  after(async () => {
    await deletePrefix(holder.prefix);
  });
  return holder;
}
