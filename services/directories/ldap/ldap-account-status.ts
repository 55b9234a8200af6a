import type { Entry } from 'ldapts';
import type { PresentAnswer } from '../directory-answer.js';
import { attributeValues } from './ldap-entry.js';

/**
 * How a disabled account is recognised: Active Directory's `userAccountControl` with the
 * ACCOUNTDISABLE bit, or an attribute holding a given value (e.g. `nsAccountLock: TRUE`).
 */
export type DisabledRule = { activeDirectory: true } | { attribute: string; value: string };

/** ADS_UF_ACCOUNTDISABLE: bit 2 of userAccountControl. */
const ACCOUNTDISABLE = 0x2;

export function disabledAttributeOf(rule: DisabledRule): string {
  return 'activeDirectory' in rule ? 'userAccountControl' : rule.attribute;
}

/**
 * A listed account is present: active, or disabled when the rule says so. The answer names
 * the attribute that decided (`userAccountControl=514`). An account whose flag cannot be read
 * is active: an unreadable flag is no evidence of a leaver.
 */
export function answerForLdapEntry(entry: Entry, rule: DisabledRule): PresentAnswer {
  const attribute = disabledAttributeOf(rule);
  const values = attributeValues(entry, attribute);
  if ('activeDirectory' in rule) {
    const flags = values.length === 1 && /^-?\d+$/.test(values[0]!.trim()) ? Number(values[0]) : NaN;
    if (Number.isNaN(flags)) return { status: 'active', attribute: `listed without a readable ${attribute}` };
    return {
      status: (flags & ACCOUNTDISABLE) !== 0 ? 'disabled' : 'active',
      attribute: `${attribute}=${flags}`,
    };
  }
  const wanted = rule.value.trim().toLowerCase();
  const held = values.find((value) => value.trim().toLowerCase() === wanted);
  if (held !== undefined) return { status: 'disabled', attribute: `${attribute}=${held}` };
  return {
    status: 'active',
    attribute: values.length === 0 ? `${attribute} not set` : `${attribute}=${values.join(',')}`,
  };
}
