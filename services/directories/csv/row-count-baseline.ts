import type { Redis } from 'ioredis';
import { stateKey } from '../../../queues/connection.js';

/*
 * The number of accounts a CSV source held the last time a run believed it: one small key per
 * source under the app's prefix, without expiry. It is kept here rather than on the run record
 * because the comparison is from run to run — a run record would have to be found among the
 * runs (the last one that read this source, not merely the last one), and a run whose scan
 * failed would have none; the key is also what `reclaim directories check` reads. It lives as
 * long as the source; a renamed source starts afresh (its old key is a few stray bytes).
 *
 * Only a believed file sets it: a file that shrank too much leaves the old count, so the next
 * run compares with it again instead of taking the shrunken file as the new normal.
 */
export class RowCountBaseline {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  key(source: string): string {
    return stateKey(this.prefix, 'directory', source, 'rows');
  }

  async previous(source: string): Promise<number | undefined> {
    const value = await this.redis.get(this.key(source));
    return value === null ? undefined : Number(value);
  }

  async record(source: string, rows: number): Promise<void> {
    await this.redis.set(this.key(source), String(rows));
  }
}
