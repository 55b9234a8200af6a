import assert from 'node:assert/strict';
import { GroupCommit } from '../../services/runs/group-commit.js';

/** A write that takes a moment, as a Redis round trip does, and records what it was given. */
function slowWriter(calls: number[][], failOn?: number) {
  return async (items: number[]) => {
    calls.push([...items]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (failOn !== undefined && items.includes(failOn)) throw new Error(`write of ${failOn} failed`);
    return items.map((item) => item * 10);
  };
}

describe('GroupCommit', () => {
  it('writes what arrives during a write together in the next one, each caller getting its own result', async () => {
    const calls: number[][] = [];
    const commit = new GroupCommit(slowWriter(calls));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => commit.submit(i)));
    assert.deepEqual(
      results,
      Array.from({ length: 50 }, (_, i) => i * 10),
    );
    // The first caller writes alone; the 49 that arrived meanwhile go in one write.
    assert.deepEqual(
      calls.map((c) => c.length),
      [1, 49],
    );
    assert.deepEqual(
      calls.flat(),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it('never writes more than its batch size at once', async () => {
    const calls: number[][] = [];
    const commit = new GroupCommit(slowWriter(calls), 20);
    await Promise.all(Array.from({ length: 61 }, (_, i) => commit.submit(i)));
    assert.deepEqual(
      calls.map((c) => c.length),
      [1, 20, 20, 20],
    );
  });

  it('fails only the callers of the failed write, and goes on writing what came after', async () => {
    const calls: number[][] = [];
    const commit = new GroupCommit(slowWriter(calls, 3));
    const first = commit.submit(0);
    const batch = [1, 2, 3].map((i) => commit.submit(i));
    await first;
    const later = commit.submit(4);
    const settled = await Promise.allSettled([...batch, later]);
    assert.deepEqual(
      settled.map((s) => s.status),
      ['rejected', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.match(String((settled[0] as PromiseRejectedResult).reason), /write of 3 failed/);
    assert.equal(await later, 40);
  });
});
