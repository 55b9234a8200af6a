import type { PolicyConfig } from '../../config/schema.js';
import { NameSet, namesIn } from './names.js';
import type { Evaluation, Reason, UserFacts } from './types.js';

/*
 * The rules that protect a user from any reclaim rule: out of scope, exempt, already
 * inactive. They come first and are applied in every run, whatever `--only` says.
 */

/**
 * Jira's administrators are always exempt, even when `policy.skipGroups` is set to a list
 * without them: a run must never lock the people who can undo it out of Jira.
 */
export const BUILT_IN_SKIP_GROUPS: readonly string[] = ['jira-administrators', 'jira-system-administrators'];

function noAction(verdict: Evaluation['verdict'], reasons: Reason[]): Evaluation {
  return { verdict, reasons, actions: [] };
}

/**
 * out-of-scope: `onlyGroups` is set and the user is in none of them. `skipDirectories` needs
 * the user's Jira directory, which Jira's REST API does not tell, so it decides nothing here.
 */
export function outOfScopeRule(facts: UserFacts, policy: PolicyConfig): Evaluation | undefined {
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

/** exempt: in a skip group (configured or built in), or listed in `skipUsers`. */
export function exemptRule(facts: UserFacts, policy: PolicyConfig): Evaluation | undefined {
  const reasons: Reason[] = [];
  const configured = namesIn(facts.groups, new NameSet(policy.skipGroups));
  if (configured.length > 0) {
    reasons.push({
      signal: 'group',
      rule: 'member of a skip group (skipGroups)',
      value: configured.join(', '),
    });
  }
  const builtIn = namesIn(facts.groups, new NameSet(BUILT_IN_SKIP_GROUPS)).filter(
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
  return reasons.length > 0 ? noAction('exempt', reasons) : undefined;
}

/** already-inactive: the Jira account is deactivated; there is nothing left to take back. */
export function alreadyInactiveRule(facts: UserFacts): Evaluation | undefined {
  if (facts.active) return undefined;
  return noAction('already-inactive', [
    { signal: 'account', rule: 'the Jira account is already deactivated' },
  ]);
}
