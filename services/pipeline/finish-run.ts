import type { Redis } from 'ioredis';
import type { RunStore } from '../runs/run-store.js';
import { MembershipIndex } from './membership-index.js';
import { licenceGroupsKey } from './run-context.js';
import { policyGroups } from './scan-run.js';

export interface FinishDependencies {
  redis: Redis;
  prefix: string;
  runs: RunStore;
}

export const APPLY_NOT_AVAILABLE =
  'apply mode: this version plans but does not execute actions yet; the run stops at "planned"';

/**
 * Every user of the run is evaluated: the run becomes `planned` (exactly once, however many
 * workers report the last user), its scratch data is dropped, and a dry run is done.
 */
export async function finishRun(deps: FinishDependencies, runId: string): Promise<void> {
  const { runs, redis, prefix } = deps;
  await runs.transition(runId, ['evaluating'], 'planned');
  const run = await runs.get(runId);
  if (!run || run.status !== 'planned') return;

  const licenceKey = licenceGroupsKey(prefix, runId);
  const licenceGroups = await redis.smembers(licenceKey);
  await new MembershipIndex(redis, prefix, runId).clear(policyGroups(run.policy, licenceGroups));
  await redis.unlink(licenceKey);

  if (run.mode === 'dry-run') {
    await runs.transition(
      runId,
      ['planned'],
      'done',
      'dry run: the plan is ready; nothing was changed in Jira',
    );
  } else if (!run.notes.includes(APPLY_NOT_AVAILABLE)) {
    await runs.addNote(runId, APPLY_NOT_AVAILABLE);
  }
}
