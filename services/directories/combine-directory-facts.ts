import type { DirectoryFact } from '../policy/types.js';

/*
 * One fact from several sources (an IdP and an HR export, say). A source the user is outside
 * the scope of (`not-applicable`) does not vote. Among the others a user is a leaver only when
 * no source believes them present: "active" anywhere wins, then "unknown" anywhere (that
 * source might know them), then "disabled" anywhere, and "absent" only when every source says so.
 */
export function combineDirectoryFacts(facts: readonly DirectoryFact[]): DirectoryFact {
  const configured = facts.filter((f) => f.status !== 'not-configured');
  if (configured.length === 0) return { status: 'not-configured' };
  const voting = configured.filter((f) => f.status !== 'not-applicable');
  if (voting.length === 0) return configured[0]!;
  if (voting.length === 1) return voting[0]!;
  const first = (status: DirectoryFact['status']) => voting.find((f) => f.status === status);
  const decided = first('active') ?? first('unknown') ?? first('disabled');
  if (decided) return decided;
  return {
    status: 'absent',
    source: voting.map((f) => (f.status === 'absent' ? f.source : '')).join(' + '),
  };
}
