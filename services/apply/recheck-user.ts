import type { DirectoryCombine, PolicyConfig } from '../../config/schema.js';
import type { UserSnapshot } from '../actions/types.js';
import type { DirectoryProvider } from '../directories/directory-provider.js';
import { lookupDirectoryFacts } from '../directories/lookup-directory-facts.js';
import type { MatchSubject } from '../directories/match-key.js';
import { exemptRule, outOfScopeRule } from '../policy/protection-rules.js';
import type { DirectoryFact, JiraAccount, Reason, UserFacts, Verdict } from '../policy/types.js';

/*
 * Approval of a held run may come days after its plan. Right before a user's first change, the
 * protections are applied again to the user as Jira holds it now, and a leaver's external
 * directory is asked again: a user who joined a skip group, or whom the IdP re-enabled, is
 * skipped instead of offboarded on an old verdict.
 */

export interface RecheckContext {
  /** The policy the run was planned with (`run.policy`). */
  policy: PolicyConfig;
  verdict: Verdict;
  /** The configured external directories, asked again about a leaver. */
  directories: readonly DirectoryProvider[];
  /** How the sources' facts are combined, as in the run (`directories.combine`). */
  combine?: DirectoryCombine;
  /** The Jira account Reclaim works with, as the run recorded it: always exempt. */
  ownAccount?: JiraAccount;
  /** The groups Jira's database said hold the administer permissions, as the run recorded them. */
  adminGroups?: readonly string[];
}

/**
 * Why the user no longer qualifies for the plan's verdict, or undefined when it still holds.
 * Costs Jira nothing: `user` is the re-read the action makes anyway. A leaver costs one lookup
 * per configured directory.
 */
export async function recheckUser(
  user: UserSnapshot & { emailAddress?: string },
  ctx: RecheckContext,
): Promise<string | undefined> {
  const facts = protectionFacts(user);
  const protection =
    outOfScopeRule(facts, ctx.policy) ??
    exemptRule(facts, ctx.policy, {
      ...(ctx.ownAccount ? { ownAccount: ctx.ownAccount } : {}),
      ...(ctx.adminGroups ? { adminGroups: ctx.adminGroups } : {}),
    });
  if (protection) return `now ${protection.reasons.map(describe).join('; ')}: not acted on`;
  if (ctx.verdict !== 'left-company') return undefined;
  return stillLeft(user, ctx.directories, ctx.combine);
}

/**
 * The protection rules read the user's name, key and groups only. The other facts are not
 * known here and are given as unknown, never as absent.
 */
function protectionFacts(user: UserSnapshot): UserFacts {
  return {
    key: user.key,
    name: user.name,
    active: user.active,
    groups: user.groups,
    lastLogin: { status: 'unknown', reason: 'not read by the re-check' },
    firstSeen: null,
    directory: { status: 'unknown', source: 're-check', reason: 'not read by the protection rules' },
  };
}

function describe(reason: Reason): string {
  const detail = reason.value ?? reason.threshold;
  return detail === undefined ? reason.rule : `${reason.rule}: ${detail}`;
}

/**
 * Undefined when the directories still say the user left; otherwise why not. A single lookup
 * cannot be judged by the absent-share breaker, but it never decides a leave here: it can only
 * take back the verdict the run's breaker already judged.
 */
async function stillLeft(
  user: MatchSubject,
  directories: readonly DirectoryProvider[],
  combine: DirectoryCombine = 'all',
): Promise<string | undefined> {
  if (directories.length === 0) return 'no external directory is configured any more: not acted on';
  // Each source by its own key: the username, or the e-mail Jira holds now (`match: email`).
  const subject = { name: user.name, ...(user.emailAddress ? { emailAddress: user.emailAddress } : {}) };
  const fact = (await lookupDirectoryFacts(directories, [subject], combine)).get(user.name);
  return reasonNotLeft(fact ?? { status: 'unknown', source: 're-check', reason: 'not answered' });
}

function reasonNotLeft(fact: DirectoryFact): string | undefined {
  switch (fact.status) {
    case 'absent':
    case 'disabled':
      return undefined;
    case 'active':
      return `now active in ${fact.source}${fact.attribute ? ` (${fact.attribute})` : ''}: not acted on`;
    case 'unknown':
      return `${fact.source} could not confirm now that the user left (${fact.reason}): not acted on`;
    case 'not-configured':
      return 'no external directory is configured any more: not acted on';
  }
}
