import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { SMALL_ENTERPRISE_FIXTURE } from './fixture-path.js';
import { call, get } from './sim-client.js';

/*
 * The simulator's answers checked against Atlassian's official DC 10.3 OpenAPI spec. The
 * spec's known defects (test/fixtures/jira-openapi/README.md) are handled here one by one, by validating the
 * parts the spec does describe correctly, never by turning validation off:
 *  - collections typed as their item (`/user/search` → UserBean, `/applicationrole` →
 *    ApplicationRoleBean, `/group/member` → UserJsonBean): each item is validated;
 *  - `StreamPageBean.values` is untyped: each value is validated as a UserBean;
 *  - `SimpleListWrapper*` omit `items`: expanded items are validated as GroupJsonBean /
 *    ApplicationRoleBean;
 *  - `/group/member` has no page schema at all: its envelope is checked against the shape
 *    jira.js documents (below).
 * On top of the spec, the main beans are checked closed (no property the spec does not
 * list), so nothing leaks out — the directory id in particular.
 */

const SPEC_PATH = new URL('../fixtures/jira-openapi/jira-software-dc-10.3-openapi.json', import.meta.url);

interface OpenApiSpec {
  components: { schemas: Record<string, AnySchema> };
}

function specPath(): URL | string {
  return process.env.JIRA_OPENAPI_SPEC ?? SPEC_PATH;
}

/** The spec's component schemas, their $refs pointing to where ajv will find them ($defs). */
function rewriteRefs(spec: OpenApiSpec): Record<string, AnySchema> {
  const text = JSON.stringify(spec.components.schemas).replaceAll(
    '#/components/schemas/',
    'jira-openapi#/$defs/',
  );
  return JSON.parse(text) as Record<string, AnySchema>;
}

function makeAjv(schemas: Record<string, AnySchema>): Ajv {
  const ajv = new Ajv({ allErrors: true });
  addFormats.default(ajv);
  // OpenAPI annotations that are not JSON Schema keywords.
  ajv.addVocabulary(['example', 'xml']);
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addSchema({ $id: 'jira-openapi', $defs: schemas });
  return ajv;
}

