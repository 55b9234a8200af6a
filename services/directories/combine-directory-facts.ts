import type { DirectoryCombine } from '../../config/schema.js';
import type { DirectoryFact } from '../policy/types.js';

/*
 * One fact from several sources (an IdP and an HR export, say). A source the user is outside
 * the scope of (`not-applicable`) does not vote. Either way an `unknown` from a source that
 * votes keeps the user from being a leaver: that source might know them as active.
 *
 * `all` (the default): a leaver only when no source believes them present — "active"
 * anywhere wins, then "unknown", then "disabled", and "absent" only when every source says so.
 *
 * `any`: one source saying absent or disabled is enough (an HR export that marks leavers
 * before the IdP is cleaned up) — "unknown" anywhere still wins, then "disabled", then
 * "absent", and "active" only when every source says so. Trust is settled before: an answer of
 * a source the breaker does not believe has become `unknown` by then, and blocks.
 */
export function combineDirectoryFacts(
  facts: readonly DirectoryFact[],
  mode: DirectoryCombine = 'all',
): DirectoryFact {
  const configured = facts.filter((f) => f.status !== 'not-configured');
  if (configured.length === 0) return { status: 'not-configured' };
  const voting = configured.filter((f) => f.status !== 'not-applicable');
  if (voting.length === 0) return configured[0]!;
  if (voting.length === 1) return voting[0]!;
  const first = (status: DirectoryFact['status']) => voting.find((f) => f.status === status);
  const joinedAbsent = (): DirectoryFact => ({
    status: 'absent',
    source: voting.flatMap((f) => (f.status === 'absent' ? [f.source] : [])).join(' + '),
  });
  if (mode === 'any') {
    const blocked = first('unknown') ?? first('disabled');
    if (blocked) return blocked;
    return first('absent') ? joinedAbsent() : voting[0]!;
  }
  const decided = first('active') ?? first('unknown') ?? first('disabled');
  if (decided) return decided;
  return joinedAbsent();
}
