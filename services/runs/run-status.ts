import type { RunStatus } from './types.js';

/*
 * The run's status machine. `planned → applying` is allowed because an apply run under the
 * blast-radius brake goes straight on without waiting for approval.
 */

const NEXT: Record<RunStatus, readonly RunStatus[]> = {
  scanning: ['evaluating', 'failed', 'cancelled'],
  evaluating: ['planned', 'failed', 'cancelled'],
  planned: ['awaiting-approval', 'applying', 'done', 'failed', 'cancelled'],
  'awaiting-approval': ['applying', 'failed', 'cancelled'],
  applying: ['done', 'failed', 'cancelled'],
  done: [],
  failed: [],
  cancelled: [],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return NEXT[from].includes(to);
}

export function isFinal(status: RunStatus): boolean {
  return NEXT[status].length === 0;
}

/** The timestamp field a status stamps when the run enters it. */
export function timestampFieldFor(status: RunStatus): 'plannedAt' | 'finishedAt' | undefined {
  if (status === 'planned') return 'plannedAt';
  return isFinal(status) ? 'finishedAt' : undefined;
}
