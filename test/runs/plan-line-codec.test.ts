import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { NOT_INTERNED, templateOf, type ReasonTemplate } from '../../services/runs/plan-dictionary.js';
import { decodePlanLine, encodePlanLine } from '../../services/runs/plan-line-codec.js';
import { planCsv } from '../../services/runs/plan-csv.js';
import { PlanStore } from '../../services/runs/plan-store.js';
import { runPlanKeys } from '../../services/runs/run-keyspace.js';
import type { PlanLine } from '../../services/runs/types.js';
import { usePrefix } from '../support/redis.js';
import { fromArray, inactiveLine, keepLine, leaverLine, mixedLine } from './plan-lines.js';
import { openPlanStores, type PlanStores } from './plan-stores.js';

/** Lines with every shape of reason a policy writes. */
const LINES: PlanLine[] = [
  inactiveLine('JIRAUSER1'),
  leaverLine('JIRAUSER2'),
  keepLine('JIRAUSER3', {
    reasons: [
      { signal: 'last-login', rule: 'never logged in (according to crowd)' },
      {
        signal: 'first-seen',
        rule: 'first seen (dated by existingUsersSeenSince) more than 30 days before asOf',
        value: '2025-01-01T00:00:00.000Z',
        threshold: '2026-10-30T00:00:00.000Z',
      },
      // Not an ISO date as toISOString writes it: kept as it is.
      { signal: 'directory', rule: 'active in scim', value: '2026-11-01T08:00:00Z' },
      { signal: 'user', rule: 'listed in skipUsers', value: '1700000000000' },
      { signal: 'last-login', rule: 'last login unknown, so no login rule can decide', value: 'HTTP 503' },
      { signal: 'scope', rule: 'threshold only', threshold: '90 days' },
    ],
  }),
  keepLine('JIRAUSER4', { reasons: [], lastLogin: null, lastLoginStatus: 'never' }),
];

