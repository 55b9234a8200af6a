import type { DirectoryCombine } from '../../config/schema.js';
import type { DirectoryFact } from '../policy/types.js';
import { combineDirectoryFacts } from './combine-directory-facts.js';
import { answerFact } from './directory-answer.js';
import type { DirectoryProvider } from './directory-provider.js';
import { matchKeyOf, noMatchKeyReason, type MatchSubject } from './match-key.js';

/**
 * The directory facts of a handful of users outside a run (a user's page, a restore, the
 * apply re-check), by one lookup per user and source, keyed by username. Each source is asked
 * by its own key: the username, or the e-mail address for a source matched by e-mail (a user
 * without one is `unknown` there). A handful of answers cannot be judged by the absent-share
 * breaker, so a run never uses this to offboard; a source that fails makes its facts `unknown`.
 * A plain string is a user known by username only.
 */
export async function lookupDirectoryFacts(
  providers: readonly DirectoryProvider[],
  users: readonly (string | MatchSubject)[],
  combine: DirectoryCombine = 'all',
): Promise<Map<string, DirectoryFact>> {
  const subjects = users.map((user): MatchSubject => (typeof user === 'string' ? { name: user } : user));
  const perSource = await Promise.all(
    providers.map(async (provider): Promise<(user: MatchSubject) => DirectoryFact> => {
      const keys = subjects.flatMap((user) => matchKeyOf(provider.matchBy, user) ?? []);
      try {
        const answers = keys.length > 0 ? await provider.lookup(keys) : new Map();
        return (user) => {
          const key = matchKeyOf(provider.matchBy, user);
          if (key === undefined)
            return { status: 'unknown', source: provider.name, reason: noMatchKeyReason(provider.name) };
          const answer = answers.get(key);
          if (answer === undefined)
            return { status: 'unknown', source: provider.name, reason: 'not answered' };
          return answerFact(answer, provider.name);
        };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return () => ({ status: 'unknown', source: provider.name, reason });
      }
    }),
  );
  return new Map(
    subjects.map((user) => [
      user.name,
      combineDirectoryFacts(
        perSource.map((factOf) => factOf(user)),
        combine,
      ),
    ]),
  );
}
