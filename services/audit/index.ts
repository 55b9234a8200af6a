export { AuditLog, MAX_AUDIT_PAGE_SIZE, defaultIdempotencyKey } from './audit-log.js';
export { auditCsv, AUDIT_CSV_COLUMNS } from './audit-csv.js';
export { entryHash, formatAuditId, parseAuditId } from './audit-hash.js';
export { auditKeys, auditRunKey } from './keys.js';
export { verifyChain } from './verify-chain.js';
export * from './types.js';
