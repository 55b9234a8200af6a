import type { PolicyConfig } from '../../config/schema.js';
import { offboardActions } from './planned-actions.js';
import { isRuleInScope, outOfRunScopeReason } from './run-scope.js';
import type { Evaluation, PolicyContext, Reason, UserFacts } from './types.js';

/*
 * left-company: the external directory says the user is absent or disabled. The directory
 * fact is only `absent` or `disabled` when the directory was believed this run (the circuit
 * breaker turns an untrusted answer into `unknown`); an unknown status never offboards.
 */

/** The outcome of the leaver rule: a verdict, or reasons to carry on to the login rules. */
export type LeaverOutcome = { evaluation: Evaluation } | { context: Reason[] };

function directoryReason(facts: UserFacts): Reason | undefined {
  const directory = facts.directory;
  switch (directory.status) {
    case 'not-configured':
      return undefined;
    case 'active':
    case 'disabled':
      return {
        signal: 'directory',
        rule: `${directory.status} in ${directory.source}`,
        ...(directory.attribute === undefined ? {} : { value: directory.attribute }),
      };
    case 'absent':
      return { signal: 'directory', rule: `not found in ${directory.source}` };
    case 'not-applicable':
      return {
        signal: 'directory',
        rule: `outside the scope of ${directory.source}, so not a leaver by it`,
        value: directory.reason,
      };
    case 'unknown':
      return {
        signal: 'directory',
        rule: `status in ${directory.source} unknown, so not treated as a leaver`,
        value: directory.reason,
      };
  }
}

export function leaverRule(facts: UserFacts, policy: PolicyConfig, ctx: PolicyContext): LeaverOutcome {
  const reason = directoryReason(facts);
  if (reason === undefined) return { context: [] };
  const status = facts.directory.status;

  if (status === 'absent' || status === 'disabled') {
    if (!isRuleInScope('left-company', ctx))
      return { context: [reason, outOfRunScopeReason('left-company', ctx)] };
    const work = offboardActions(facts, policy, ctx);
    return {
      evaluation: { verdict: 'left-company', reasons: [reason, ...work.reasons], actions: work.actions },
    };
  }
  // A run limited to left-company cannot decide anything when the directory is unknown.
  if (status === 'unknown' && ctx.only === 'left-company') {
    return { evaluation: { verdict: 'undetermined', reasons: [reason], actions: [] } };
  }
  return { context: [reason] };
}
