import { ACTION_TYPES, VERDICTS, type ActionType, type Verdict } from '../policy/types.js';
import type { ActionOutcome, PlanSummary, RunCounters } from './types.js';

/*
 * Field names of a run's counters hash. Workers on many machines update it with HINCRBY, so a
 * counter is one field, never a read-modify-write of a document. The plan scripts build the
 * `verdict:`, `action:` and `freed:` fields in Lua with the same prefixes.
 */

export const COUNTER_FIELDS = {
  scanned: 'scanned',
  scanComplete: 'scanComplete',
  total: 'total',
  evaluated: 'evaluated',
  jiraRequests: 'jiraRequests',
  verdictPrefix: 'verdict:',
  actionPrefix: 'action:',
  freedPrefix: 'freed:',
} as const;

export const OUTCOME_FIELDS: Record<ActionOutcome, string> = {
  done: 'actionsDone',
  failed: 'actionsFailed',
  skipped: 'actionsSkipped',
  'not-possible': 'actionsNotPossible',
};

type CounterHash = Record<string, string>;

function count(hash: CounterHash, field: string): number {
  const value = hash[field];
  return value === undefined ? 0 : Number(value);
}

function byVerdict(hash: CounterHash): Record<Verdict, number> {
  return Object.fromEntries(
    VERDICTS.map((v) => [v, count(hash, COUNTER_FIELDS.verdictPrefix + v)]),
  ) as Record<Verdict, number>;
}

function byAction(hash: CounterHash): Record<ActionType, number> {
  return Object.fromEntries(
    ACTION_TYPES.map((a) => [a, count(hash, COUNTER_FIELDS.actionPrefix + a)]),
  ) as Record<ActionType, number>;
}

function total(hash: CounterHash): number | null {
  return hash[COUNTER_FIELDS.total] === undefined ? null : count(hash, COUNTER_FIELDS.total);
}

export function parseRunCounters(hash: CounterHash): RunCounters {
  return {
    scanned: count(hash, COUNTER_FIELDS.scanned),
    scanComplete: hash[COUNTER_FIELDS.scanComplete] === '1',
    total: total(hash),
    evaluated: count(hash, COUNTER_FIELDS.evaluated),
    byVerdict: byVerdict(hash),
    byAction: byAction(hash),
    jiraRequests: count(hash, COUNTER_FIELDS.jiraRequests),
    actionsDone: count(hash, OUTCOME_FIELDS.done),
    actionsFailed: count(hash, OUTCOME_FIELDS.failed),
    actionsSkipped: count(hash, OUTCOME_FIELDS.skipped),
    actionsNotPossible: count(hash, OUTCOME_FIELDS['not-possible']),
  };
}

export function parsePlanSummary(hash: CounterHash): PlanSummary {
  const licencesFreedByGroup: Record<string, number> = {};
  for (const [field, value] of Object.entries(hash)) {
    // A group whose last revoking line changed verdict stays in the hash at 0.
    if (field.startsWith(COUNTER_FIELDS.freedPrefix) && Number(value) > 0) {
      licencesFreedByGroup[field.slice(COUNTER_FIELDS.freedPrefix.length)] = Number(value);
    }
  }
  return {
    evaluated: count(hash, COUNTER_FIELDS.evaluated),
    total: total(hash),
    scanComplete: hash[COUNTER_FIELDS.scanComplete] === '1',
    byVerdict: byVerdict(hash),
    byAction: byAction(hash),
    licencesFreedByGroup,
  };
}
