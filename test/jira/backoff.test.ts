import assert from 'node:assert/strict';
import { backoffDelay } from '../../services/jira/backoff.js';

describe('retry backoff', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles its bound per retry up to the maximum', () => {
    const top = () => 1;
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, options, top)),
      [100, 200, 400, 800, 1_000],
    );
  });

  it('spreads delays over the whole bound (full jitter)', () => {
    assert.equal(
      backoffDelay(3, options, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(3, options, () => 0.5),
      200,
    );
  });
});
