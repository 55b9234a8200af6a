import { ACTION_TYPES, VERDICTS } from '../policy/types.js';
import { LuaScript } from './lua-script.js';
import { PLAN_LINE_POSITIONS } from './plan-line-codec.js';
import { COUNTER_FIELDS } from './run-counters.js';

/*
 * Lua for the plan. Recording a line and adjusting the run's counters is one atomic step, so a
 * job delivered twice (BullMQ delivers at least once) leaves the counters as if it ran once.
 */

const counterFieldsOfLine = `
local VERDICTS = cjson.decode('${JSON.stringify(VERDICTS)}')
local ACTIONS = cjson.decode('${JSON.stringify(ACTION_TYPES)}')
-- The verdict index of an encoded line and the counter fields it adds one to.
local function countersOf(encoded)
  local line = cjson.decode(encoded)
  local verdict = line[${PLAN_LINE_POSITIONS.verdict}]
  local fields = { '${COUNTER_FIELDS.verdictPrefix}' .. VERDICTS[verdict + 1] }
  for _, action in ipairs(line[${PLAN_LINE_POSITIONS.actions}]) do
    local actionType = ACTIONS[action[1] + 1]
    fields[#fields + 1] = '${COUNTER_FIELDS.actionPrefix}' .. actionType
    if actionType == 'revoke-license' then
      for _, group in ipairs(action[2]) do
        fields[#fields + 1] = '${COUNTER_FIELDS.freedPrefix}' .. group
      end
    end
  end
  return verdict, fields
end
`;

const completeCheck = `
local function isComplete(countersKey)
  local c = redis.call('HMGET', countersKey, '${COUNTER_FIELDS.scanComplete}', '${COUNTER_FIELDS.total}', '${COUNTER_FIELDS.evaluated}')
  if c[1] ~= '1' then return 0 end
  if tonumber(c[3] or '0') >= tonumber(c[2] or '0') then return 1 end
  return 0
end
`;

/**
 * KEYS: counters, then the plan's sorted set per verdict in VERDICTS order, then the run record.
 * ARGV: user key (no NUL in it), encoded line, repeated for each line of the batch (one run's
 * lines, recorded in order). Returns {isNew, complete, refused} as 1/0 for each line, one after
 * the other; `complete` is set on the batch's last line only, once every listed user is
 * evaluated. A user's line is the member `key NUL line` of its verdict's set (run-keyspace.ts):
 * the user's earlier line, if any, is the one member of the sets in [key NUL, key \1).
 * A run past evaluating (planned, applying, over) has a final plan: a duplicated or late
 * evaluate job is refused here, in the same atomic step, so it can never rewrite a line the
 * brake counted or the apply stage acts on, nor bring back a plan already archived. A run
 * whose record is not in Redis (never created, or over and moved to the records store) is
 * refused the same way: no line is ever written for it.
 */
export const recordPlanLinesScript = new LuaScript(`
${counterFieldsOfLine}
${completeCheck}
local results = {}
local status = redis.call('HGET', KEYS[#KEYS], 'status')
if status ~= 'scanning' and status ~= 'evaluating' then
  for i = 1, #ARGV, 2 do
    results[#results + 1] = 0
    results[#results + 1] = 0
    results[#results + 1] = 1
  end
  return results
end
for i = 1, #ARGV, 2 do
  local key, encoded = ARGV[i], ARGV[i + 1]
  local member = key .. '\\0' .. encoded
  local old, oldSet
  for v = 1, #VERDICTS do
    local found = redis.call('ZRANGEBYLEX', KEYS[v + 1], '[' .. key .. '\\0', '(' .. key .. '\\1', 'LIMIT', 0, 1)
    if found[1] then
      old, oldSet = found[1], KEYS[v + 1]
      break
    end
  end
  local isNew = 0
  if old ~= member then
    if old then
      local _, oldFields = countersOf(string.sub(old, #key + 2))
      for _, field in ipairs(oldFields) do redis.call('HINCRBY', KEYS[1], field, -1) end
      redis.call('ZREM', oldSet, old)
    else
      isNew = 1
      redis.call('HINCRBY', KEYS[1], '${COUNTER_FIELDS.evaluated}', 1)
    end
    local newVerdict, newFields = countersOf(encoded)
    for _, field in ipairs(newFields) do redis.call('HINCRBY', KEYS[1], field, 1) end
    redis.call('ZADD', KEYS[newVerdict + 2], 0, member)
  end
  results[#results + 1] = isNew
  results[#results + 1] = 0
  results[#results + 1] = 0
end
results[#results - 1] = isComplete(KEYS[1])
return results
`);

/** KEYS: counters. ARGV: total. Returns 1 when every listed user is already evaluated. */
export const markScanCompleteScript = new LuaScript(`
${completeCheck}
redis.call('HSET', KEYS[1], '${COUNTER_FIELDS.total}', ARGV[1], '${COUNTER_FIELDS.scanComplete}', '1')
return isComplete(KEYS[1])
`);
