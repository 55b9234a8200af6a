import { stateKey, type RedisClient } from '../../../queues/connection.js';

/*
 * The number of accounts a CSV source held the last time a run believed it: one small key per
 * source under the app's prefix. It is kept here rather than on the run record
 * because the comparison is from run to run — a run record would have to be found among the
 * runs (the last one that read this source, not merely the last one), and a run whose scan
 * failed would have none; the key is also what `reclaim directories check` reads. Every read
 * and write renews its TTL, so it lives as long as a run still reads the source; the key of a
 * source renamed or removed expires on its own.
 *
 * Only a believed file sets it: a file that shrank too much leaves the old count, so the next
 * run compares with it again instead of taking the shrunken file as the new normal.
 */
/** How long a baseline outlives the last run that read its source. */
export const ROW_COUNT_TTL_SECONDS = 400 * 24 * 3600;

export class RowCountBaseline {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  key(source: string): string {
    return stateKey(this.prefix, 'directory', source, 'rows');
  }

  async previous(source: string): Promise<number | undefined> {
    const value = await this.redis.getex(this.key(source), 'EX', ROW_COUNT_TTL_SECONDS);
    return value === null ? undefined : Number(value);
  }

  async record(source: string, rows: number): Promise<void> {
    await this.redis.set(this.key(source), String(rows), 'EX', ROW_COUNT_TTL_SECONDS);
  }
}
