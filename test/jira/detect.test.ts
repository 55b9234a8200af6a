import assert from 'node:assert/strict';
import { capabilitiesFrom, parseVersion } from '../../services/jira/detect.js';

describe('Jira capability detection', () => {
  it('reads version strings, suffixes and missing parts included', () => {
    assert.deepEqual(parseVersion('10.3.12'), [10, 3, 12]);
    assert.deepEqual(parseVersion('9.12.15-SNAPSHOT'), [9, 12, 15]);
    assert.deepEqual(parseVersion('11'), [11, 0, 0]);
  });

  it('picks the listing strategy from /user/list first, then the version’s search cap', () => {
    const pick = (version: string, hasUserList: boolean) =>
      capabilitiesFrom({ version, hasUserList, lastLoginFieldObserved: true });
    assert.equal(pick('9.12.15', false).listingStrategy, 'paged-search');
    assert.equal(pick('9.12.15', false).searchCap, null);
    assert.equal(pick('10.3.12', false).listingStrategy, 'partitioned-search');
    assert.equal(pick('10.3.12', false).searchCap, 100);
    assert.equal(pick('10.3.13', true).listingStrategy, 'user-list');
    assert.equal(pick('11.3.0', true).listingStrategy, 'user-list');
  });

  it('reads last logins from Crowd when users carry no lastLoginTime, whatever the version', () => {
    assert.equal(
      capabilitiesFrom({ version: '10.3.12', hasUserList: false, lastLoginFieldObserved: false })
        .lastLoginSource,
      'crowd-attributes',
    );
    assert.equal(
      capabilitiesFrom({ version: '11.3.0', hasUserList: true, lastLoginFieldObserved: true })
        .lastLoginSource,
      'user-field',
    );
  });
});
