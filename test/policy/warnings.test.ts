import assert from 'node:assert/strict';
import { evaluateUser } from '../../services/policy/evaluate.js';
import type { UserWarning } from '../../services/policy/types.js';
import { formatReason } from '../../services/runs/plan-csv.js';
import { AS_OF, contextWith, loginAt, NEVER, policyWith, userWith } from './fixtures.js';

const DAY = 24 * 3600 * 1000;
const policy = policyWith();
const warnCtx = contextWith({ warnDaysBefore: 7 });
const days = (n: number) => new Date(AS_OF.getTime() + n * DAY);
const rules = (evaluation: { reasons: Parameters<typeof formatReason>[0][] }) =>
  evaluation.reasons.map(formatReason);

function warning(warnedAt: Date, graceUntil: Date): UserWarning {
  return { warnedAt, graceUntil, runId: 'r1' };
}

describe('policy: warnings before a login rule takes a licence', () => {
  const inactive = userWith({ lastLogin: loginAt('2026-05-01T08:00:00Z') });

  it('without warnings configured, an inactive user is reclaimed as before', () => {
    const evaluation = evaluateUser(inactive, policy, contextWith());
    assert.equal(evaluation.verdict, 'inactive');
    assert.equal(evaluation.warn, undefined);
  });

  it('an inactive user not yet warned is kept, and a warning with a grace of N days is due', () => {
    const evaluation = evaluateUser(inactive, policy, warnCtx);
    assert.equal(evaluation.verdict, 'keep');
    assert.deepEqual(evaluation.actions, []);
    assert.deepEqual(evaluation.warn, { graceUntil: days(7) });
  });

  it('a warned user is kept until the date in the warning, and reclaimed from that instant', () => {
    const warned = { ...inactive, warning: warning(days(-3), days(4)) };
    const during = evaluateUser(warned, policy, warnCtx);
    assert.equal(during.verdict, 'keep');
    assert.equal(during.warn, undefined);
    assert.ok(
      rules(during).includes(`warned, grace until ${days(4).toISOString()}: ${days(-3).toISOString()}`),
    );
    const atEnd = evaluateUser(warned, policy, contextWith({ asOf: days(4), warnDaysBefore: 7 }));
    assert.equal(atEnd.verdict, 'inactive');
    assert.ok(atEnd.actions.length > 0);
    assert.ok(
      rules(atEnd).includes(`warned ${days(-3).toISOString()}, grace ended ${days(4).toISOString()}`),
    );
  });

  it('a login after the warning voids it: the next time the rule is due, a new warning is due', () => {
    const stale = {
      ...inactive,
      warning: warning(new Date('2026-04-01T00:00:00Z'), new Date('2026-04-08T00:00:00Z')),
    };
    const evaluation = evaluateUser(stale, policy, warnCtx);
    assert.equal(evaluation.verdict, 'keep');
    assert.deepEqual(evaluation.warn, { graceUntil: days(7) });
  });

  it('warns N days ahead of the date a rule comes due, not earlier', () => {
    // 85 days ago: due in 5 days.
    const soon = userWith({ lastLogin: loginAt(new Date(AS_OF.getTime() - 85 * DAY).toISOString()) });
    assert.deepEqual(evaluateUser(soon, policy, warnCtx).warn, { graceUntil: days(7) });
    const later = userWith({ lastLogin: loginAt(new Date(AS_OF.getTime() - 80 * DAY).toISOString()) });
    const evaluation = evaluateUser(later, policy, warnCtx);
    assert.equal(evaluation.warn, undefined);
    assert.ok(!evaluation.reasons.some((r) => r.signal === 'warning'));
  });

  it('covers never-logged-in, but not leavers, users holding nothing to take, or other rules of an --only run', () => {
    const never = userWith({ lastLogin: NEVER, firstSeen: new Date('2026-01-10T06:00:00Z') });
    assert.ok(evaluateUser(never, policy, warnCtx).warn);
    const leaver = { ...inactive, directory: { status: 'absent' as const, source: 'scim' } };
    assert.equal(evaluateUser(leaver, policy, warnCtx).verdict, 'left-company');
    const nothing = { ...inactive, groups: ['developers'] };
    assert.equal(evaluateUser(nothing, policy, warnCtx).warn, undefined);
    const onlyNever = evaluateUser(
      inactive,
      policy,
      contextWith({ warnDaysBefore: 7, only: 'never-logged-in' }),
    );
    assert.equal(onlyNever.warn, undefined);
  });

  it('a user without an e-mail address cannot be warned: reclaimed, and the plan says why', () => {
    const { emailAddress: _none, ...noMail } = inactive;
    const evaluation = evaluateUser(noMail, policy, warnCtx);
    assert.equal(evaluation.verdict, 'inactive');
    assert.ok(rules(evaluation).includes('not warned: the user has no e-mail address'));
  });
});
