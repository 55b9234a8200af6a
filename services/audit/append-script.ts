import { LuaScript } from '../runs/lua-script.js';
import { GENESIS_HASH } from './types.js';

/**
 * Appends one entry if the log still ends where the caller read it. Redis' Lua has no sha256,
 * so the hash is computed in Node over the tail it read; this script is the compare-and-set
 * that keeps the chain single under many concurrent appenders.
 *
 * KEYS: seq, tail, entries, by-key, run index, user index.
 * ARGV: expected last sequence, expected tail hash, idempotency key, new id, new hash, entry JSON.
 * Returns {'exists', id} (the key was logged before), {'stale'} (someone appended first: read
 * again and retry) or {'ok'}.
 */
export const appendEntryScript = new LuaScript(`
local existing = redis.call('HGET', KEYS[4], ARGV[3])
if existing then return {'exists', existing} end
local sequence = tonumber(redis.call('GET', KEYS[1]) or '0')
local tail = redis.call('GET', KEYS[2]) or '${GENESIS_HASH}'
if sequence ~= tonumber(ARGV[1]) or tail ~= ARGV[2] then return {'stale'} end
redis.call('SET', KEYS[1], sequence + 1)
redis.call('SET', KEYS[2], ARGV[5])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[6])
redis.call('HSET', KEYS[4], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[5], sequence + 1, ARGV[4])
redis.call('ZADD', KEYS[6], sequence + 1, ARGV[4])
return {'ok'}
`);
