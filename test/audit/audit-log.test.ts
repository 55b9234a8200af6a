import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { entryHash } from '../../services/audit/audit-hash.js';
import { AuditLog } from '../../services/audit/audit-log.js';
import { auditKeys } from '../../services/audit/keys.js';
import { GENESIS_HASH, type AuditEntry } from '../../services/audit/types.js';
import { testRedisUrl, uniquePrefix, deletePrefix } from '../support/redis.js';
import { revokeEntry } from './audit-entries.js';

describe('audit log', () => {
  let redis: Redis;
  /** Each test gets a log of its own: the chain starts empty. */
  let prefix: string;
  let audit: AuditLog;
  const prefixes: string[] = [];

  before(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  });
  beforeEach(() => {
    prefix = uniquePrefix('audit');
    prefixes.push(prefix);
    audit = new AuditLog(redis, prefix);
  });
  after(async () => {
    await redis.quit();
    for (const used of prefixes) await deletePrefix(used);
  });

  async function appendMany(count: number, runId?: string): Promise<AuditEntry[]> {
    const logged: AuditEntry[] = [];
    for (let i = 1; i <= count; i++) logged.push(await audit.append(revokeEntry(`a${i}`, runId)));
    return logged;
  }

  it('chains each entry to the one before and verifies the chain', async () => {
    const [first, second, third] = await appendMany(3);
    assert.equal(first!.id, '000000000001');
    assert.equal(first!.prevHash, GENESIS_HASH);
    assert.equal(second!.prevHash, first!.hash);
    assert.equal(third!.prevHash, second!.hash);
    assert.match(third!.hash, /^[0-9a-f]{64}$/);
    assert.deepEqual(await audit.verify(), { ok: true, count: 3 });
  });

  it('an empty log verifies with no entries', async () => {
    assert.deepEqual(await audit.verify(), { ok: true, count: 0 });
  });

  it('names the entry whose JSON was altered in Redis', async () => {
    await appendMany(4);
    const key = auditKeys(prefix).entries;
    const stored = JSON.parse((await redis.hget(key, '000000000003'))!) as AuditEntry;
    stored.after!.active = false;
    await redis.hset(key, '000000000003', JSON.stringify(stored));
    const verdict = await audit.verify();
    assert.equal(verdict.ok, false);
    assert.ok(!verdict.ok);
    assert.equal(verdict.entryId, '000000000003');
    assert.match(verdict.problem, /altered/);
  });

  it('finds an entry re-hashed after tampering: the next one no longer links to it', async () => {
    await appendMany(3);
    const key = auditKeys(prefix).entries;
    const stored = JSON.parse((await redis.hget(key, '000000000002'))!) as AuditEntry;
    stored.outcome = 'skipped';
    const { hash: _old, ...unsigned } = stored;
    await redis.hset(key, '000000000002', JSON.stringify({ ...unsigned, hash: entryHash(unsigned) }));
    const verdict = await audit.verify();
    assert.ok(!verdict.ok);
    assert.equal(verdict.entryId, '000000000003');
    assert.match(verdict.problem, /prevHash/);
  });

  it('names an entry deleted from the middle', async () => {
    await appendMany(4);
    const key = auditKeys(prefix).entries;
    await redis.hdel(key, '000000000002');
    const middle = await audit.verify();
    assert.ok(!middle.ok);
    assert.equal(middle.entryId, '000000000002');
    assert.match(middle.problem, /missing/);
  });

  it('names the last entry when it was deleted', async () => {
    await appendMany(3);
    await redis.hdel(auditKeys(prefix).entries, '000000000003');
    const verdict = await audit.verify();
    assert.ok(!verdict.ok);
    assert.equal(verdict.entryId, '000000000003');
  });

  it('20 appenders on separate connections make one valid chain of 20', async () => {
    const clients = Array.from({ length: 20 }, () => new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 }));
    try {
      const logged = await Promise.all(
        clients.map((client, i) => new AuditLog(client, prefix).append(revokeEntry(`parallel-${i}`))),
      );
      assert.deepEqual(
        logged.map((entry) => entry.id).sort(),
        Array.from({ length: 20 }, (_, i) => String(i + 1).padStart(12, '0')),
      );
      assert.deepEqual(await audit.verify(), { ok: true, count: 20 });
      const all = [];
      for await (const entry of audit.stream()) all.push(entry.actionId);
      assert.deepEqual(all.sort(), Array.from({ length: 20 }, (_, i) => `parallel-${i}`).sort());
    } finally {
      await Promise.all(clients.map((client) => client.quit()));
    }
  });

  it('logs a retried action once, even when the retries race', async () => {
    const first = await audit.append(revokeEntry('retried'));
    const again = await Promise.all([
      audit.append(revokeEntry('retried')),
      audit.append(revokeEntry('retried')),
    ]);
    assert.deepEqual(again, [first, first]);
    assert.equal(await audit.count(), 1);
    assert.deepEqual(await audit.findByAction('retried'), first);
    assert.equal(await audit.findByAction('never-logged'), null);

    const undo = await audit.append({
      ...revokeEntry('retried'),
      action: 'undo:revoke-license',
      undoOf: first.id,
    });
    assert.equal(undo.idempotencyKey, 'retried:undo');
    assert.deepEqual(await audit.findByKey(`${'retried'}:undo`), undo);
    assert.equal(await audit.count(), 2);
  });

  it('pages the whole log and one run in log order', async () => {
    await audit.append(revokeEntry('x1', 'run-a'));
    await audit.append(revokeEntry('x2', 'run-b'));
    await audit.append(revokeEntry('x3', 'run-a'));
    await audit.append(revokeEntry('x4', 'run-a'));
    await audit.append(revokeEntry('x5', 'run-b'));

    const first = await audit.entries({ limit: 2 });
    assert.deepEqual(
      first.entries.map((e) => e.actionId),
      ['x1', 'x2'],
    );
    assert.equal(first.nextFromId, '000000000003');
    const rest = await audit.entries({ limit: 10, fromId: first.nextFromId! });
    assert.deepEqual(
      rest.entries.map((e) => e.actionId),
      ['x3', 'x4', 'x5'],
    );
    assert.equal(rest.nextFromId, null);

    const runA = await audit.entries({ runId: 'run-a', limit: 2 });
    assert.deepEqual(
      runA.entries.map((e) => e.actionId),
      ['x1', 'x3'],
    );
    const runARest = await audit.entries({ runId: 'run-a', limit: 2, fromId: runA.nextFromId! });
    assert.deepEqual(
      runARest.entries.map((e) => e.actionId),
      ['x4'],
    );
    assert.equal(runARest.nextFromId, null);

    const streamed = [];
    for await (const entry of audit.stream({ runId: 'run-b' })) streamed.push(entry.actionId);
    assert.deepEqual(streamed, ['x2', 'x5']);
  });

  it('streams more entries than one page holds, in order', async () => {
    const total = 1_200;
    for (let i = 1; i <= total; i++) await audit.append(revokeEntry(`bulk-${i}`));
    let count = 0;
    let lastId = '';
    for await (const entry of audit.stream()) {
      assert.ok(entry.id > lastId);
      lastId = entry.id;
      count++;
    }
    assert.equal(count, total);
    assert.deepEqual(await audit.verify(), { ok: true, count: total });
  });
});
