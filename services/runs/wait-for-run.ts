import type { RunStore } from './run-store.js';
import type { Run } from './types.js';

/** A run is settled when it is over, or waits for a person (held by the brake). */
export function isSettled(run: Run): boolean {
  return ['done', 'failed', 'cancelled', 'awaiting-approval'].includes(run.status);
}

export interface WaitOptions {
  /** Called with every reading of the run (a progress bar). */
  onUpdate?(run: Run): void;
  pollMs?: number;
  /** Give up (throw) after this long; default: wait as long as it takes. */
  timeoutMs?: number;
}

/** Reads the run until it settles; returns its final record. */
export async function waitForRun(runs: RunStore, id: string, options: WaitOptions = {}): Promise<Run> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (;;) {
    const run = await runs.get(id);
    if (!run) throw new Error(`no run ${id}`);
    options.onUpdate?.(run);
    if (isSettled(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status} after ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}
