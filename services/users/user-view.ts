import type { AuditLog } from '../audit/audit-log.js';
import type { AuditEntry } from '../audit/types.js';
import { JiraNotFoundError } from '../jira/errors.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import type { LastLogin } from '../jira/types.js';
import type { PlannedAction, Reason, Verdict } from '../policy/types.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { RunStore } from '../runs/run-store.js';
import type { Run, RunStatus } from '../runs/types.js';

/** Runs looked at for a user's history, newest first (retention keeps about this many plans). */
const MAX_RUNS = 200;
/** Audit entries shown, newest first. */
const MAX_ACTIONS = 500;

export interface UserView {
  jira: {
    key: string;
    name: string;
    displayName: string | null;
    emailAddress: string | null;
    active: boolean;
    groups: string[];
    lastLogin: LastLogin;
  };
  lastVerdict: {
    runId: string;
    asOf: string;
    verdict: Verdict;
    reasons: Reason[];
    actions: PlannedAction[];
  } | null;
  runs: Array<{ runId: string; asOf: string; status: RunStatus; mode: string; verdict: Verdict }>;
  actions: AuditEntry[];
}

export class UnknownUserError extends Error {
  constructor(readonly username: string) {
    super(`Jira has no user named ${username}`);
    this.name = 'UnknownUserError';
  }
}

/**
 * What Reclaim knows about one user: the facts read live from Jira, the verdict of the newest
 * run whose plan has a line for them (plans are keyed by user key, which survives renames),
 * the verdict of every run whose plan is still kept, and every audited change of the user.
 */
export async function userView(
  deps: { jira: JiraDirectory; runs: RunStore; plans: PlanStore; audit: AuditLog },
  username: string,
): Promise<UserView> {
  let user;
  try {
    user = await deps.jira.getUser(username, { expand: ['groups'] });
  } catch (error) {
    if (error instanceof JiraNotFoundError) throw new UnknownUserError(username);
    throw error;
  }
  const lastLogin = await deps.jira.lastLogin(user);

  // The runs whose plans are kept, newest first; then the user's line in each, found by user
  // key (one query over the archived plans).
  const kept: Run[] = [];
  let before: string | undefined;
  let seen = 0;
  while (seen < MAX_RUNS) {
    const page = await deps.runs.list({ limit: 50, ...(before ? { before } : {}) });
    kept.push(...page.filter((run) => run.planPrunedAt === undefined));
    seen += page.length;
    if (page.length < 50) break;
    before = page[page.length - 1]!.id;
  }
  const lines = await deps.plans.linesOfUser(
    user.key,
    kept.map((run) => run.id),
  );
  const runs: UserView['runs'] = [];
  let lastVerdict: UserView['lastVerdict'] = null;
  for (const run of kept) {
    const line = lines.get(run.id);
    if (line === undefined) continue;
    runs.push({ runId: run.id, asOf: run.asOf, status: run.status, mode: run.mode, verdict: line.verdict });
    lastVerdict ??= {
      runId: run.id,
      asOf: run.asOf,
      verdict: line.verdict,
      reasons: line.reasons,
      actions: line.actions,
    };
  }

  const actions: AuditEntry[] = [];
  for await (const entry of deps.audit.stream({ userKey: user.key })) {
    actions.push(entry);
    if (actions.length > MAX_ACTIONS) actions.shift();
  }
  return {
    jira: {
      key: user.key,
      name: user.name,
      displayName: user.displayName ?? null,
      emailAddress: user.emailAddress ?? null,
      active: user.active,
      groups: user.groups ?? [],
      lastLogin,
    },
    lastVerdict,
    runs,
    actions: actions.reverse(),
  };
}
