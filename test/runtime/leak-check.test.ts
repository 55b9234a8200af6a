import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { openRedisSockets } from '../support/leaks.js';
import { testRedisUrl } from '../support/redis.js';

describe('the suite’s leak check', () => {
  it('sees a Redis connection that is still open, and no longer once it is closed', async () => {
    const before = openRedisSockets(testRedisUrl()).length;
    const redis = new Redis(testRedisUrl());
    await redis.ping();
    assert.equal(openRedisSockets(testRedisUrl()).length, before + 1);
    await redis.quit();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(openRedisSockets(testRedisUrl()).length, before);
  });
});
