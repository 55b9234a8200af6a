import assert from 'node:assert/strict';
import { CLOCK_SKEW_ALLOWANCE_MS, parseIsoInstant } from '../../services/time/iso-instant.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';

const instant = (value: string, options = {}) => {
  const parsed = parseIsoInstant(value, options);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.instant.toISOString();
};
const problem = (value: string, options = {}) => {
  const parsed = parseIsoInstant(value, options);
  assert.equal(parsed.ok, false, `${value} was accepted`);
  return parsed.ok ? '' : parsed.problem;
};

describe('a time given by a person', () => {
  it('with an offset (Z, +02:00, +0200) names one instant', () => {
    assert.equal(instant('2026-11-29T00:00:00Z'), '2026-11-29T00:00:00.000Z');
    assert.equal(instant('2026-11-29T02:00+02:00'), '2026-11-29T00:00:00.000Z');
    assert.equal(instant('2026-11-29T02:00:00+0200'), '2026-11-29T00:00:00.000Z');
    assert.equal(instant('2026-11-28T19:30:00.250-04:30'), '2026-11-29T00:00:00.250Z');
  });

  it('as a bare date is 00:00 UTC of that day', () => {
    assert.equal(instant('2026-11-29'), '2026-11-29T00:00:00.000Z');
    assert.equal(instant('0099-01-01'), '0099-01-01T00:00:00.000Z');
  });

  it('as a local time without an offset is refused, saying how to write it', () => {
    assert.match(problem('2026-11-29T00:00'), /local time without an offset.*"2026-11-29T00:00Z"/);
    assert.match(problem('2026-11-29T00:00:00.000'), /without an offset/);
  });

  it('that is no date, or no real one, is refused', () => {
    assert.match(problem('yesterday'), /expected an ISO-8601 time with an offset/);
    assert.match(problem('2026-02-30'), /not a real date/);
    assert.match(problem('2026-11-29T24:00Z'), /not a real date/);
    assert.match(problem('29/11/2026'), /expected an ISO-8601/);
  });

  it('in the future is refused when asked, beyond a few minutes of clock skew', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const soon = new Date(now.getTime() + CLOCK_SKEW_ALLOWANCE_MS - 1000).toISOString();
    assert.equal(instant(soon, { notInFuture: true, now }), soon);
    assert.match(problem('2026-11-29T12:06:00Z', { notInFuture: true, now }), /in the future/);
    assert.equal(instant('2026-11-30', { now }), '2026-11-30T00:00:00.000Z', 'only when asked');
  });
});

describe('reclaim scan --as-of', function () {
  this.timeout(30_000);
  const redis = usePrefix('as-of');
  let config: { file: string; remove(): void };
  before(() => {
    config = writeConfigFile({ redis: { url: testRedisUrl(), prefix: redis.prefix } });
  });
  after(() => config?.remove());

  const scan = async (asOf: string) => {
    const child = spawnReclaim(['--config', config.file, 'scan', '--as-of', asOf, '--json'], {
      REDIS_URL: '',
    });
    return { code: (await child.exited).code, output: child.output() };
  };

  it('refuses a local time without an offset, naming the option', async () => {
    const { code, output } = await scan('2026-11-29T00:00');
    assert.notEqual(code, 0);
    assert.match(output, /--as-of: "2026-11-29T00:00" is a local time without an offset/);
  });

  it('refuses a time in the future, naming the option', async () => {
    const { code, output } = await scan(new Date(Date.now() + 24 * 3600_000).toISOString());
    assert.notEqual(code, 0);
    assert.match(output, /--as-of: .* is in the future/);
  });

  it('takes a bare date as 00:00 UTC', async () => {
    const { code, output } = await scan('2026-11-29');
    assert.equal(code, 0, output);
    const run = JSON.parse(output.slice(output.indexOf('{'))) as { asOf: string };
    assert.equal(run.asOf, '2026-11-29T00:00:00.000Z');
  });
});
