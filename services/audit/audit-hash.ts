import { canonicalJson, sha256Hex } from '../runs/canonical-json.js';
import { AUDIT_ID_DIGITS, type AuditEntry } from './types.js';

/** The chain link: sha256(prevHash + canonical JSON of the entry without its hash). */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(entry.prevHash + canonicalJson(entry));
}

export function formatAuditId(sequence: number): string {
  return String(sequence).padStart(AUDIT_ID_DIGITS, '0');
}

/** The sequence number of an id, or undefined when the text is not one. */
export function parseAuditId(id: string): number | undefined {
  if (!/^\d{1,15}$/.test(id)) return undefined;
  const sequence = Number(id);
  return sequence >= 1 ? sequence : undefined;
}
