import type { DirectoryCombine } from '../../config/schema.js';
import type { DirectoryFact } from '../policy/types.js';
import { combineDirectoryFacts } from './combine-directory-facts.js';
import { answerFact } from './directory-answer.js';
import type { DirectoryProvider } from './directory-provider.js';

/**
 * The directory facts of a handful of users outside a run (a user's page, a restore), by one
 * lookup per user. A handful of answers cannot be judged by the absent-share breaker, so a
 * run never uses this to offboard; a source that fails makes its facts `unknown`.
 */
export async function lookupDirectoryFacts(
  providers: readonly DirectoryProvider[],
  usernames: readonly string[],
  combine: DirectoryCombine = 'all',
): Promise<Map<string, DirectoryFact>> {
  const perSource = await Promise.all(
    providers.map(async (provider): Promise<(name: string) => DirectoryFact> => {
      try {
        const answers = await provider.lookup(usernames);
        return (name) => {
          const answer = answers.get(name);
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
    usernames.map((name) => [
      name,
      combineDirectoryFacts(
        perSource.map((factOf) => factOf(name)),
        combine,
      ),
    ]),
  );
}
