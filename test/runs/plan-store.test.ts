import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { VERDICTS } from '../../services/policy/types.js';
import { countArchivedLines } from '../../services/runs/plan-archive.js';
import { planKeys } from '../../services/runs/keys.js';
import { InvalidPlanCursorError } from '../../services/runs/plan-cursor.js';
import { PlanStore } from '../../services/runs/plan-store.js';
import type { PlanLine } from '../../services/runs/types.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';
import { inactiveLine, keepLine, leaverLine, mixedLine } from './plan-lines.js';
import { openPlanStores, type PlanStores } from './plan-stores.js';

/** Page order: verdict, then user key in byte order. */
function byPageOrder(a: PlanLine, b: PlanLine): number {
  const byVerdict = VERDICTS.indexOf(a.verdict) - VERDICTS.indexOf(b.verdict);
  return byVerdict !== 0 ? byVerdict : Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));
}

describe('plan store', () => {
  const scope = usePrefix('runs-plan');
  let stores: PlanStores;
  let redis: Redis;
  let plans: PlanStore;
  /** Each test works on a run of its own, evaluating. */
  const newRunId = async () => (await stores.newRun()).id;

  before(async () => {
    stores = await openPlanStores(scope.prefix);
    redis = stores.redis;
    plans = stores.plans;
  });
  after(async () => {
    await stores.close();
  });

  it('keeps the counters exact when the same user is recorded three times', async () => {
    const runId = await newRunId();
    const first = await plans.record(runId, inactiveLine('JIRAUSER1'));
    const retried = await plans.record(runId, inactiveLine('JIRAUSER1'));
    const changed = await plans.record(runId, leaverLine('JIRAUSER1'));
    await plans.record(runId, keepLine('JIRAUSER2'));
    assert.deepEqual([first.isNew, retried.isNew, changed.isNew], [true, false, false]);

    const summary = await plans.summary(runId);
    assert.equal(summary.evaluated, 2);
    assert.equal(summary.byVerdict['left-company'], 1);
    assert.equal(summary.byVerdict.inactive, 0);
    assert.equal(summary.byVerdict.keep, 1);
    assert.deepEqual(summary.byAction, {
      'revoke-license': 1,
      'remove-groups': 1,
      'add-groups': 0,
      deactivate: 1,
      rename: 1,
    });
    assert.deepEqual(summary.licencesFreedByGroup, {
      'jira-software-users': 1,
      'jira-servicedesk-agents': 1,
    });

    assert.deepEqual(await plans.get(runId, 'JIRAUSER1'), leaverLine('JIRAUSER1'));
    const inactive = await plans.page(runId, { limit: 10, verdict: 'inactive' });
    const leavers = await plans.page(runId, { limit: 10, verdict: 'left-company' });
    assert.deepEqual(inactive.lines, []);
    assert.deepEqual(
      leavers.lines.map((l) => l.key),
      ['JIRAUSER1'],
    );
  });

  it('keeps keys apart that begin like one another, in byte order, each line once', async () => {
    const runId = await newRunId();
    // "a" is a prefix of the others; "\u0001" and " " sort just above what ends a key's member.
    const keys = ['a', 'a\u0001', 'a b', 'a!', 'ab', 'é', 'JIRAUSER1', 'JIRAUSER10'];
    for (const key of [...keys].reverse()) await plans.record(runId, inactiveLine(key));
    // Recorded again, twice the same (a duplicated job) and once as a leaver.
    await plans.record(runId, inactiveLine('a'));
    await plans.record(runId, leaverLine('a b'));
    await plans.record(runId, leaverLine('a b'));

    const summary = await plans.summary(runId);
    assert.equal(summary.evaluated, keys.length);
    assert.equal(summary.byVerdict.inactive, keys.length - 1);
    assert.equal(summary.byVerdict['left-company'], 1);
    for (const key of keys) {
      assert.deepEqual(await plans.get(runId, key), key === 'a b' ? leaverLine(key) : inactiveLine(key), key);
    }
    assert.equal(await plans.get(runId, 'a '), null, 'a key only some others begin with has no line');
    const byteOrder = keys
      .filter((key) => key !== 'a b')
      .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await plans.page(runId, { limit: 2, verdict: 'inactive', ...(cursor ? { cursor } : {}) });
      paged.push(...page.lines.map((line) => line.key));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(paged, byteOrder);
    await assert.rejects(plans.record(runId, inactiveLine('a\u0000b')), /NUL/);
  });

  it('keeps the counters exact when a user is recorded twice among many lines written together', async () => {
    const runId = await newRunId();
    // Recorded at once, as fifty evaluations of one process finishing together are: the lines
    // after the first go in one write, the user's duplicate and its change of verdict with them.
    const results = await Promise.all([
      ...Array.from({ length: 48 }, (_, i) => plans.record(runId, keepLine(`JIRAUSER${100 + i}`))),
      plans.record(runId, inactiveLine('JIRAUSER1')),
      plans.record(runId, inactiveLine('JIRAUSER1')),
      plans.record(runId, leaverLine('JIRAUSER1')),
    ]);
    assert.deepEqual(
      results.slice(48).map((r) => r.isNew),
      [true, false, false],
    );
    const summary = await plans.summary(runId);
    assert.equal(summary.evaluated, 49);
    assert.equal(summary.byVerdict.keep, 48);
    assert.equal(summary.byVerdict.inactive, 0);
    assert.equal(summary.byVerdict['left-company'], 1);
    assert.deepEqual(await plans.get(runId, 'JIRAUSER1'), leaverLine('JIRAUSER1'));
  });

  it('gives a line back as it was recorded, whatever is known of the last login', async () => {
    const runId = await newRunId();
    const lines: PlanLine[] = [
      keepLine('known', { lastLogin: '2026-08-31T23:00:00.000Z' }),
      keepLine('never', { lastLogin: null, lastLoginStatus: 'never', displayName: undefined }),
      keepLine('unknown', {
        lastLogin: null,
        lastLoginStatus: 'unknown',
        verdict: 'undetermined',
        emailAddress: undefined,
        reasons: [{ signal: 'last-login', rule: 'last login could not be read', threshold: '90 days' }],
      }),
      keepLine('ünïcødé "quoted", name', { active: false, verdict: 'already-inactive', reasons: [] }),
    ];
    for (const line of lines) await plans.record(runId, line);
    for (const line of lines) {
      const expected = JSON.parse(JSON.stringify(line)) as PlanLine;
      assert.deepEqual(await plans.get(runId, line.key), expected);
    }
    // Keys JavaScript and Redis sort differently, and keys that need escaping in JSON.
    const awkward = ['\uff5e wide', '\u{1f600} astral', 'back\\slash', 'new\nline', 'tab\t"q"'].map((key) =>
      keepLine(key),
    );
    for (const line of awkward) await plans.record(runId, line);
    const livePage = await plans.page(runId, { limit: 100, verdict: 'keep' });
    const liveAll = await plans.page(runId, { limit: 100 });
    await stores.planAndArchive(runId);
    assert.deepEqual(await stores.planKeysLeft(runId), []);
    assert.deepEqual(await plans.page(runId, { limit: 100, verdict: 'keep' }), livePage);
    for (const line of [...lines, ...awkward]) {
      assert.deepEqual(await plans.get(runId, line.key), JSON.parse(JSON.stringify(line)), line.key);
    }
    const twoByTwo: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await plans.page(runId, { limit: 2, cursor });
      twoByTwo.push(...page.lines.map((l) => l.key));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.equal(twoByTwo.length, lines.length + awkward.length);
    assert.deepEqual(
      twoByTwo,
      liveAll.lines.map((l) => l.key),
    );
  });

  it('refuses a line for a run that has no record in Redis', async () => {
    const result = await plans.record('rplan-no-record', keepLine('K'));
    assert.deepEqual(result, { isNew: false, complete: false, refused: true });
    assert.deepEqual(await stores.planKeysLeft('rplan-no-record'), []);
    assert.equal(await plans.get('rplan-no-record', 'K'), null);
  });

  it('refuses a line it could not count', async () => {
    const runId = await newRunId();
    const unknownVerdict = { ...keepLine('K'), verdict: 'maybe' } as unknown as PlanLine;
    await assert.rejects(plans.record(runId, unknownVerdict), /unknown verdict/);
    await assert.rejects(plans.record('run:with:colons', keepLine('K')), /invalid run id/);
    assert.equal((await plans.summary(runId)).evaluated, 0);
  });

  it('completes once when the scan finishes before the last user is recorded', async () => {
    const runId = await newRunId();
    await plans.record(runId, keepLine('a'));
    await plans.record(runId, keepLine('b'));
    assert.equal(await plans.markScanComplete(runId, 3), false);
    assert.equal((await plans.record(runId, keepLine('b'))).complete, false, 'a retry of b');
    assert.equal((await plans.record(runId, keepLine('c'))).complete, true);
    const summary = await plans.summary(runId);
    assert.deepEqual([summary.evaluated, summary.total, summary.scanComplete], [3, 3, true]);
  });

  it('completes once when the scan finishes after the last user is recorded', async () => {
    const runId = await newRunId();
    for (const key of ['a', 'b', 'c'])
      assert.equal((await plans.record(runId, keepLine(key))).complete, false);
    assert.equal(await plans.markScanComplete(runId, 3), true);
  });

  it('completes a run whose scan found nobody', async () => {
    assert.equal(await plans.markScanComplete(await newRunId(), 0), true);
  });

  it('reports completion to exactly one of 50 concurrent evaluations and the scan', async () => {
    const workers = Array.from({ length: 5 }, () => new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 }));
    try {
      const writers = workers.map((w) => new PlanStore(w, scope.prefix, stores.records, stores.runs));
      for (const scanFirst of [true, false]) {
        const runId = await newRunId();
        if (scanFirst) await plans.markScanComplete(runId, 50);
        const records = Array.from({ length: 50 }, (_, i) =>
          writers[i % writers.length]!.record(runId, mixedLine(i)).then((r) => r.complete),
        );
        // Not first: the scan finishes in the middle of the evaluations.
        const scan = scanFirst ? [] : [plans.markScanComplete(runId, 50)];
        const completions = await Promise.all([...records, ...scan]);
        assert.equal(completions.filter(Boolean).length, 1, `scan first: ${scanFirst}`);
        assert.equal((await plans.summary(runId)).evaluated, 50);
      }
    } finally {
      await Promise.all(workers.map((w) => w.quit()));
    }
  });

  describe('with 5,000 lines', () => {
    let runId: string;
    const all = Array.from({ length: 5000 }, (_, i) => mixedLine(i));

    before(async function () {
      this.timeout(60_000);
      runId = await newRunId();
      const batches = Array.from({ length: 10 }, (_, b) => all.slice(b * 500, b * 500 + 500));
      await Promise.all(
        batches.map(async (batch) => {
          for (const line of batch) await plans.record(runId, line);
        }),
      );
    });

    it('pages through every line exactly once, by verdict then key', async () => {
      const seen: PlanLine[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await plans.page(runId, { limit: 333, cursor });
        assert.ok(page.lines.length <= 333);
        seen.push(...page.lines);
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      assert.equal(pages, Math.ceil(5000 / 333));
      assert.equal(seen.length, 5000);
      assert.equal(new Set(seen.map((l) => l.key)).size, 5000);
      const order = (l: PlanLine) => `${VERDICTS.indexOf(l.verdict)}/${l.key}`;
      assert.deepEqual(seen.map(order), all.map(order).sort());
    });

    it('pages through one verdict only', async () => {
      const expected = all.filter((l) => l.verdict === 'inactive').map((l) => l.key);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await plans.page(runId, { limit: 100, cursor, verdict: 'inactive' });
        seen.push(...page.lines.map((l) => l.key));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(seen, expected.sort());
    });

    it('refuses a cursor it did not hand out', async () => {
      await assert.rejects(plans.page(runId, { limit: 10, cursor: 'not-a-cursor' }), InvalidPlanCursorError);
      const unfiltered = await plans.page(runId, { limit: 10 });
      await assert.rejects(
        plans.page(runId, { limit: 10, cursor: unfiltered.nextCursor!, verdict: 'inactive' }),
        InvalidPlanCursorError,
      );
    });

    it('streams every line', async () => {
      let count = 0;
      const keys = new Set<string>();
      for await (const line of plans.stream(runId)) {
        count++;
        keys.add(line.key);
      }
      assert.equal(count, 5000);
      assert.equal(keys.size, 5000);
    });

    it('counts the licences the plan would free per group', async () => {
      const summary = await plans.summary(runId);
      const revoking = all.filter((l) => l.actions.some((a) => a.type === 'revoke-license'));
      assert.equal(summary.evaluated, 5000);
      assert.equal(summary.byAction['revoke-license'], revoking.length);
      assert.equal(summary.licencesFreedByGroup['jira-software-users'], revoking.length);
      assert.equal(
        summary.licencesFreedByGroup['jira-servicedesk-agents'],
        all.filter((l) => l.verdict === 'left-company').length,
      );
      for (const verdict of VERDICTS) {
        assert.equal(summary.byVerdict[verdict], all.filter((l) => l.verdict === verdict).length, verdict);
      }
    });

    it('holds a typical line in a few hundred bytes of Redis memory', async () => {
      const keys = planKeys(scope.prefix, runId);
      let bytes = 0;
      for (const key of keys.linesByVerdict) {
        bytes += Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
      }
      const perLine = bytes / all.length;
      console.log(
        `      plan memory: ${Math.round(perLine)} bytes per line (5,000 lines, one sorted set per verdict)`,
      );
      // 279 bytes in the earlier layout (a hash of lines beside sorted sets of keys).
      assert.ok(perLine < 250, `${perLine} bytes per line`);
    });

    it('once archived, reads back the same pages, cursors, lines and summary from PostgreSQL, and Redis holds none of it', async function () {
      this.timeout(60_000);
      const archivedRun = await newRunId();
      for (const line of all) await plans.record(archivedRun, line);
      const readAll = async (id: string, verdict?: (typeof VERDICTS)[number]) => {
        const pages: Array<{ keys: string[]; nextCursor: string | null }> = [];
        const lines: PlanLine[] = [];
        let cursor: string | undefined;
        do {
          const page = await plans.page(id, { limit: 333, cursor, ...(verdict ? { verdict } : {}) });
          pages.push({ keys: page.lines.map((l) => l.key), nextCursor: page.nextCursor });
          lines.push(...page.lines);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return { pages, lines };
      };
      const live = await readAll(archivedRun);
      const liveInactive = await readAll(archivedRun, 'inactive');
      const summary = await plans.summary(archivedRun);
      assert.equal(await plans.isArchived(archivedRun), false);

      await stores.lifecycle.markPlanned(archivedRun);
      assert.deepEqual(await plans.archive(archivedRun), { rows: 5000, archivedNow: true });
      // A retried finish archives nothing twice.
      assert.deepEqual(await plans.archive(archivedRun), { rows: 5000, archivedNow: false });
      assert.equal(await plans.isArchived(archivedRun), true);
      assert.deepEqual(await stores.planKeysLeft(archivedRun), [], 'no plan key of the run is left in Redis');
      assert.equal(await countArchivedLines(stores.records, archivedRun), 5000);
      // The planner has statistics of the new rows (the report's first page depends on them).
      const { rows: stats } = await stores.records.query<{ tuples: number }>(
        "SELECT reltuples::float8 AS tuples FROM pg_class WHERE relname = 'plan_lines'",
      );
      assert.ok(stats[0]!.tuples >= 5000, `reltuples ${stats[0]!.tuples}`);

      const archived = await readAll(archivedRun);
      assert.deepEqual(archived.pages, live.pages);
      assert.deepEqual(archived.lines, live.lines);
      assert.deepEqual(archived.lines, JSON.parse(JSON.stringify([...all].sort(byPageOrder))));
      assert.deepEqual((await readAll(archivedRun, 'inactive')).pages, liveInactive.pages);
      // A cursor handed out before the archive goes on where it stopped.
      assert.deepEqual(
        (await plans.page(archivedRun, { limit: 333, cursor: live.pages[4]!.nextCursor! })).lines.map(
          (l) => l.key,
        ),
        live.pages[5]!.keys,
      );
      assert.deepEqual(await plans.get(archivedRun, 'JIRAUSER10007'), leaverLine('JIRAUSER10007'));
      assert.equal(await plans.get(archivedRun, 'nobody'), null);
      assert.deepEqual(await plans.summary(archivedRun), summary);
      // Another process (nothing cached) reads the same.
      const other = new PlanStore(redis, scope.prefix, stores.records, stores.runs);
      assert.deepEqual(await other.get(archivedRun, 'JIRAUSER10007'), leaverLine('JIRAUSER10007'));
      assert.deepEqual(await other.summary(archivedRun), summary);

      // A late duplicate of an evaluation writes nothing back into Redis.
      assert.equal((await plans.record(archivedRun, keepLine('JIRAUSER10007'))).refused, true);
      assert.deepEqual(await stores.planKeysLeft(archivedRun), []);
      assert.deepEqual(await plans.get(archivedRun, 'JIRAUSER10007'), leaverLine('JIRAUSER10007'));

      assert.deepEqual(await plans.delete(archivedRun), { rows: 5000, keys: 0 });
      assert.equal(await countArchivedLines(stores.records, archivedRun), 0);
      assert.deepEqual(await plans.page(archivedRun, { limit: 10 }), { lines: [], nextCursor: null });
      assert.equal((await plans.summary(archivedRun)).evaluated, 5000, 'the run keeps its counters');
    });

    it('deletes the lines and keeps the summary', async () => {
      assert.ok((await plans.delete(runId)).keys > 0);
      assert.deepEqual(await plans.page(runId, { limit: 10 }), { lines: [], nextCursor: null });
      assert.equal((await plans.summary(runId)).evaluated, 5000);
      assert.equal(await redis.exists(...Object.values(planKeys(scope.prefix, runId)).flat()), 0);
    });
  });
});
