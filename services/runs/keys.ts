import { stateKey } from '../../queues/connection.js';

/*
 * The keys shared by all runs (the index of runs in flight, the sequence); a run's own keys
 * are in run-keyspace.ts. All go through stateKey so they share the
 * prefix's hash tag: one Redis Cluster slot, which the multi-key Lua scripts need.
 */

export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** The runs in flight, in creation order: a run leaves it when it moves to the records store. */
export function runIndexKey(prefix: string): string {
  return stateKey(prefix, 'runs', 'index');
}

/** Creation order of runs: a tie-free score for the index, whatever the clocks of the machines. */
export function runSequenceKey(prefix: string): string {
  return stateKey(prefix, 'runs', 'seq');
}

/** A run's own keys live in run-keyspace.ts; these names stay for the stores that use them. */
export { runRecordKeys as runKeys, runPlanKeys as planKeys } from './run-keyspace.js';

/**
 * Where an earlier version kept first-seen: read once by the one-time import into the records
 * store (first-seen-store.ts), then removed.
 */
export function firstSeenKeys(prefix: string) {
  return {
    users: stateKey(prefix, 'first-seen', 'users'),
    firstScan: stateKey(prefix, 'first-seen', 'first-scan'),
  };
}