describe('plan line codec', () => {
  it("keeps a line's Jira user directory, and reads a line stored without one as having none", () => {
    const line: PlanLine = { ...leaverLine('JIRAUSER9'), directory: 'Corporate LDAP' };
    const stored = encodePlanLine(line);
    assert.equal(JSON.parse(stored).length, 9);
    assert.deepEqual(decodePlanLine(line.key, stored), JSON.parse(JSON.stringify(line)));
    const before = encodePlanLine(leaverLine('JIRAUSER8'));
    assert.equal(JSON.parse(before).length, 8, 'a line without a directory is stored as before');
    assert.equal('directory' in decodePlanLine('JIRAUSER8', before), false);
  });

  it('stores an address made of the username and a last login a reason repeats once, and gives back each as it was', () => {
    const ids = (line: PlanLine) => line.reasons.map((_, i) => i);
    const lookup = (id: number): ReasonTemplate => ['last-login', `rule ${id}`];
    const base = inactiveLine('JIRAUSER5', { name: 'mei.kim', lastLogin: '2026-01-15T09:30:00.000Z' });
    const lines: PlanLine[] = [
      { ...base, emailAddress: 'mei.kim@example.com' },
      { ...base, emailAddress: 'mei.kim2@example.com' },
      { ...base, emailAddress: 'MEI.KIM@example.com' },
      { ...base, emailAddress: '@example.com' },
      { ...base, emailAddress: '' },
      { ...base, name: '', emailAddress: '@odd' },
    ].map((line) => ({
      ...line,
      reasons: [
        { signal: 'last-login', rule: 'rule 0', value: '2026-01-15T09:30:00.000Z' },
        { signal: 'last-login', rule: 'rule 1', value: '2026-01-15T09:30:00.001Z' },
        { signal: 'last-login', rule: 'rule 2', value: 'mei.kim' },
      ],
    }));
    for (const line of lines) {
      const stored = encodePlanLine(line, ids(line));
      assert.equal(JSON.stringify(decodePlanLine(line.key, stored, lookup)), JSON.stringify(line), stored);
    }
    const first = encodePlanLine(lines[0]!, ids(lines[0]!));
    assert.ok(!first.includes('mei.kim@'), `${first} spells the username out twice`);
    assert.equal(first.match(/1768469400000/g)?.length, 1, `${first} holds the last login once`);
    // Without a known last login, a date is a date.
    const never: PlanLine = { ...lines[0]!, lastLogin: null, lastLoginStatus: 'never' };
    assert.deepEqual(decodePlanLine(never.key, encodePlanLine(never, ids(never)), lookup), never);
  });

  it('stores codes, not sentences, and gives back exactly the line it was given', () => {
    const dictionary: ReasonTemplate[] = [];
    const byText = new Map<string, number>();
    const idOf = (reason: PlanLine['reasons'][number]) => {
      const text = templateOf(reason);
      if (!byText.has(text)) byText.set(text, dictionary.push(JSON.parse(text) as ReasonTemplate) - 1);
      return byText.get(text)!;
    };
    for (const line of LINES) {
      const stored = encodePlanLine(line, line.reasons.map(idOf));
      for (const reason of line.reasons) {
        assert.ok(!stored.includes(reason.rule), `${stored} spells out "${reason.rule}"`);
      }
      assert.ok(!stored.includes('2026-01-15T09:30:00.000Z'), 'an ISO value is stored as a number');
      const decoded = decodePlanLine(line.key, stored, (id) => dictionary[id]!);
      assert.deepEqual(decoded, JSON.parse(JSON.stringify(line)));
      // The same key order too: the API's JSON is the same bytes as before.
      assert.equal(JSON.stringify(decoded), JSON.stringify(line));
    }
  });

  it('keeps a sentence in the line when the dictionary takes no more, and reads lines stored before dictionaries', () => {
    for (const line of LINES) {
      const stored = encodePlanLine(
        line,
        line.reasons.map(() => NOT_INTERNED),
      );
      assert.equal(JSON.stringify(decodePlanLine(line.key, stored)), JSON.stringify(line));
    }
    const before =
      '["bob","Bob",null,1,1746086400000,5,[[0,["jira-software-users"]]],[["last-login","last login more than 90 days before asOf","2025-05-01T08:00:00.000Z","2026-09-01T00:00:00.000Z"]]]';
    assert.deepEqual(decodePlanLine('JIRAUSER9', before), {
      key: 'JIRAUSER9',
      name: 'bob',
      displayName: 'Bob',
      active: true,
      lastLogin: '2025-05-01T08:00:00.000Z',
      lastLoginStatus: 'known',
      verdict: 'inactive',
      actions: [{ type: 'revoke-license', groups: ['jira-software-users'] }],
      reasons: [
        {
          signal: 'last-login',
          rule: 'last login more than 90 days before asOf',
          value: '2025-05-01T08:00:00.000Z',
          threshold: '2026-09-01T00:00:00.000Z',
        },
      ],
    });
  });

  describe('through the plan store', () => {
    const scope = usePrefix('runs-codec');
    let stores: PlanStores;
    before(async () => {
      stores = await openPlanStores(scope.prefix);
    });
    after(async () => {
      await stores.close();
    });

    it('writes the same CSV from the live and the archived plan as from the lines themselves', async () => {
      const { redis, records, runs } = stores;
      const lines = [...LINES, ...Array.from({ length: 1200 }, (_, i) => mixedLine(i))];
      const runId = (await stores.newRun()).id;
      const writer = new PlanStore(redis, scope.prefix, records, runs);
      for (const line of lines) await writer.record(runId, line);
      // Another process (a fresh dictionary cache) reads it.
      const reader = new PlanStore(redis, scope.prefix, records, runs);
      const stored: PlanLine[] = [];
      for await (const line of reader.stream(runId)) stored.push(line);
      const expected = await text(planCsv(fromArray(stored)));
      const byKey = new Map(lines.map((l) => [l.key, l]));
      assert.equal(
        await text(planCsv(fromArray(stored.map((l) => byKey.get(l.key)!)))),
        expected,
        'the plan reads back as recorded',
      );
      const dictionary = await redis.hlen(runPlanKeys(scope.prefix, runId).dictionary);
      assert.ok(dictionary < 40, `${dictionary} dictionary fields for a run with a handful of sentences`);

      await stores.lifecycle.markPlanned(runId);
      await writer.archive(runId);
      assert.deepEqual(await stores.planKeysLeft(runId), []);
      assert.equal(
        await text(planCsv(new PlanStore(redis, scope.prefix, records, runs).stream(runId))),
        expected,
      );
    });
  });
});
