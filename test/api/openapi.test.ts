import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import { API_ROUTES } from '../../api/routes/index.js';
import { startStack, type Stack } from '../support/stack.js';

interface Layer {
  handle?: { stack?: Layer[] };
  route?: { path: string; methods: Record<string, boolean> };
  /** The path the layer was mounted at (express 5's router). */
  rawPath?: string;
}

/** Every `METHOD /path` express has under /api, read from its router stack (express 5). */
function expressApiRoutes(app: Express): string[] {
  const found: string[] = [];
  const collect = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all') found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (layer.handle?.stack) {
        // A router mounted at the root of its parent (a routes file): its routes are the parent's.
        if (layer.rawPath === '/') collect(layer.handle.stack, prefix);
        else
          throw new Error(`a router mounted at ${layer.rawPath} under ${prefix}: teach this walk about it`);
      }
    }
  };
  const root = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  for (const layer of root) {
    // The layers mounted at /api (express.json, the routers, the 405 check).
    if (layer.handle?.stack && layer.rawPath === '/api') collect(layer.handle.stack, '/api');
  }
  return [...new Set(found)].sort();
}

const VIEWER = 'viewer-token-0123456789';
const fetchDocument = (api: Express) =>
  request(api).get('/api/openapi.json').set('Authorization', `Bearer ${VIEWER}`).expect(200);

describe('the OpenAPI document', function () {
  this.timeout(30_000);
  let stack: Stack;
  let api: Express;

  before(async () => {
    stack = await startStack({
      sim: { users: 5 },
      workers: false,
      config: { api: { tokens: [{ name: 'dashboards', token: VIEWER, role: 'viewer' }] } },
    });
    api = createApiApp(stack.app);
  });
  after(() => stack?.close());

  it('documents every /api route the app serves, and only those', async () => {
    const served = expressApiRoutes(api);
    assert.ok(served.length >= 10, `found routes: ${served.join(', ')}`);
    const { body } = await fetchDocument(api);
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map(
          (method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      )
      .sort();
    assert.deepEqual(documented, served);
    assert.equal(API_ROUTES.length, served.length, 'the registry lists each route once');
  });

  it('is an OpenAPI 3.1 document generated from the zod schemas that validate requests', async () => {
    const { body } = await fetchDocument(api);
    assert.equal(body.openapi, '3.1.0');
    const create = body.paths['/api/runs'].post;
    const schema = create.requestBody.content['application/json'].schema;
    assert.deepEqual(Object.keys(schema.properties).sort(), ['asOf', 'mode', 'only']);
    assert.deepEqual(schema.properties.mode.enum, ['dry-run', 'apply']);
    assert.equal(schema.properties.mode.default, 'dry-run');
    assert.equal(schema.additionalProperties, false, 'a strict body says so');
    assert.equal(create['x-reclaim-role'], 'operator');
    assert.ok(create.responses['202'] && create.responses['400'] && create.responses['413']);

    const plan = body.paths['/api/runs/{id}/plan'].get;
    const params = Object.fromEntries(
      (plan.parameters as Array<{ name: string; in: string; schema: Record<string, unknown> }>).map((p) => [
        `${p.in}:${p.name}`,
        p.schema,
      ]),
    );
    assert.deepEqual(Object.keys(params).sort(), ['path:id', 'query:cursor', 'query:limit', 'query:verdict']);
    assert.equal(params['query:limit']!.type, 'integer');
    assert.equal(params['query:limit']!.default, 100);
    assert.ok(
      Array.isArray(params['query:verdict']!.enum) &&
        (params['query:verdict']!.enum as string[]).includes('inactive'),
    );
    assert.ok(body.paths['/api/audit.csv'].get.responses['200'].content['text/csv']);
    assert.equal(body.paths['/api/openapi.json'].get['x-reclaim-role'], 'viewer');
    await request(api).get('/api/openapi.json').expect(401);
  });
});
