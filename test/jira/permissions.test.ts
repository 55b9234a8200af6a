import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  JiraDataCenterClient,
  JiraForbiddenError,
  JiraNotAdministratorError,
} from '../../services/jira/index.js';

/*
 * The simulator knows only an administrator, so a Jira that answers for a non-admin account is
 * played here by a few fixed answers over real HTTP.
 */

const ANSWERS: Record<string, { status: number; body: unknown }> = {
  '/rest/api/2/serverInfo': { status: 200, body: { version: '10.3.12', serverTitle: 'Acme Jira' } },
  '/rest/api/2/myself': { status: 200, body: { key: 'JIRAUSER10100', name: 'viewer', active: true } },
  '/rest/api/2/mypermissions?permissions=ADMINISTER': {
    status: 200,
    body: { permissions: { ADMINISTER: { key: 'ADMINISTER', havePermission: false } } },
  },
  '/rest/api/2/applicationrole': {
    status: 403,
    body: { errorMessages: ['You are not authorized to perform this operation.'], errors: {} },
  },
};

describe('Jira client with an account that is not an administrator', () => {
  let server: Server;
  let client: JiraDataCenterClient;

  before(async () => {
    server = createServer((req, res) => {
      const answer = ANSWERS[req.url ?? ''] ?? {
        status: 404,
        body: { errorMessages: ['Not found'], errors: {} },
      };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new JiraDataCenterClient({ baseUrl: `http://127.0.0.1:${port}/`, token: 'viewer-token' });
  });
  after(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('checkConnection names the account and the missing ADMINISTER permission', async () => {
    const error = await client.checkConnection().catch((e: unknown) => e);
    assert.ok(error instanceof JiraNotAdministratorError);
    assert.ok(error instanceof JiraForbiddenError);
    assert.equal(error.username, 'viewer');
    assert.match(error.message, /"viewer" is not a Jira administrator/);
  });

  it('a 403 becomes JiraForbiddenError with Jira’s message, not retried', async () => {
    const before = client.requestCount;
    const error = await client.applicationRoles().catch((e: unknown) => e);
    assert.ok(error instanceof JiraForbiddenError && !(error instanceof JiraNotAdministratorError));
    assert.equal(error.status, 403);
    assert.deepEqual(error.messages, ['You are not authorized to perform this operation.']);
    assert.equal(client.requestCount - before, 1);
  });
});
