import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import { startStack, type Stack } from '../support/stack.js';

const TOKENS = { viewer: 'viewer-token-0123456789', operator: 'operator-token-0123456789' };

describe('Bull Board login', function () {
  this.timeout(60_000);
  let stack: Stack;
  let server: Server;
  let origin: string;

  before(async () => {
    stack = await startStack({
      sim: { users: 20 },
      workers: false,
      config: {
        api: {
          sessionSecret: 'a-session-secret-of-at-least-32-characters',
          tokens: [
            { name: 'dashboards', token: TOKENS.viewer, role: 'viewer' },
            { name: 'ops', token: TOKENS.operator, role: 'operator' },
          ],
        },
      },
    });
    server = createApiApp(stack.app).listen(0, '0.0.0.0');
    await new Promise((resolve) => server.once('listening', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stack?.close();
  });

  /** Logs in with a token; the session cookie (name=value) and the whole Set-Cookie line. */
  async function login(token: string, from = origin) {
    const response = await request(from)
      .post('/admin/login')
      .set('Origin', from)
      .type('form')
      .send({ token, next: '/admin/queues/queue/evaluate' });
    const setCookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    const line = setCookie.find((c) => c.startsWith('reclaim_session='));
    return { response, line, cookie: line?.split(';', 1)[0] };
  }

  it('serves a login form, and sends a browser without a session to it', async () => {
    const form = await request(origin).get('/admin/login').expect(200);
    assert.match(form.headers['content-type'] ?? '', /text\/html/);
    assert.match(form.text, /<form method="post" action="\/admin\/login">/);
    assert.match(form.text, /type="password"/);
    const redirected = await request(origin).get('/admin/queues').set('Accept', 'text/html').expect(303);
    assert.equal(redirected.headers.location, '/admin/login?next=%2Fadmin%2Fqueues');
    assert.equal(redirected.headers['www-authenticate'], undefined);
  });

  it('signs an operator in with an HttpOnly, SameSite=Strict cookie that expires, and lets it use the board', async () => {
    const { response, line, cookie } = await login(TOKENS.operator);
    assert.equal(response.status, 303);
    assert.equal(response.headers.location, '/admin/queues/queue/evaluate');
    assert.ok(line, 'a session cookie is set');
    assert.match(line, /HttpOnly/i);
    assert.match(line, /SameSite=Strict/i);
    assert.match(line, /Max-Age=28800/);
    assert.doesNotMatch(line, /Secure/i, 'on loopback the cookie works over plain HTTP');
    assert.doesNotMatch(line, new RegExp(TOKENS.operator), 'the token itself is not in the cookie');

    await request(origin).get('/admin/queues').set('Cookie', cookie!).expect(200);
    const queues = await request(origin).get('/admin/queues/api/queues').set('Cookie', cookie!).expect(200);
    assert.ok((queues.body.queues as Array<{ name: string }>).some((q) => q.name === 'evaluate'));
  });

  it('marks the cookie Secure when the request is not on loopback', async function () {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!address) {
      process.stdout.write('  skipped: this machine has no non-loopback IPv4 address\n');
      this.skip();
    }
    const remote = `http://${address}:${(server.address() as AddressInfo).port}`;
    const { response, line } = await login(TOKENS.operator, remote);
    assert.equal(response.status, 303);
    assert.match(line ?? '', /;\s*Secure/i);
  });

  it('refuses a wrong token (401) and a viewer (403), at login and on the board', async () => {
    const wrong = await login('not-the-token-0123456789');
    assert.equal(wrong.response.status, 401);
    assert.equal(wrong.cookie, undefined);
    assert.match(wrong.response.text, /not valid/);
    const viewer = await login(TOKENS.viewer);
    assert.equal(viewer.response.status, 403);
    assert.equal(viewer.cookie, undefined);
    await request(origin)
      .get('/admin/queues/api/queues')
      .set('Authorization', `Bearer ${TOKENS.viewer}`)
      .expect(403);
  });

  it('refuses a forged or tampered cookie', async () => {
    const { cookie } = await login(TOKENS.operator);
    const [name, value] = cookie!.split('=');
    const [payload, signature] = value!.split('.');
    const forged = Buffer.from(
      JSON.stringify({ name: 'ops', role: 'admin', expires: Date.now() + 1e9 }),
    ).toString('base64url');
    for (const bad of [
      `${name}=${forged}.${signature}`,
      // A different first character, whatever the signature starts with.
      `${name}=${payload}.${signature!.startsWith('x') ? 'y' : 'x'}${signature!.slice(1)}`,
      `${name}=garbage`,
    ]) {
      await request(origin).get('/admin/queues/api/queues').set('Cookie', bad).expect(401);
    }
  });

  it('refuses a state-changing board request from another origin, or with no origin at all', async () => {
    const { cookie } = await login(TOKENS.operator);
    const path = '/admin/queues/api/queues/evaluate/pause';
    const crossSite = await request(origin)
      .put(path)
      .set('Cookie', cookie!)
      .set('Origin', 'http://evil.example')
      .expect(403);
    assert.match(crossSite.body.error.message, /cross-site/);
    await request(origin)
      .put(path)
      .set('Cookie', cookie!)
      .set('Referer', 'http://evil.example/page')
      .expect(403);
    await request(origin).put(path).set('Cookie', cookie!).expect(403);
    assert.equal(await stack.app.registry.queue('evaluate').isPaused(), false, 'the queue was not paused');

    // From the board's own page it goes through.
    await request(origin).put(path).set('Cookie', cookie!).set('Origin', origin).expect(200);
    assert.equal(await stack.app.registry.queue('evaluate').isPaused(), true);
    await request(origin)
      .put('/admin/queues/api/queues/evaluate/resume')
      .set('Cookie', cookie!)
      .set('Origin', origin)
      .expect(200);
  });

  it('refuses a cross-site login, and logs out', async () => {
    const crossSite = await request(origin)
      .post('/admin/login')
      .set('Origin', 'http://evil.example')
      .type('form')
      .send({ token: TOKENS.operator });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.headers['set-cookie'], undefined);

    const { cookie } = await login(TOKENS.operator);
    const out = await request(origin)
      .post('/admin/logout')
      .set('Cookie', cookie!)
      .set('Origin', origin)
      .expect(303);
    assert.equal(out.headers.location, '/admin/login');
    assert.match(([] as string[]).concat(out.headers['set-cookie'] ?? []).join(), /reclaim_session=;/);
  });
});
