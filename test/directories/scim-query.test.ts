import assert from 'node:assert/strict';
import { answerForScimUser } from '../../services/directories/scim/scim-list-response.js';
import { queryString, scimString, userNameFilter } from '../../services/directories/scim/scim-query.js';

describe('SCIM queries and answers', () => {
  it('quotes a userName with its " and \\ escaped', () => {
    assert.equal(scimString('plain'), '"plain"');
    assert.equal(scimString('o"brien'), '"o\\"brien"');
    assert.equal(scimString('dom\\user'), '"dom\\\\user"');
    assert.equal(userNameFilter('a"b\\c'), 'userName eq "a\\"b\\\\c"');
  });

  it('percent-encodes the query, a space as %20 and "+" as %2B', () => {
    assert.equal(
      queryString({ filter: userNameFilter('jo smith+x@ex.com'), count: 5 }),
      'filter=userName%20eq%20%22jo%20smith%2Bx%40ex.com%22&count=5',
    );
    assert.equal(
      queryString({ filter: userNameFilter('zoë&ß') }),
      'filter=userName%20eq%20%22zo%C3%AB%26%C3%9F%22',
    );
  });

  it('maps the active attribute; only active=false is a disabled account', () => {
    const rows: [unknown, string, string][] = [
      [true, 'active', 'active=true'],
      [false, 'disabled', 'active=false'],
      ['false', 'disabled', 'active=false'],
      [' TRUE ', 'active', 'active=true'],
      [undefined, 'active', 'listed without a readable active attribute'],
      ['maybe', 'active', 'listed without a readable active attribute'],
      [0, 'active', 'listed without a readable active attribute'],
    ];
    for (const [active, status, attribute] of rows) {
      assert.deepEqual(answerForScimUser({ userName: 'x', active }), { status, attribute }, String(active));
    }
  });
});