describe('simulator: answers conform to the official Jira DC OpenAPI spec', () => {
  let sim: RunningSimulator;
  let ajv: Ajv;
  let rewrittenSchemas: Record<string, AnySchema>;

  const validators = new Map<string, ValidateFunction>();
  function validatorFor(name: string, closed: boolean): ValidateFunction {
    const id = `${name}${closed ? ':closed' : ''}`;
    let validate = validators.get(id);
    if (!validate) {
      const component = rewrittenSchemas[name];
      assert.ok(component, `the spec has no schema ${name}`);
      // Closed: the component itself with no properties beyond those it lists.
      validate = ajv.compile(closed ? { ...(component as object), additionalProperties: false } : component);
      validators.set(id, validate);
    }
    return validate;
  }

  function assertValid(schemaName: string, value: unknown, closed = true): void {
    const validate = validatorFor(schemaName, closed);
    assert.ok(
      validate(value),
      `${schemaName}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 400)}`,
    );
  }

  before(async () => {
    const spec = JSON.parse(readFileSync(specPath(), 'utf8')) as OpenApiSpec;
    rewrittenSchemas = rewriteRefs(spec);
    ajv = makeAjv(rewrittenSchemas);
    sim = await startSimulator({ fixture: SMALL_ENTERPRISE_FIXTURE, profile: 'dc11' });
  });
  after(() => sim?.close());

  it('has teeth: a leaked directory id or a wrongly typed field fails', () => {
    const validate = validatorFor('UserBean', true);
    assert.equal(validate({ name: 'x', active: true, directoryId: 10000 }), false);
    assert.equal(validate({ name: 'x', active: 'yes' }), false);
    assert.equal(validate({ name: 'x', active: true, self: 'not a uri' }), false);
  });

  it('GET /user: UserBean, with expanded groups and application roles', async () => {
    const plain = await get(sim.url, '/rest/api/2/user?username=bob');
    assertValid('UserBean', plain.body);
    const expanded = await get<{
      groups: { items: unknown[] };
      applicationRoles: { items: unknown[] };
    }>(sim.url, '/rest/api/2/user?username=bob&expand=groups,applicationRoles');
    assertValid('UserBean', expanded.body);
    assert.ok(expanded.body.groups.items.length > 0);
    for (const group of expanded.body.groups.items) assertValid('GroupJsonBean', group);
    assert.ok(expanded.body.applicationRoles.items.length > 0);
    for (const role of expanded.body.applicationRoles.items) assertValid('ApplicationRoleBean', role);
  });

  it('GET /user/search: an array of UserBean (the spec types it as one UserBean)', async () => {
    const found = await get<unknown[]>(sim.url, '/rest/api/2/user/search?username=.&includeInactive=true');
    assert.ok(Array.isArray(found.body) && found.body.length === 6);
    for (const user of found.body) assertValid('UserBean', user);
  });

  it('GET /user/list: StreamPageBean whose values are UserBean', async () => {
    const first = await get<{ values: unknown[]; nextCursor: string }>(
      sim.url,
      '/rest/api/2/user/list?maxResults=4',
    );
    assertValid('StreamPageBean', first.body);
    assert.equal(typeof first.body.nextCursor, 'string');
    for (const user of first.body.values) assertValid('UserBean', user);
    const last = await get<{ values: unknown[] }>(
      sim.url,
      `/rest/api/2/user/list?maxResults=4&cursor=${first.body.nextCursor}`,
    );
    assertValid('StreamPageBean', last.body);
    for (const user of last.body.values) assertValid('UserBean', user);
  });

  it('GET /group/member: a page of UserJsonBean (the spec types it as one UserJsonBean)', async () => {
    const page = await get<{ values: unknown[] }>(
      sim.url,
      '/rest/api/2/group/member?groupname=jira-software-users&includeInactiveUsers=true',
    );
    const pageSchema = {
      type: 'object',
      required: ['self', 'maxResults', 'startAt', 'total', 'isLast', 'values'],
      properties: {
        self: { type: 'string', format: 'uri' },
        nextPage: { type: 'string', format: 'uri' },
        maxResults: { type: 'integer' },
        startAt: { type: 'integer' },
        total: { type: 'integer' },
        isLast: { type: 'boolean' },
        values: { type: 'array' },
      },
      additionalProperties: false,
    };
    const validatePage = ajv.compile(pageSchema);
    assert.ok(validatePage(page.body), ajv.errorsText(validatePage.errors));
    assert.equal(page.body.values.length, 4);
    for (const user of page.body.values) assertValid('UserJsonBean', user);
  });

  it('POST /group/user: GroupBean; GET /group is gone since Jira 10', async () => {
    await call(sim.url, 'POST', '/__sim/reset');
    const added = await call(sim.url, 'POST', '/rest/api/2/group/user?groupname=developers', {
      body: { name: 'erin' },
    });
    assert.equal(added.status, 201);
    assertValid('GroupBean', added.body, false);
    assert.equal((added.body as { users: { size: number } }).users.size, 3);
    // The 10.3 spec has no GET /group: Jira 10 removed it (members come from /group/member).
    assert.equal((await get(sim.url, '/rest/api/2/group?groupname=developers')).status, 404);
    await call(sim.url, 'POST', '/__sim/reset');
  });

  it('GET /applicationrole and /applicationrole/{key}: ApplicationRoleBean', async () => {
    const roles = await get<unknown[]>(sim.url, '/rest/api/2/applicationrole');
    assert.ok(Array.isArray(roles.body) && roles.body.length === 3);
    for (const role of roles.body) assertValid('ApplicationRoleBean', role);
    assertValid(
      'ApplicationRoleBean',
      (await get(sim.url, '/rest/api/2/applicationrole/jira-software')).body,
    );
  });

  it('GET /myself and /mypermissions', async () => {
    assertValid('UserBean', (await get(sim.url, '/rest/api/2/myself')).body);
    // The spec's own example carries havePermission, which PermissionJsonBean does not list: open check.
    assertValid(
      'PermissionsJsonBean',
      (await get(sim.url, '/rest/api/2/mypermissions?permissions=ADMINISTER')).body,
      false,
    );
  });

  it('errors: ErrorCollection, with both fields present', async () => {
    const answers = [
      await get(sim.url, '/rest/api/2/user?username=nobody'),
      await get(sim.url, '/rest/api/2/group/member?groupname=nope'),
      await call(sim.url, 'PUT', '/rest/api/2/user?username=bob', { body: { active: false } }),
      await call(sim.url, 'PUT', '/rest/api/2/user?username=alice', { body: { name: 'dave' } }),
      await get(sim.url, '/rest/api/2/myself', { authorization: '' }),
      await get(sim.url, '/rest/api/2/user/search'),
    ];
    for (const answer of answers) {
      assert.ok(answer.status >= 400);
      assertValid('ErrorCollection', answer.body);
      assert.deepEqual(Object.keys(answer.body as object).sort(), ['errorMessages', 'errors']);
    }
  });
});
