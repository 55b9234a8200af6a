import { LuaScript } from './lua-script.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * A set of strings too large for one compact Redis key — a run's million users seen, the
 * members of a licence group — kept as many small hashes instead (`base:0` … `base:N-1`, the
 * member's bucket chosen by a hash of it; the member is a field with an empty value), and
 * its exact size in `base:size`. Redis keeps a hash of at most 128 short fields as one
 * listpack (`hash-max-listpack-entries`, a default production Redis keeps): about 18 bytes a
 * member, against about 60 in one big SET (BENCHMARKS.md, "Redis memory"). 16,384 buckets stay
 * compact up to about 1.5 million members and only cost more beyond, never fail.
 *
 * Adding is one script per call: the members that were not there yet are counted into the size
 * in the same atomic step, so a retried or duplicated add leaves the size exact. Every key gets
 * its TTL with each write (the owner's safety net); the owner removes them all with `keysOf`.
 *
 * The bucket count and the hash are part of the stored layout: every process must use the
 * same, so changing them needs new key names.
 */

export const SET_BUCKETS = 16_384;

/**
 * The bucket of a member: FNV-1a over its UTF-8 bytes, then murmur3's finaliser, modulo
 * SET_BUCKETS: the finaliser mixes every bit of the hash into the low bits the modulo keeps,
 * so keys that differ only in a digit or two (JIRAUSER10001, …) spread as well as any.
 */
export function bucketOf(member: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(member, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % SET_BUCKETS;
}

/** Every key a bucketed set under `base` may have: what its owner removes. */
export function bucketedSetKeys(base: string): string[] {
  return [sizeKey(base), ...Array.from({ length: SET_BUCKETS }, (_, i) => `${base}:${i}`)];
}

function sizeKey(base: string): string {
  return `${base}:size`;
}

/** KEYS: size, then each member's bucket. ARGV: TTL in seconds, then the members. Returns the size. */
const addScript = new LuaScript(`
local ttl = ARGV[1]
local added = 0
local touched = {}
for i = 2, #ARGV do
  local bucket = KEYS[i]
  added = added + redis.call('HSETNX', bucket, ARGV[i], '')
  if not touched[bucket] then
    touched[bucket] = true
    redis.call('EXPIRE', bucket, ttl)
  end
end
local size = redis.call('INCRBY', KEYS[1], added)
redis.call('EXPIRE', KEYS[1], ttl)
return size
`);

/** KEYS: each member's bucket. ARGV: the members. Returns 1/0 per member. */
const hasScript = new LuaScript(`
local found = {}
for i = 1, #ARGV do found[i] = redis.call('HEXISTS', KEYS[i], ARGV[i]) end
return found
`);

/** Members per script call: a scan page is one call. */
const CHUNK = 1000;

export class BucketedSet {
  constructor(
    private readonly redis: RedisClient,
    private readonly base: string,
    private readonly ttlSeconds: number,
  ) {}

  /** Adds the members (any already there are left as they are); returns the set's size after. */
  async add(members: readonly string[]): Promise<number> {
    if (members.length === 0) return this.size();
    let size = 0;
    for (let i = 0; i < members.length; i += CHUNK) {
      const chunk = members.slice(i, i + CHUNK);
      size = Number(
        await addScript.run(
          this.redis,
          [sizeKey(this.base), ...chunk.map((member) => this.bucketKey(member))],
          [this.ttlSeconds, ...chunk],
        ),
      );
    }
    return size;
  }

  /** Whether each member is in the set, in order. */
  async has(members: readonly string[]): Promise<boolean[]> {
    const found: boolean[] = [];
    for (let i = 0; i < members.length; i += CHUNK) {
      const chunk = members.slice(i, i + CHUNK);
      const flags = (await hasScript.run(
        this.redis,
        chunk.map((member) => this.bucketKey(member)),
        [...chunk],
      )) as number[];
      for (const flag of flags) found.push(flag === 1);
    }
    return found;
  }

  /** How many members the set holds (0 when it has none, or is gone). */
  async size(): Promise<number> {
    return Number((await this.redis.get(sizeKey(this.base))) ?? 0);
  }

  private bucketKey(member: string): string {
    return `${this.base}:${bucketOf(member)}`;
  }
}
