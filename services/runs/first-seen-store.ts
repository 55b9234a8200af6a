import type { Redis } from 'ioredis';
import { firstSeenKeys } from './keys.js';
import { LuaScript } from './lua-script.js';

/*
 * Jira exposes no creation date, so "first seen" is Reclaim's own record of the first scan
 * that saw a user: a hash user key → epoch milliseconds, kept at its earliest value, plus the
 * time of the very first scan that recorded anyone (so the policy can date the backlog that
 * scan found with `policy.existingUsersSeenSince`).
 */

/** Users per script call: bounds how long one call holds Redis. */
const BATCH_SIZE = 1000;

/**
 * KEYS: users hash, first-scan string. ARGV: epoch ms, then user keys.
 * Keeps the earliest time for each user and for the first scan; returns each user's time.
 */
const recordFirstSeenScript = new LuaScript(`
local at = tonumber(ARGV[1])
local firstScan = redis.call('GET', KEYS[2])
if not firstScan or at < tonumber(firstScan) then redis.call('SET', KEYS[2], ARGV[1]) end
local seen = {}
for i = 2, #ARGV do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if not current or at < tonumber(current) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1])
    current = ARGV[1]
  end
  seen[#seen + 1] = current
end
return seen
`);

export class FirstSeenStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Records that a scan at `at` saw these users; returns each user's first-seen time. */
  async recordMany(userKeys: string[], at: Date): Promise<Map<string, Date>> {
    const keys = firstSeenKeys(this.prefix);
    const firstSeen = new Map<string, Date>();
    const unique = [...new Set(userKeys)];
    for (let i = 0; i < unique.length; i += BATCH_SIZE) {
      const batch = unique.slice(i, i + BATCH_SIZE);
      const times = (await recordFirstSeenScript.run(
        this.redis,
        [keys.users, keys.firstScan],
        [at.getTime(), ...batch],
      )) as string[];
      batch.forEach((key, j) => firstSeen.set(key, new Date(Number(times[j]))));
    }
    return firstSeen;
  }

  async get(userKey: string): Promise<Date | null> {
    const stored = await this.redis.hget(firstSeenKeys(this.prefix).users, userKey);
    return stored === null ? null : new Date(Number(stored));
  }

  /** When the very first scan recorded anyone; null before any scan. */
  async firstScanAt(): Promise<Date | null> {
    const stored = await this.redis.get(firstSeenKeys(this.prefix).firstScan);
    return stored === null ? null : new Date(Number(stored));
  }
}
