import assert from 'node:assert/strict';
import { jiraRouteTemplate } from '../../services/jira/route-template.js';

describe('the route template of a Jira request (metrics labels)', () => {
  it('drops the query, keeps words and API versions, and replaces anything else by {id}', () => {
    assert.equal(jiraRouteTemplate('get', '/rest/api/2/user?username=bob'), 'GET /rest/api/2/user');
    assert.equal(
      jiraRouteTemplate('GET', '/rest/api/2/group/member?groupname=jira-users&startAt=50'),
      'GET /rest/api/2/group/member',
    );
    assert.equal(
      jiraRouteTemplate('GET', '/rest/api/2/applicationrole/jira-software'),
      'GET /rest/api/2/applicationrole/{id}',
    );
    assert.equal(
      jiraRouteTemplate('DELETE', '/rest/api/2/user/JIRAUSER10042/session'),
      'DELETE /rest/api/2/user/{id}/session',
    );
    assert.equal(
      jiraRouteTemplate('GET', '/rest/usermanagement/1/user?username=zo%C3%AB'),
      'GET /rest/usermanagement/1/user',
    );
    assert.equal(jiraRouteTemplate('GET', '/rest/api/2/issue/12345'), 'GET /rest/api/2/issue/{id}');
  });
});
