import { randomBytes } from 'node:crypto';

let lastMillis = 0;

/**
 * A run id such as `r20261129T130501123Z-4f3a9c`: sorts by creation time, safe in URLs, and
 * usable inside BullMQ job ids (no ":" and never all digits). Ids drawn by one process within
 * the same millisecond take the next millisecond, so they still sort in the order drawn.
 */
export function newRunId(at: Date = new Date()): string {
  lastMillis = Math.max(at.getTime(), lastMillis + 1);
  const stamp = new Date(lastMillis)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d{3})Z$/, '$1Z');
  return `r${stamp}-${randomBytes(3).toString('hex')}`;
}
