import type { AuditLog } from '../audit/audit-log.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { Run } from '../runs/types.js';
import type { ActionType, Verdict } from '../policy/types.js';

export interface RunSummary {
  run: Run;
  byVerdict: Partial<Record<Verdict, number>>;
  byAction: Partial<Record<ActionType, number>>;
  /** Managed application → users whose licence of it the plan takes back. */
  licencesFreed: Record<string, number>;
  jiraRequestsPer1000Users: number | null;
  /** Apply runs: the actions that did not simply get done, grouped by outcome and reason. */
  exceptions: Array<{ outcome: string; reason: string; count: number }>;
}

const RECLAIMING_VERDICTS: Verdict[] = ['left-company', 'never-logged-in', 'inactive'];

/** The groups that granted each managed application in this run, as the scan recorded them. */
function licenceGroupsByApplication(run: Run): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const [fact, value] of Object.entries(run.jira?.facts ?? {})) {
    if (fact.startsWith('licence:') && typeof value === 'string') {
      map.set(
        fact.slice('licence:'.length),
        new Set(
          value
            .split(',')
            .filter(Boolean)
            .map((g) => g.toLowerCase()),
        ),
      );
    }
  }
  return map;
}

/**
 * A run's figures: counts per verdict and action, and the licences freed per application —
 * a user counts once per application however many of its groups they leave, so this reads
 * the reclaiming lines of the plan rather than adding up group counts.
 */
export async function summarizeRun(plans: PlanStore, run: Run, audit?: AuditLog): Promise<RunSummary> {
  const appGroups = licenceGroupsByApplication(run);
  const licencesFreed: Record<string, number> = Object.fromEntries(
    [...appGroups.keys()].map((app) => [app, 0]),
  );
  // A plan removed by retention left its figure on the run.
  const counted = run.planPrunedAt !== undefined && run.licencesFreed !== undefined;
  if (counted) Object.assign(licencesFreed, run.licencesFreed);
  for (const verdict of counted ? [] : RECLAIMING_VERDICTS) {
    if (!run.counters.byVerdict[verdict]) continue;
    for await (const line of plans.stream(run.id, { verdict })) {
      const revoked = line.actions.flatMap((a) => (a.type === 'revoke-license' ? a.groups : []));
      if (revoked.length === 0) continue;
      const lower = new Set(revoked.map((g) => g.toLowerCase()));
      for (const [app, groups] of appGroups) {
        if ([...groups].some((g) => lower.has(g))) licencesFreed[app]! += 1;
      }
    }
  }
  const nonZero = <K extends string>(counts: Record<K, number>) =>
    Object.fromEntries(Object.entries(counts).filter(([, n]) => (n as number) > 0)) as Partial<
      Record<K, number>
    >;
  const scanned = run.counters.total ?? run.counters.scanned;
  const exceptions = new Map<string, { outcome: string; reason: string; count: number }>();
  if (audit && run.mode === 'apply') {
    for await (const entry of audit.stream({ runId: run.id })) {
      if (entry.action.startsWith('undo:') || entry.outcome === 'done') continue;
      const reason = entry.reason ?? '';
      const key = `${entry.outcome}\u0000${reason}`;
      const current = exceptions.get(key) ?? { outcome: entry.outcome, reason, count: 0 };
      current.count += 1;
      exceptions.set(key, current);
    }
  }
  return {
    run,
    exceptions: [...exceptions.values()].sort((a, b) => b.count - a.count),
    byVerdict: nonZero(run.counters.byVerdict),
    byAction: nonZero(run.counters.byAction),
    licencesFreed,
    jiraRequestsPer1000Users: scanned > 0 ? (run.counters.jiraRequests / scanned) * 1000 : null,
  };
}
