import { LuaScript } from './lua-script.js';

/*
 * Lua for the run record. Each script is one atomic step, so that with many workers a run is
 * created once under its id and moves through a transition exactly once.
 *
 * A run lives in Redis while it is in flight. Once it is over, RunStore moves it to the records
 * store: `sealRunScript` marks the record (ARCHIVING_FIELD) and hands back all of it in the same
 * step, and from then on every write script refuses the run with NOT_LIVE, so the caller writes
 * to PostgreSQL instead. Nothing written after the seal can be lost by the removal that follows.
 */

/** Field of a run record that is being moved to the records store. */
export const ARCHIVING_FIELD = 'archiving';

/** What the write scripts return for a run that has no live record (moved, moving or unknown). */
export const NOT_LIVE = -1;

const live = `
local function isLive(record)
  if redis.call('EXISTS', record) == 0 then return false end
  return redis.call('HEXISTS', record, '${ARCHIVING_FIELD}') == 0
end
`;

/**
 * How long a new record lives before it is in the index of runs: creating a run is two steps
 * (the record in the run's slot, the index entry in the installation's, see runs/keys.ts), and
 * a record whose creator died in between is not left behind forever.
 */
export const UNINDEXED_RECORD_TTL_SECONDS = 600;

/**
 * KEYS: record. ARGV: doc, status, now, ttl. Returns 0 when the id is taken (the caller draws
 * another). The record expires after `ttl` until indexRunScript and PERSIST made it a run.
 */
export const createRunScript = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[1], 'status', ARGV[2], 'createdAt', ARGV[3], 'updatedAt', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`);

/** KEYS: index, sequence. ARGV: id. Puts a new run in the index of runs, in creation order. */
export const indexRunScript = new LuaScript(`
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
return 1
`);

/**
 * Compare-and-set of the status. KEYS: record. ARGV: to, now, reason ('' = none),
 * timestamp field ('' = none), then the statuses the run may be in for the move to happen.
 * Returns 1 when this call moved the run, 0 when the run is in another status, NOT_LIVE when
 * Redis has no record of it (a sealed record is final: no status leads anywhere from it).
 */
export const transitionScript = new LuaScript(`
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return ${NOT_LIVE} end
for i = 5, #ARGV do
  if ARGV[i] == current then
    redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updatedAt', ARGV[2])
    if ARGV[3] ~= '' then
      redis.call('HSET', KEYS[1], 'statusReason', ARGV[3])
    else
      redis.call('HDEL', KEYS[1], 'statusReason')
    end
    if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], ARGV[4], ARGV[2]) end
    return 1
  end
end
return 0
`);

/**
 * Sets one field of a live run, never creating a partial record for an unknown id.
 * KEYS: record. ARGV: now, 'set' | 'setnx', field, value. Returns 1 when the field was
 * written, 0 when setnx found it set, NOT_LIVE when the run has no live record.
 */
export const setRunFieldScript = new LuaScript(`
${live}
if not isLive(KEYS[1]) then return ${NOT_LIVE} end
if ARGV[2] == 'setnx' then
  if redis.call('HSETNX', KEYS[1], ARGV[3], ARGV[4]) == 0 then return 0 end
else
  redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[1])
return 1
`);

/** KEYS: record, notes. ARGV: note, now. Returns 1 when the run got the note, else NOT_LIVE. */
export const addRunNoteScript = new LuaScript(`
${live}
if not isLive(KEYS[1]) then return ${NOT_LIVE} end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[2])
return 1
`);

/**
 * HINCRBY on the counters of a live run; a run without a live record gets no counters key.
 * KEYS: record, counters. ARGV: field, increment. Returns 1, or NOT_LIVE.
 */
export const bumpRunCounterScript = new LuaScript(`
${live}
if not isLive(KEYS[1]) then return ${NOT_LIVE} end
redis.call('HINCRBY', KEYS[2], ARGV[1], ARGV[2])
return 1
`);

/**
 * Counts an outcome once per member: SADD to the run's set of counted members and, only when
 * the member is new, HINCRBY — in one step, so a process that dies in between cannot leave a
 * member marked counted and its count missing (a retry would then never count it).
 * KEYS: record, counters, counted set. ARGV: field, increment, member, set TTL (seconds).
 * Returns 1 when counted, 0 when the member was counted before, or NOT_LIVE.
 */
export const bumpRunCounterOnceScript = new LuaScript(`
${live}
if not isLive(KEYS[1]) then return ${NOT_LIVE} end
local added = redis.call('SADD', KEYS[3], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[4])
if added == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[1], ARGV[2])
return 1
`);

/**
 * Seals a run that is over for its move to the records store, and reads all of it in the same
 * step. KEYS: record, counters, notes. ARGV: the final statuses. Returns {record, counters,
 * notes} (HGETALL / LRANGE replies), or false when Redis has no record or the run is not over.
 * Sealing a sealed record again returns the same content: the move can be done over.
 */
export const sealRunScript = new LuaScript(`
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
local final = false
for i = 1, #ARGV do
  if ARGV[i] == status then final = true end
end
if not final then return false end
redis.call('HSET', KEYS[1], '${ARCHIVING_FIELD}', '1')
return { redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('LRANGE', KEYS[3], 0, -1) }
`);

/**
 * Removes a sealed run's keys. KEYS: record, counters, notes. Returns 1 when they went (the
 * caller then takes the run out of the index: another slot), 0 when the record is not sealed.
 */
export const dropSealedRunScript = new LuaScript(`
if redis.call('HEXISTS', KEYS[1], '${ARCHIVING_FIELD}') == 0 then return 0 end
redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3])
return 1
`);
