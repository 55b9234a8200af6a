import { stateKey } from '../../queues/connection.js';
import { VERDICTS } from '../policy/types.js';

/*
 * Every key of the run, plan and first-seen stores. All go through stateKey so they share the
 * prefix's hash tag: one Redis Cluster slot, which the multi-key Lua scripts need.
 */

export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export function runIndexKey(prefix: string): string {
  return stateKey(prefix, 'runs', 'index');
}

/** Creation order of runs: a tie-free score for the index, whatever the clocks of the machines. */
export function runSequenceKey(prefix: string): string {
  return stateKey(prefix, 'runs', 'seq');
}

export function runKeys(prefix: string, runId: string) {
  return {
    record: stateKey(prefix, 'run', runId),
    counters: stateKey(prefix, 'run', runId, 'counters'),
    notes: stateKey(prefix, 'run', runId, 'notes'),
  };
}

export function planKeys(prefix: string, runId: string) {
  return {
    lines: stateKey(prefix, 'plan', runId, 'lines'),
    /** One lexically sorted set of user keys per verdict, in VERDICTS order. */
    byVerdict: VERDICTS.map((verdict) => stateKey(prefix, 'plan', runId, 'verdict', verdict)),
  };
}

export function firstSeenKeys(prefix: string) {
  return {
    users: stateKey(prefix, 'first-seen', 'users'),
    firstScan: stateKey(prefix, 'first-seen', 'first-scan'),
  };
}
