import assert from 'node:assert/strict';
import type { Queue } from 'bullmq';
import { createRedis, prefixPattern } from '../queues/connection.js';
import { jobIds } from '../queues/job-ids.js';
import { JOBS } from '../queues/names.js';
import { QueueRegistry } from '../queues/registry.js';
import { deletePrefix, testRedisUrl, uniquePrefix } from './support/redis.js';

describe('queue registry', () => {
  const prefixes = [uniquePrefix('queues-a'), uniquePrefix('queues-b')];
  let redis: ReturnType<typeof createRedis>;
  let registries: QueueRegistry[];

  before(() => {
    redis = createRedis(testRedisUrl(), 'producer');
    registries = prefixes.map((p) => new QueueRegistry(redis, p));
  });
  after(async () => {
    await Promise.all(registries.map((r) => r.close()));
    await redis.quit();
    await Promise.all(prefixes.map(deletePrefix));
  });

  it('keeps two prefixes on one Redis apart: neither sees the other’s jobs', async () => {
    const [a, b] = registries as [QueueRegistry, QueueRegistry];
    await a.add(JOBS.scanRun, { runId: 'run-a' }, jobIds.scanRun('run-a'));
    await b.add(JOBS.scanRun, { runId: 'run-b' }, jobIds.scanRun('run-b'));
    const seenByA = await a.queueFor(JOBS.scanRun).getJobs(['waiting']);
    const seenByB = await b.queueFor(JOBS.scanRun).getJobs(['waiting']);
    assert.deepEqual(
      seenByA.map((j) => j.data.runId),
      ['run-a'],
    );
    assert.deepEqual(
      seenByB.map((j) => j.data.runId),
      ['run-b'],
    );
    const keys = await redis.keys(prefixPattern(prefixes[0]!));
    assert.ok(keys.length > 0 && keys.every((k) => k.startsWith(`{${prefixes[0]}:`)));
    assert.deepEqual(
      await redis.keys(prefixPattern(prefixes[1]!)).then((k) => k.some((key) => key.includes('run-a'))),
      false,
    );
  });

  it('adds the same work once when it is submitted twice (deterministic job ids)', async () => {
    const [a] = registries as [QueueRegistry];
    const items = ['alice', 'bob', 'bob'].map((name) => ({
      jobId: jobIds.evaluateUser('run-x', name),
      data: {
        runId: 'run-x',
        user: { key: name, name, active: true, groups: [] },
        firstSeen: null,
        directory: { status: 'not-configured' as const },
      },
    }));
    await a.addBulk(JOBS.evaluateUser, items);
    await a.addBulk(JOBS.evaluateUser, items);
    assert.equal(await a.queueFor(JOBS.evaluateUser).getWaitingCount(), 2);
  });

  it('refuses a malformed payload before it reaches Redis', async () => {
    const [a] = registries as [QueueRegistry];
    await assert.rejects(a.add(JOBS.scanRun, { runId: 'has:colon' }, 'scan-bad'), /runId|Invalid/);
    const queue: Queue = a.queueFor(JOBS.scanRun);
    assert.equal(await queue.getJob('scan-bad'), undefined);
  });
});
