import type { PolicyConfig } from '../../config/schema.js';
import { lastLoginFromField } from '../../services/jira/last-login.js';
import { evaluateUser } from '../../services/policy/evaluate.js';
import type {
  DirectoryFact,
  Evaluation,
  LastLoginFact,
  PolicyContext,
  UserFacts,
  Verdict,
} from '../../services/policy/types.js';
import type { ListedUser } from './jira-reads.js';

/*
 * The decisions of the admin scripts, inline: Reclaim's own pure policy function over the facts
 * the script gathered, so that the scripts and Reclaim differ in how they read Jira and not in
 * the rules. A first run: every user counts as met by the first scan, which
 * `policy.existingUsersSeenSince` then dates, as in Reclaim's first run.
 */

export type VerdictCounts = Partial<Record<Verdict, number>>;

export interface ScriptRunContext {
  policy: PolicyConfig;
  asOf: Date;
  licenceGroups: string[];
  ownAccount: { key: string; name: string };
  /** SCIM userName (lower-cased) → active. */
  directory: Map<string, boolean>;
}

export class Decider {
  readonly counts: VerdictCounts = {};
  private readonly context: PolicyContext;

  constructor(private readonly run: ScriptRunContext) {
    this.context = {
      asOf: run.asOf,
      licenceGroups: new Set(run.licenceGroups.map((group) => group.toLowerCase())),
      firstScanAt: run.asOf,
      ownAccount: run.ownAccount,
    };
  }

  /** The evaluation of one user; `lastLogin` undefined: the listing's `lastLoginTime` field. */
  evaluate(user: ListedUser, groups: string[], lastLogin?: Date | null): Evaluation {
    const facts: UserFacts = {
      key: user.key,
      name: user.name,
      ...(user.displayName !== undefined ? { displayName: user.displayName } : {}),
      ...(user.emailAddress !== undefined ? { emailAddress: user.emailAddress } : {}),
      active: user.active,
      groups,
      lastLogin: lastLoginFact(user, lastLogin),
      firstSeen: this.run.asOf,
      directory: this.directoryOf(user.name),
    };
    return evaluateUser(facts, this.run.policy, this.context);
  }

  count(evaluation: Evaluation): void {
    this.counts[evaluation.verdict] = (this.counts[evaluation.verdict] ?? 0) + 1;
  }

  private directoryOf(name: string): DirectoryFact {
    const active = this.run.directory.get(name.toLowerCase());
    if (active === undefined) return { status: 'absent', source: 'scim' };
    return active ? { status: 'active', source: 'scim' } : { status: 'disabled', source: 'scim' };
  }
}

function lastLoginFact(user: ListedUser, lastLogin: Date | null | undefined): LastLoginFact {
  if (lastLogin === null) return { status: 'never', source: 'crowd-attributes' };
  if (lastLogin !== undefined) return { status: 'known', at: lastLogin, source: 'crowd-attributes' };
  return lastLoginFromField(user.lastLoginTime ?? null);
}
