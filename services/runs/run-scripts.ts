import { LuaScript } from './lua-script.js';

/*
 * Lua for the run record. Each script is one atomic step, so that with many workers a run is
 * created once under its id and moves through a transition exactly once.
 */

/**
 * KEYS: record, index, sequence. ARGV: id, doc, status, now.
 * Returns 0 when the id is taken (the caller draws another).
 */
export const createRunScript = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'status', ARGV[3], 'createdAt', ARGV[4], 'updatedAt', ARGV[4])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
return 1
`);

/**
 * Compare-and-set of the status. KEYS: record. ARGV: to, now, reason ('' = none),
 * timestamp field ('' = none), then the statuses the run may be in for the move to happen.
 * Returns 1 when this call moved the run.
 */
export const transitionScript = new LuaScript(`
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return 0 end
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
 * Sets one field of an existing run, never creating a partial record for an unknown id.
 * KEYS: record. ARGV: now, 'set' | 'setnx', field, value. Returns 1 when the field was written.
 */
export const setRunFieldScript = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] == 'setnx' then
  if redis.call('HSETNX', KEYS[1], ARGV[3], ARGV[4]) == 0 then return 0 end
else
  redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[1])
return 1
`);

/** KEYS: record, notes. ARGV: note, now. Returns 1 when the run exists and got the note. */
export const addRunNoteScript = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[2])
return 1
`);
