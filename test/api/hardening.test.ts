import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import { createLogger } from '../../runtime/logger.js';
import { startStack, type Stack } from '../support/stack.js';

const OPERATOR = 'operator-token-0123456789';

describe('the hardened HTTP API', function () {
  this.timeout(60_000);
  let stack: Stack;
  let api: Express;
  const logLines: Array<Record<string, unknown>> = [];

  before(async () => {
    stack = await startStack({
      sim: { users: 10 },
      workers: false,
      config: { api: { tokens: [{ name: 'ops', token: OPERATOR, role: 'operator' }] } },
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          logLines.push(JSON.parse(line));
        done();
      },
    });
    api = createApiApp({ ...stack.app, logger: createLogger('api-test', 'info', sink) });
  });
  after(() => stack?.close());

  const operator = { Authorization: `Bearer ${OPERATOR}` };

  it("sends security headers, with a CSP that keeps the board's scripts to its own", async () => {
    for (const path of ['/healthz', '/api/runs', '/admin/login']) {
      const response = await request(api).get(path).set(operator);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN', path);
      assert.equal(response.headers['referrer-policy'], 'same-origin', path);
      assert.equal(response.headers['x-powered-by'], undefined, path);
      const csp = response.headers['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, path);
    }
  });

  it('refuses a JSON body over 1 MB with 413 in the error envelope', async () => {
    const huge = JSON.stringify({ mode: 'dry-run', pad: 'x'.repeat(1024 * 1024 + 10) });
    const response = await request(api)
      .post('/api/runs')
      .set(operator)
      .set('Content-Type', 'application/json')
      .send(huge)
      .expect(413);
    assert.equal(response.body.error.code, 'payload_too_large');
    assert.match(response.body.error.message, /^body: /);
    assert.ok(response.body.error.requestId);
  });

  it('answers a wrong method on a known route with 405 and Allow', async () => {
    const put = await request(api).put('/api/runs').set(operator).send({}).expect(405);
    assert.equal(put.body.error.code, 'method_not_allowed');
    assert.equal(put.headers.allow, 'POST, GET, HEAD');
    const del = await request(api).delete('/api/runs/r123/plan').set(operator).expect(405);
    assert.equal(del.headers.allow, 'GET, HEAD');
    await request(api).get('/api/runs/r123/approve').set(operator).expect(405);
    // An unknown path stays a 404.
    await request(api).put('/api/nothing-here').set(operator).expect(404);
  });

  it('takes the caller’s X-Request-Id or makes one, and puts it in the error body and the log', async () => {
    const given = await request(api)
      .get('/api/runs/no-such-run')
      .set(operator)
      .set('X-Request-Id', 'trace-abc.123')
      .expect(404);
    assert.equal(given.headers['x-request-id'], 'trace-abc.123');
    assert.equal(given.body.error.requestId, 'trace-abc.123');
    const line = logLines.find((l) => l.requestId === 'trace-abc.123');
    assert.ok(line, 'the request is logged with its id');
    assert.equal(line.status, 404);
    assert.equal(line.caller, 'ops');

    const made = await request(api).get('/api/runs').expect(401);
    assert.match(made.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(made.body.error.requestId, made.headers['x-request-id']);

    // A hostile id (a header-injection attempt, a huge one) is replaced, never echoed.
    for (const hostile of ['<script>alert(1)</script>', 'a'.repeat(500)]) {
      const response = await request(api).get('/healthz').set('X-Request-Id', hostile).expect(200);
      assert.notEqual(response.headers['x-request-id'], hostile);
      assert.match(response.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
    }
  });

  it('never logs a token or a session cookie', async () => {
    await request(api)
      .get('/api/runs')
      .set(operator)
      .set('Cookie', 'reclaim_session=secret-value')
      .expect(200);
    const text = JSON.stringify(logLines);
    assert.doesNotMatch(text, new RegExp(OPERATOR));
    assert.doesNotMatch(text, /secret-value/);
  });
  it('answers a text holding NUL with a 400, never a database error', async () => {
    // The action id reaches the audit log's query as it is: PostgreSQL text cannot hold NUL.
    const response = await request(api).post('/api/actions/a%00b/undo').set(operator);
    assert.equal(response.status, 400, response.text);
    assert.equal(response.body.error.code, 'bad_request');
    assert.match(response.body.error.message, /NUL character/);
  });

  it('answers headers beyond the server limit with 431 in the error envelope, and keeps serving', async () => {
    const server = api.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const tooLong = await fetch(`${base}/api/reports/inactive?q=${'x'.repeat(20_000)}`, {
        headers: operator,
      });
      assert.equal(tooLong.status, 431);
      const body = (await tooLong.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'headers_too_large');
      assert.match(body.error.message, /send long values in the body/);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
