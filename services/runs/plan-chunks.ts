import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import { VERDICTS } from '../policy/types.js';
import { runPlanKeys } from './run-keyspace.js';

/*
 * The compact form of a plan, written once the run is planned and read from then on. While
 * users are evaluated a plan is a hash (user key → line) plus one sorted set per verdict: easy
 * to update, but each user costs a hash entry and a skiplist node, well over 100 bytes of
 * overhead before any data. A finished plan never changes, so it is rewritten as blocks of
 * CHUNK_LINES lines in page order (verdict, then user key in byte order), each block deflated
 * — the lines of one block share most of their words — and stored as one field of a hash.
 * A sorted set of block ids (verdict index, NUL, first user key) finds the block a cursor
 * points into. The hash field COMPLETE_FIELD is written last: until it is there, readers keep
 * using the live form, so a compaction cut short by a crash is simply done again.
 */

export const CHUNK_LINES = 500;
/** Written last by compactPlan: the compact form is whole. */
export const COMPLETE_FIELD = '#';
const SEPARATOR = '\u0000';

/** One line of a block: the user key and the line as the codec stores it (without the key). */
export interface StoredLine {
  key: string;
  stored: string;
}

export function chunkId(verdictIndex: number, firstKey: string): string {
  return `${verdictIndex}${SEPARATOR}${firstKey}`;
}

export function encodeChunk(lines: StoredLine[]): Buffer {
  // The stored line is a JSON array: the key goes in front, so a block line is JSON too.
  const text = lines.map((l) => `[${JSON.stringify(l.key)},${l.stored.slice(1)}`).join('\n');
  return deflateRawSync(text);
}

export function decodeChunk(block: Buffer): StoredLine[] {
  return inflateRawSync(block)
    .toString('utf8')
    .split('\n')
    .map((text) => {
      // The key is a JSON string at the front: parse only that, and hand on the rest as stored.
      const end = endOfJsonString(text, 1);
      return { key: JSON.parse(text.slice(1, end)) as string, stored: `[${text.slice(end + 1)}` };
    });
}

/** Index just past the JSON string that starts at `start` (an opening quote). */
function endOfJsonString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  throw new Error('a compact plan block holds a malformed line');
}

/** Byte order of UTF-8, as Redis sorts: JavaScript's < compares UTF-16 units instead. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export async function isCompact(redis: Redis, prefix: string, runId: string): Promise<boolean> {
  return (await redis.hexists(runPlanKeys(prefix, runId).chunks, COMPLETE_FIELD)) === 1;
}

/**
 * Rewrites a live plan into its compact form and removes the live form. Idempotent: a plan
 * already compact is left alone; a compaction cut short is started over.
 */
export async function compactPlan(redis: Redis, prefix: string, runId: string): Promise<void> {
  const keys = runPlanKeys(prefix, runId);
  if (!(await isCompact(redis, prefix, runId))) {
    await redis.unlink(keys.chunks, keys.chunkIndex);
    let total = 0;
    for (let v = 0; v < VERDICTS.length; v++) {
      let after: string | null = null;
      for (;;) {
        const userKeys: string[] = await redis.zrangebylex(
          keys.byVerdict[v]!,
          after === null ? '-' : `(${after}`,
          '+',
          'LIMIT',
          0,
          CHUNK_LINES,
        );
        if (userKeys.length === 0) break;
        const stored = await redis.hmget(keys.lines, ...userKeys);
        const lines = userKeys.flatMap((key, i) => (stored[i] == null ? [] : [{ key, stored: stored[i]! }]));
        if (lines.length > 0) {
          const id = chunkId(v, lines[0]!.key);
          await redis.multi().hset(keys.chunks, id, encodeChunk(lines)).zadd(keys.chunkIndex, 0, id).exec();
          total += lines.length;
        }
        after = userKeys.at(-1)!;
      }
    }
    await redis.hset(keys.chunks, COMPLETE_FIELD, total);
  }
  await redis.unlink(keys.lines, ...keys.byVerdict);
}

/**
 * The lines of verdict `verdictIndex` after `afterKey` (null: from the first), in page order,
 * at most `limit` of them, reading a block at a time.
 */
export async function readCompactLines(
  redis: Redis,
  prefix: string,
  runId: string,
  verdictIndex: number,
  afterKey: string | null,
  limit: number,
): Promise<StoredLine[]> {
  const keys = runPlanKeys(prefix, runId);
  const lowest = `[${verdictIndex}${SEPARATOR}`;
  const beyond = `(${verdictIndex}\u0001`;
  // The block holding afterKey is the last one that starts at or before it.
  let startAt = lowest;
  if (afterKey !== null) {
    const [holding] = await redis.zrevrangebylex(
      keys.chunkIndex,
      `[${chunkId(verdictIndex, afterKey)}`,
      lowest,
      'LIMIT',
      0,
      1,
    );
    if (holding !== undefined) startAt = `[${holding}`;
  }
  const found: StoredLine[] = [];
  while (found.length < limit) {
    const ids = await redis.zrangebylex(keys.chunkIndex, startAt, beyond, 'LIMIT', 0, 2);
    if (ids.length === 0) break;
    const blocks = await redis.hmgetBuffer(keys.chunks, ...ids);
    for (const block of blocks) {
      if (block === null) continue;
      for (const line of decodeChunk(block)) {
        if (afterKey !== null && compareKeys(line.key, afterKey) <= 0) continue;
        if (found.length < limit) found.push(line);
      }
    }
    startAt = `(${ids.at(-1)!}`;
  }
  return found;
}

/** The stored line of one user in a compact plan, or null. */
export async function findCompactLine(
  redis: Redis,
  prefix: string,
  runId: string,
  userKey: string,
): Promise<{ verdictIndex: number; line: StoredLine } | null> {
  const keys = runPlanKeys(prefix, runId);
  const pipeline = redis.pipeline();
  for (let v = 0; v < VERDICTS.length; v++) {
    pipeline.zrevrangebylex(keys.chunkIndex, `[${chunkId(v, userKey)}`, `[${v}${SEPARATOR}`, 'LIMIT', 0, 1);
  }
  const replies = (await pipeline.exec()) ?? [];
  for (let v = 0; v < VERDICTS.length; v++) {
    const [error, ids] = replies[v] ?? [];
    if (error) throw error;
    const id = (ids as string[])[0];
    if (id === undefined) continue;
    const block = await redis.hgetBuffer(keys.chunks, id);
    const line = block === null ? undefined : decodeChunk(block).find((l) => l.key === userKey);
    if (line) return { verdictIndex: v, line };
  }
  return null;
}
