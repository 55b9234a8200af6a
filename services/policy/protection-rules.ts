import type { PolicyConfig } from '../../config/schema.js';
import { NameSet, namesIn } from './names.js';
import type { Evaluation, PolicyContext, Reason, UserFacts } from './types.js';

/** What the protection rules look at: who the user is, whether active, and their groups. */
export type ProtectionSubject = Pick<UserFacts, 'key' | 'name' | 'active' | 'groups' | 'jiraDirectory'>;

/** What the protections need of the run: its own account, and the database's admin groups. */
export type ProtectionContext = Pick<PolicyContext, 'ownAccount' | 'adminGroups'>;

/*
 * The rules that protect a user from any reclaim rule: out of scope, exempt, already
 * inactive. They come first and are applied in every run, whatever `--only` says.
 */

/**
 * Jira's administrators are always exempt, even when `policy.skipGroups` is set to a list
 * without them: a run must never lock the people who can undo it out of Jira.
 */
export const BUILT_IN_SKIP_GROUPS: readonly string[] = ['jira-administrators', 'jira-system-administrators'];

/**
 * The groups whose members are always exempt: the built-in ones and `policy.adminGroups` (an
 * instance that renamed its administrators groups). The scan gathers their members whatever
 * `skipGroups` says. A run recorded before `adminGroups` existed has only the built-in ones.
 */
export function adminGroupsOf(policy: PolicyConfig, fromDatabase: readonly string[] = []): string[] {
  const groups = [
    ...BUILT_IN_SKIP_GROUPS,
    ...((policy.adminGroups as string[] | undefined) ?? []),
    ...fromDatabase,
  ];
  return [...new Map(groups.map((group) => [group.toLowerCase(), group])).values()];
}

function noAction(verdict: Evaluation['verdict'], reasons: Reason[]): Evaluation {
  return { verdict, reasons, actions: [] };
}

/**
 * out-of-scope: the user's Jira directory is in `skipDirectories` (by name or id; only known
 * from a source that knows directories, Jira's database), or `onlyGroups` is set and the user
 * is in none of them.
 */
export function outOfScopeRule(facts: ProtectionSubject, policy: PolicyConfig): Evaluation | undefined {
  const directory = facts.jiraDirectory;
  if (directory !== undefined && policy.skipDirectories.length > 0) {
    const names = new NameSet(policy.skipDirectories.filter((entry) => typeof entry === 'string'));
    const ids = new Set(policy.skipDirectories.filter((entry) => typeof entry === 'number'));
    if (names.has(directory.name) || ids.has(directory.id) || names.has(String(directory.id))) {
      return noAction('out-of-scope', [
        {
          signal: 'directory',
          rule: 'in a skipped Jira user directory (skipDirectories)',
          value: `${directory.name} (${directory.id})`,
        },
      ]);
    }
  }
  if (policy.onlyGroups.length === 0) return undefined;
  if (namesIn(facts.groups, new NameSet(policy.onlyGroups)).length > 0) return undefined;
  return noAction('out-of-scope', [
    {
      signal: 'group',
      rule: 'not a member of any processing group (onlyGroups)',
      threshold: policy.onlyGroups.join(', '),
    },
  ]);
}

/**
 * exempt: in a skip group, in an administrators group (built in or `adminGroups`), listed in
 * `skipUsers`, or the account Reclaim itself uses. Each reason names the rule that protected.
 */
export function exemptRule(
  facts: ProtectionSubject,
  policy: PolicyConfig,
  ctx: ProtectionContext = {},
): Evaluation | undefined {
  const reasons: Reason[] = [];
  const configured = namesIn(facts.groups, new NameSet(policy.skipGroups));
  if (configured.length > 0) {
    reasons.push({
      signal: 'group',
      rule: 'member of a skip group (skipGroups)',
      value: configured.join(', '),
    });
  }
  const builtIn = namesIn(facts.groups, new NameSet(adminGroupsOf(policy, ctx.adminGroups))).filter(
    (group) => !configured.includes(group),
  );
  if (builtIn.length > 0) {
    reasons.push({
      signal: 'group',
      rule: 'member of a Jira administrators group (always exempt)',
      value: builtIn.join(', '),
    });
  }
  const skipUsers = new NameSet(policy.skipUsers);
  if (skipUsers.has(facts.name) || skipUsers.has(facts.key)) {
    reasons.push({ signal: 'user', rule: 'listed in skipUsers', value: facts.name });
  }
  if (ctx.ownAccount && isAccount(facts, ctx.ownAccount)) {
    // Taking the licence of the account Reclaim works with would stop every later run and undo.
    reasons.push({
      signal: 'user',
      rule: 'the Jira account Reclaim itself uses (always exempt)',
      value: facts.name,
    });
  }
  return reasons.length > 0 ? noAction('exempt', reasons) : undefined;
}

function isAccount(facts: ProtectionSubject, account: { key: string; name: string }): boolean {
  return facts.key === account.key || new NameSet([account.name]).has(facts.name);
}

/** already-inactive: the Jira account is deactivated; there is nothing left to take back. */
export function alreadyInactiveRule(facts: ProtectionSubject): Evaluation | undefined {
  if (facts.active) return undefined;
  return noAction('already-inactive', [
    { signal: 'account', rule: 'the Jira account is already deactivated' },
  ]);
}

/**
 * The protection that decides this user's verdict before any reclaim rule, if one does: the
 * same rules, in the same order, as the evaluation applies.
 */
export function protectionOf(
  facts: ProtectionSubject,
  policy: PolicyConfig,
  ctx: ProtectionContext = {},
): Evaluation | undefined {
  return outOfScopeRule(facts, policy) ?? exemptRule(facts, policy, ctx) ?? alreadyInactiveRule(facts);
}
