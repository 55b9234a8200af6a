import { entryHash, formatAuditId } from './audit-hash.js';
import type { AuditEntry, AuditVerification } from './types.js';
import { GENESIS_HASH } from './types.js';

/**
 * Walks the stored entries in id order (null where one is missing) and checks that each is
 * intact and links to the one before, and that the last one is the log's recorded tail.
 */
export async function verifyChain(
  batches: AsyncIterable<(string | null)[]>,
  recordedTail: string,
): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let sequence = 0;
  for await (const batch of batches) {
    for (const stored of batch) {
      sequence++;
      const id = formatAuditId(sequence);
      if (stored === null) return { ok: false, entryId: id, problem: 'entry is missing' };
      const problem = problemOf(stored, id, prevHash);
      if (problem !== undefined) return { ok: false, entryId: id, problem };
      prevHash = (JSON.parse(stored) as AuditEntry).hash;
    }
  }
  if (prevHash !== recordedTail) {
    return {
      ok: false,
      entryId: formatAuditId(sequence + 1),
      problem: `the log's tail hash does not match its last entry ${formatAuditId(sequence)}: entries after it are missing`,
    };
  }
  return { ok: true, count: sequence };
}

function problemOf(stored: string, id: string, prevHash: string): string | undefined {
  let entry: AuditEntry;
  try {
    entry = JSON.parse(stored) as AuditEntry;
  } catch {
    return 'entry is not JSON';
  }
  if (entry === null || typeof entry !== 'object') return 'entry is not an object';
  if (entry.id !== id) return `entry carries id ${String(entry.id)}`;
  if (entry.prevHash !== prevHash) return 'entry does not link to the entry before it (prevHash differs)';
  const { hash, ...unsigned } = entry;
  if (entryHash(unsigned) !== hash) return 'entry was altered (its hash does not match its content)';
  return undefined;
}
