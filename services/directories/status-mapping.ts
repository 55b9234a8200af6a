import type { PresentAnswer } from './directory-answer.js';

export interface StatusValues {
  activeValues: readonly string[];
  disabledValues: readonly string[];
}

/*
 * An HR system's own words for "works here" and "left" (`activeValues` / `disabledValues`),
 * compared trimmed and case-insensitively. A status in neither list — a new value someone added
 * in the HR system, "on-leave", an empty cell — is `unknown` for that account: listed, so not
 * absent, and no evidence of a leaver.
 */
export class StatusMapping {
  private readonly active: Set<string>;
  private readonly disabled: Set<string>;

  constructor(
    values: StatusValues,
    /** How the status field is called in messages (`status`, `column Status`). */
    private readonly field: string,
  ) {
    this.active = new Set(values.activeValues.map(normalise));
    this.disabled = new Set(values.disabledValues.map(normalise));
  }

  answerFor(raw: unknown): PresentAnswer {
    if (raw === undefined || raw === null || (typeof raw === 'object' && raw !== null)) {
      const what = raw === undefined || raw === null ? 'no' : 'an unreadable';
      return { status: 'unknown', attribute: `listed with ${what} ${this.field}` };
    }
    const text = String(raw);
    const value = normalise(text);
    if (this.active.has(value)) return { status: 'active', attribute: `${this.field}=${text}` };
    if (this.disabled.has(value)) return { status: 'disabled', attribute: `${this.field}=${text}` };
    return {
      status: 'unknown',
      attribute: `${this.field}=${JSON.stringify(text)} is in neither activeValues nor disabledValues`,
    };
  }
}

function normalise(value: string): string {
  return value.trim().toLowerCase();
}
