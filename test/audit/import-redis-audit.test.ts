import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { entryHash, formatAuditId } from '../../services/audit/audit-hash.js';
import { AuditLog } from '../../services/audit/audit-log.js';
import { legacyAuditKeys } from '../../services/audit/import-redis-audit.js';
import { GENESIS_HASH, type AuditEntry } from '../../services/audit/types.js';
import { stateKey } from '../../queues/connection.js';
import { canonicalJson } from '../../services/runs/canonical-json.js';
import { openTestRecords, type TestRecords } from '../support/records.js';
import { deletePrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';
import { revokeEntry } from './audit-entries.js';

/** A chain written the way earlier versions kept it in Redis, indexes included. */
async function writeLegacyChain(redis: Redis, prefix: string, count: number): Promise<AuditEntry[]> {
  const keys = legacyAuditKeys(prefix);
  const written: AuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const { idempotencyKey: _none, ...fields } = revokeEntry(
      `legacy-${seq}`,
      seq % 2 ? 'run-odd' : 'run-even',
    );
    const unsigned = {
      ...fields,
      id: formatAuditId(seq),
      at: new Date(Date.UTC(2026, 10, 1, 12, 0, seq)).toISOString(),
      idempotencyKey: `legacy-${seq}`,
      prevHash,
    };
    const entry: AuditEntry = { ...unsigned, hash: entryHash(unsigned) };
    await redis
      .multi()
      .hset(keys.entries, entry.id, canonicalJson(entry))
      .hset(keys.byKey, entry.idempotencyKey, entry.id)
      .zadd(stateKey(prefix, 'audit', 'run', entry.runId), seq, entry.id)
      .zadd(stateKey(prefix, 'audit', 'user', entry.user.key), seq, entry.id)
      .set(keys.sequence, seq)
      .set(keys.tail, entry.hash)
      .exec();
    written.push(entry);
    prevHash = entry.hash;
  }
  return written;
}

describe('the audit log an earlier version kept in Redis', () => {
  let redis: Redis;
  let records: TestRecords;
  let prefix: string;

  before(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    records = await openTestRecords('audit_import');
    prefix = uniquePrefix('audit-import');
  });
  afterEach(async () => {
    await records.close();
    await deletePrefix(prefix);
  });

  const auditKeysLeft = () => redis.keys(`${stateKey(prefix, 'audit')}*`);

  it('is copied into the records store at the first use, then removed from Redis', async () => {
    const legacy = await writeLegacyChain(redis, prefix, 7);
    assert.equal((await auditKeysLeft()).length, 4 + 2 + 7);

    // Two processes opening at once: one copies, the other finds the copy.
    const logs = [1, 2].map(() => new AuditLog(records.db, { importFrom: { redis, prefix } }));
    const verdicts = await Promise.all(logs.map((log) => log.verify()));
    assert.deepEqual(verdicts, [
      { ok: true, count: 7 },
      { ok: true, count: 7 },
    ]);
    const audit = logs[0]!;
    const copied: AuditEntry[] = [];
    for await (const entry of audit.stream()) copied.push(entry);
    assert.deepEqual(copied, legacy);
    const odd = [];
    for await (const entry of audit.stream({ runId: 'run-odd' })) odd.push(entry.id);
    assert.deepEqual(odd, ['000000000001', '000000000003', '000000000005', '000000000007']);
    assert.deepEqual(await audit.findByAction('legacy-4'), legacy[3]);
    assert.deepEqual(await auditKeysLeft(), [], 'Redis holds no audit data any more');

    const next = await audit.append(revokeEntry('after-import'));
    assert.equal(next.id, '000000000008');
    assert.equal(next.prevHash, legacy[6]!.hash);
    assert.deepEqual(await new AuditLog(records.db, { importFrom: { redis, prefix } }).verify(), {
      ok: true,
      count: 8,
    });
  });

  it('keeps what was broken in Redis broken: verify still names it', async () => {
    await writeLegacyChain(redis, prefix, 5);
    await redis.hdel(legacyAuditKeys(prefix).entries, '000000000003');
    const audit = new AuditLog(records.db, { importFrom: { redis, prefix } });
    const verdict = await audit.verify();
    assert.ok(!verdict.ok);
    assert.equal(verdict.entryId, '000000000003');
    assert.match(verdict.problem, /missing/);
    assert.equal(await audit.count(), 5);
    assert.deepEqual(await auditKeysLeft(), []);
  });

  it('leaves Redis alone when the records store already has a different log', async () => {
    const before = new AuditLog(records.db);
    await before.append(revokeEntry('already-here'));
    await writeLegacyChain(redis, prefix, 2);
    const audit = new AuditLog(records.db, { importFrom: { redis, prefix } });
    assert.deepEqual(await audit.verify(), { ok: true, count: 1 });
    assert.equal((await auditKeysLeft()).length, 4 + 2 + 2, 'nothing is removed that was not copied');
  });
});
