import { orderActions } from '../actions/action-order.js';
import type { ActionStep } from '../../queues/payloads.js';
import type { Verdict } from '../policy/types.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { PlanLine, Run } from '../runs/types.js';

/** The verdicts that carry actions. */
const ACTING_VERDICTS: Verdict[] = ['left-company', 'never-logged-in', 'inactive'];

/** The plan's lines that have actions, read verdict by verdict at constant memory. */
export async function* linesWithActions(plans: PlanStore, runId: string): AsyncGenerator<PlanLine> {
  for (const verdict of ACTING_VERDICTS) {
    for await (const line of plans.stream(runId, { verdict })) {
      if (line.actions.length > 0) yield line;
    }
  }
}

export async function countUsersWithActions(plans: PlanStore, runId: string): Promise<number> {
  let users = 0;
  for await (const _line of linesWithActions(plans, runId)) users += 1;
  return users;
}

/** Who a run's changes are made for, as the audit log names them. */
export function actorOf(run: Run): string {
  const { type, by, schedule } = run.trigger;
  return [type, by ?? schedule].filter(Boolean).join(':');
}

/** The first step of a user's chain: the plan's actions in the safe order. */
export function firstStep(run: Run, line: PlanLine): ActionStep {
  return {
    runId: run.id,
    user: { key: line.key, name: line.name },
    actions: orderActions(line.actions),
    index: 0,
    planned: { lastLogin: line.lastLogin, verdict: line.verdict },
    actor: actorOf(run),
  };
}
