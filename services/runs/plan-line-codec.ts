import {
  ACTION_TYPES,
  VERDICTS,
  type ActionType,
  type PlannedAction,
  type Reason,
  type Verdict,
} from '../policy/types.js';
import type { PlanLine } from './types.js';

/*
 * A plan line as Redis holds it: a positional JSON array, so a million lines cost no field
 * names. The user key is the hash field, not repeated in the value. The plan scripts read
 * positions VERDICT and ACTIONS in Lua: keep them in step with PLAN_LINE_POSITIONS.
 *
 *   [name, displayName|null, emailAddress|null, active 1|0, lastLogin, verdict, actions, reasons]
 *
 * lastLogin: epoch milliseconds when known, false when never, null when unknown.
 * verdict: index in VERDICTS. actions: [index in ACTION_TYPES, groups | new name]. reasons:
 * [signal, rule, value, threshold] with trailing absent parts left off.
 */

/** 1-based positions, as Lua counts them. */
export const PLAN_LINE_POSITIONS = { verdict: 6, actions: 7 } as const;

type EncodedAction = [number] | [number, string[] | string];
type EncodedReason = [string, string, (string | null)?, string?];
type EncodedLine = [
  string,
  string | null,
  string | null,
  0 | 1,
  number | false | null,
  number,
  EncodedAction[],
  EncodedReason[],
];

export function encodePlanLine(line: PlanLine): string {
  // An index of -1 would make the plan script write into the wrong key.
  if (!VERDICTS.includes(line.verdict))
    throw new Error(`plan line ${line.key}: unknown verdict ${line.verdict}`);
  for (const action of line.actions) {
    if (!ACTION_TYPES.includes(action.type)) {
      throw new Error(`plan line ${line.key}: unknown action ${String(action.type)}`);
    }
  }
  const encoded: EncodedLine = [
    line.name,
    line.displayName ?? null,
    line.emailAddress ?? null,
    line.active ? 1 : 0,
    encodeLastLogin(line),
    VERDICTS.indexOf(line.verdict),
    line.actions.map(encodeAction),
    line.reasons.map(encodeReason),
  ];
  return JSON.stringify(encoded);
}

export function decodePlanLine(key: string, stored: string): PlanLine {
  const [name, displayName, emailAddress, active, lastLogin, verdict, actions, reasons] = JSON.parse(
    stored,
  ) as EncodedLine;
  return {
    key,
    name,
    ...(displayName === null ? {} : { displayName }),
    ...(emailAddress === null ? {} : { emailAddress }),
    active: active === 1,
    lastLogin: typeof lastLogin === 'number' ? new Date(lastLogin).toISOString() : null,
    lastLoginStatus: typeof lastLogin === 'number' ? 'known' : lastLogin === false ? 'never' : 'unknown',
    verdict: VERDICTS[verdict] as Verdict,
    actions: actions.map(decodeAction),
    reasons: reasons.map(decodeReason),
  };
}

function encodeLastLogin(line: PlanLine): number | false | null {
  if (line.lastLoginStatus === 'never') return false;
  if (line.lastLoginStatus === 'unknown' || line.lastLogin === null) return null;
  const at = Date.parse(line.lastLogin);
  if (Number.isNaN(at)) throw new Error(`plan line ${line.key}: lastLogin is not a date: ${line.lastLogin}`);
  return at;
}

function encodeAction(action: PlannedAction): EncodedAction {
  const type = ACTION_TYPES.indexOf(action.type);
  switch (action.type) {
    case 'revoke-license':
    case 'remove-groups':
    case 'add-groups':
      return [type, action.groups];
    case 'rename':
      return [type, action.to];
    case 'deactivate':
      return [type];
  }
}

function decodeAction([index, payload]: EncodedAction): PlannedAction {
  const type = ACTION_TYPES[index] as ActionType;
  switch (type) {
    case 'revoke-license':
    case 'remove-groups':
    case 'add-groups':
      return { type, groups: payload as string[] };
    case 'rename':
      return { type, to: payload as string };
    case 'deactivate':
      return { type };
  }
}

function encodeReason(reason: Reason): EncodedReason {
  if (reason.threshold !== undefined)
    return [reason.signal, reason.rule, reason.value ?? null, reason.threshold];
  if (reason.value !== undefined) return [reason.signal, reason.rule, reason.value];
  return [reason.signal, reason.rule];
}

function decodeReason([signal, rule, value, threshold]: EncodedReason): Reason {
  return {
    signal,
    rule,
    ...(value === undefined || value === null ? {} : { value }),
    ...(threshold === undefined ? {} : { threshold }),
  };
}
