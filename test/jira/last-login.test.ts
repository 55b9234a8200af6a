import assert from 'node:assert/strict';
import {
  lastLoginFromCrowdAttributes,
  lastLoginFromField,
  parseLastLoginTime,
} from '../../services/jira/last-login.js';

describe('Jira last-login parsing', () => {
  it('reads Jira’s ±hhmm offset, the ±hh:mm form and Z as the same instant', () => {
    const expected = '2023-08-30T06:37:01.000Z';
    assert.equal(parseLastLoginTime('2023-08-30T16:37:01+1000')?.toISOString(), expected);
    assert.equal(parseLastLoginTime('2023-08-30T16:37:01+10:00')?.toISOString(), expected);
    assert.equal(parseLastLoginTime('2023-08-30T06:37:01Z')?.toISOString(), expected);
    assert.equal(parseLastLoginTime('2023-08-29T20:07:01-1030')?.toISOString(), expected);
  });

  it('keeps milliseconds and accepts a time without seconds', () => {
    assert.equal(
      parseLastLoginTime('2026-01-02T03:04:05.678+0100')?.toISOString(),
      '2026-01-02T02:04:05.678Z',
    );
    assert.equal(parseLastLoginTime('2026-01-02T03:04+0000')?.toISOString(), '2026-01-02T03:04:00.000Z');
  });

  it('rejects text that is not a zoned date-time instead of guessing', () => {
    for (const text of [
      '',
      'yesterday',
      '2023-08-30',
      '2023-08-30T16:37:01',
      '2023-02-31T10:00:00Z',
      '2023-08-30T25:00:00Z',
    ]) {
      assert.equal(parseLastLoginTime(text), undefined, text);
    }
  });

  it('turns the field into known / never / unknown', () => {
    assert.deepEqual(lastLoginFromField(null), { status: 'never', source: 'user-field' });
    const known = lastLoginFromField('2026-09-01T08:00:00Z');
    assert.equal(known.status, 'known');
    assert.equal(known.status === 'known' && known.at.toISOString(), '2026-09-01T08:00:00.000Z');
    assert.equal(lastLoginFromField('garbage').status, 'unknown');
  });

  it('reads login.lastLoginMillis and ignores lastAuthenticated, which REST calls move', () => {
    const attributes = new Map([
      ['login.lastLoginMillis', ['1563907961677']],
      ['lastAuthenticated', ['1763907961677']],
    ]);
    const result = lastLoginFromCrowdAttributes(attributes);
    assert.equal(result.status, 'known');
    assert.equal(result.status === 'known' && result.at.getTime(), 1563907961677);
    assert.deepEqual(lastLoginFromCrowdAttributes(new Map([['lastAuthenticated', ['1763907961677']]])), {
      status: 'never',
      source: 'crowd-attributes',
    });
    assert.equal(
      lastLoginFromCrowdAttributes(new Map([['login.lastLoginMillis', ['soon']]])).status,
      'unknown',
    );
  });
});
