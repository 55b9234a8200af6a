import type { DirectoryFact } from '../policy/types.js';

/*
 * One fact from several sources (an IdP and an HR export, say). A user is a leaver only when
 * no source believes them present: "active" anywhere wins, then "unknown" anywhere (that
 * source might know them), then "disabled" anywhere, and "absent" only when every source says so.
 */
export function combineDirectoryFacts(facts: readonly DirectoryFact[]): DirectoryFact {
  const configured = facts.filter((f) => f.status !== 'not-configured');
  if (configured.length === 0) return { status: 'not-configured' };
  if (configured.length === 1) return configured[0]!;
  const first = (status: DirectoryFact['status']) => configured.find((f) => f.status === status);
  const decided = first('active') ?? first('unknown') ?? first('disabled');
  if (decided) return decided;
  return {
    status: 'absent',
    source: configured.map((f) => (f.status === 'absent' ? f.source : '')).join(' + '),
  };
}
