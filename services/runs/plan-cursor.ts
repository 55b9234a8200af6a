import { VERDICTS, type Verdict } from '../policy/types.js';

/*
 * The opaque cursor of a plan page: which verdict's index the page stopped in, and the last
 * user key it returned. base64url, so it travels in a query string untouched.
 */

export interface PlanPosition {
  verdictIndex: number;
  /** Last key returned; null = from the start of that verdict. */
  afterKey: string | null;
}

export class InvalidPlanCursorError extends Error {
  constructor() {
    super('invalid plan cursor: pass back the nextCursor of the previous page unchanged');
    this.name = 'InvalidPlanCursorError';
  }
}

export function encodePlanCursor(position: PlanPosition): string {
  return Buffer.from(JSON.stringify([position.verdictIndex, position.afterKey])).toString('base64url');
}

/** The cursor of the page after `lines` (in page order), or null when no page follows. */
export function cursorAfter(
  lines: ReadonlyArray<{ key: string; verdict: Verdict }>,
  more: boolean,
): string | null {
  const last = lines.at(-1);
  if (!more || !last) return null;
  return encodePlanCursor({ verdictIndex: VERDICTS.indexOf(last.verdict), afterKey: last.key });
}

export function decodePlanCursor(cursor: string): PlanPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPlanCursorError();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !Number.isInteger(parsed[0]) ||
    parsed[0] < 0 ||
    parsed[0] >= VERDICTS.length ||
    !(parsed[1] === null || typeof parsed[1] === 'string')
  ) {
    throw new InvalidPlanCursorError();
  }
  return { verdictIndex: parsed[0] as number, afterKey: parsed[1] as string | null };
}
