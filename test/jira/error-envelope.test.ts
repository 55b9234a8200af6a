import { parseRetryAfter } from '../../services/http/retry-after.js';
import assert from 'node:assert/strict';
import { errorForResponse, parseErrorBody, rateLimitWaitMs } from '../../services/jira/error-envelope.js';
import {
  JiraBadRequestError,
  JiraForbiddenError,
  JiraNotFoundError,
  JiraRateLimitError,
  JiraReadOnlyDirectoryError,
  JiraUnauthorizedError,
  JiraUnexpectedResponseError,
} from '../../services/jira/errors.js';
import { encodeQuery } from '../../services/jira/http.js';

const where = { method: 'PUT', path: '/rest/api/2/user?username=bob' };

describe('Jira error envelope', () => {
  it('reads errorMessages and field errors, and tolerates HTML or empty bodies', () => {
    assert.deepEqual(parseErrorBody('{"errorMessages":["nope"],"errors":{"name":"taken"}}'), {
      messages: ['nope'],
      fieldErrors: { name: 'taken' },
    });
    assert.deepEqual(parseErrorBody('<html><body>Proxy error</body></html>'), {
      messages: [],
      fieldErrors: {},
    });
    assert.deepEqual(parseErrorBody(''), { messages: [], fieldErrors: {} });
    assert.deepEqual(
      parseErrorBody('{"reason":"USER_NOT_FOUND","message":"User <x> does not exist"}').messages,
      ['User <x> does not exist'],
    );
  });

  it('maps each status to its class, carrying method, path, status and Jira’s messages', () => {
    const readOnly = errorForResponse(
      400,
      parseErrorBody('{"errorMessages":["Cannot edit user, the user directory is read-only."],"errors":{}}'),
      {},
      where,
    );
    assert.ok(readOnly instanceof JiraReadOnlyDirectoryError);
    assert.ok(readOnly instanceof JiraBadRequestError);
    assert.equal(readOnly.method, 'PUT');
    assert.equal(readOnly.path, '/rest/api/2/user?username=bob');
    assert.equal(readOnly.status, 400);
    assert.deepEqual(readOnly.messages, ['Cannot edit user, the user directory is read-only.']);
    assert.match(readOnly.message, /PUT \/rest\/api\/2\/user\?username=bob → 400: Cannot edit user/);

    const bad = errorForResponse(400, { messages: [], fieldErrors: { emailAddress: 'invalid' } }, {}, where);
    assert.ok(bad instanceof JiraBadRequestError && !(bad instanceof JiraReadOnlyDirectoryError));
    assert.deepEqual(bad.fieldErrors, { emailAddress: 'invalid' });

    const unauthorized = errorForResponse(
      401,
      { messages: [], fieldErrors: {} },
      {
        'x-authentication-denied-reason': 'CAPTCHA_CHALLENGE',
      },
      where,
    );
    assert.ok(unauthorized instanceof JiraUnauthorizedError);
    assert.equal(unauthorized.deniedReason, 'CAPTCHA_CHALLENGE');
    assert.ok(
      errorForResponse(403, { messages: [], fieldErrors: {} }, {}, where) instanceof JiraForbiddenError,
    );
    assert.ok(
      errorForResponse(404, { messages: [], fieldErrors: {} }, {}, where) instanceof JiraNotFoundError,
    );
    assert.ok(
      errorForResponse(409, { messages: [], fieldErrors: {} }, {}, where) instanceof
        JiraUnexpectedResponseError,
    );
  });

  it('gives a 429 its Retry-After in ms, a default when missing, and the rate-limit headers', () => {
    const limited = errorForResponse(
      429,
      { messages: [], fieldErrors: {} },
      {
        'retry-after': '7',
        'x-ratelimit-limit': '20',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-fillrate': '10',
        'x-ratelimit-interval-seconds': '1',
      },
      where,
    );
    assert.ok(limited instanceof JiraRateLimitError);
    assert.equal(limited.retryAfterMs, 7_000);
    assert.deepEqual(limited.rateLimit, { limit: 20, remaining: 0, fillRate: 10, intervalSeconds: 1 });
    const bare = errorForResponse(429, { messages: [], fieldErrors: {} }, {}, where);
    assert.equal(bare instanceof JiraRateLimitError && bare.retryAfterMs, 5_000);
  });

  it('reads Retry-After as seconds or an HTTP date; a 429 waits at least a second', () => {
    assert.equal(parseRetryAfter('0'), 0);
    assert.equal(parseRetryAfter('2.5'), 2_500);
    const now = Date.parse('2026-11-29T12:00:00Z');
    assert.equal(parseRetryAfter('Sun, 29 Nov 2026 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('whenever'), undefined);
    assert.equal(rateLimitWaitMs('0'), 1_000);
    assert.equal(rateLimitWaitMs('12'), 12_000);
    assert.equal(rateLimitWaitMs(undefined), 5_000);
  });

  it('percent-encodes every query value, including +, space, &, # and non-ASCII', () => {
    assert.equal(
      encodeQuery({ username: 'a+b c&d#e/f?g%h', key: 'zoë', x: undefined, n: 5, t: true }),
      '?username=a%2Bb%20c%26d%23e%2Ff%3Fg%25h&key=zo%C3%AB&n=5&t=true',
    );
  });
});
