import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ensureRedis, redisAnswers, startThrowawayRedis } from '../../runtime/local-redis.js';

describe('Redis for local use', function () {
  this.timeout(30_000);

  it('starts a throwaway redis-server on a free port and removes it on stop', async () => {
    const redis = await startThrowawayRedis();
    const port = Number(new URL(redis.url).port);
    assert.ok(redis.started);
    assert.notEqual(port, 6379);
    assert.ok(await redisAnswers('127.0.0.1', port));
    await redis.stop();
    assert.equal(await redisAnswers('127.0.0.1', port, 300), false);
  });

  it('uses REDIS_URL when it is set, without starting anything', async () => {
    const redis = await ensureRedis({ REDIS_URL: 'redis://10.9.8.7:6380' });
    assert.deepEqual([redis.url, redis.started], ['redis://10.9.8.7:6380', false]);
  });

  it('says how to get a Redis when there is none and no redis-server on PATH', () => {
    const script = `
      import('./runtime/local-redis.ts').then(async ({ startThrowawayRedis }) => {
        try { await startThrowawayRedis(); } catch (e) { console.log(e.message); }
      });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, PATH: '/nonexistent' },
    });
    assert.match(run.stdout, /no redis-server on PATH/);
    assert.match(run.stdout, /apt-get install redis-server/);
    assert.match(run.stdout, /docker compose up -d redis/);
  });
});
