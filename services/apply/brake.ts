import type { ReclaimConfig } from '../../config/schema.js';
import type { Run } from '../runs/types.js';

export interface BrakeDecision {
  hold: boolean;
  /** Why the run waits for approval; empty when it may go on. */
  reasons: string[];
}

/**
 * The blast-radius brake: an apply run whose plan touches more users than `brake.maxActions`,
 * or more than `brake.maxPercentOfUsers` % of the users scanned, waits for a person to approve
 * it; so does a run whose external directory was not believed.
 */
export function checkBrake(run: Run, usersTouched: number, brake: ReclaimConfig['brake']): BrakeDecision {
  const reasons: string[] = [];
  const scanned = run.counters.total ?? run.counters.scanned;
  if (usersTouched > brake.maxActions) {
    reasons.push(`the plan touches ${usersTouched} users, more than brake.maxActions ${brake.maxActions}`);
  }
  const percent = scanned > 0 ? (usersTouched / scanned) * 100 : 0;
  if (percent > brake.maxPercentOfUsers) {
    reasons.push(
      `the plan touches ${percent.toFixed(1)}% of the ${scanned} users scanned, more than brake.maxPercentOfUsers ${brake.maxPercentOfUsers}%`,
    );
  }
  for (const directory of run.directories ?? []) {
    if (!directory.trusted)
      reasons.push(`directory ${directory.source} was not believed: ${directory.reason ?? 'unknown reason'}`);
  }
  return { hold: reasons.length > 0, reasons };
}
