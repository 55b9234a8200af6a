import {
  ACTION_TYPES,
  VERDICTS,
  type ActionType,
  type PlannedAction,
  type Reason,
  type Verdict,
} from '../policy/types.js';
import { NOT_INTERNED, type ReasonTemplate } from './plan-dictionary.js';
import type { PlanLine } from './types.js';

/*
 * A plan line as Redis holds it: a positional JSON array, so a million lines cost no field
 * names. The user key is the hash field, not repeated in the value. The plan scripts read
 * positions VERDICT and ACTIONS in Lua: keep them in step with PLAN_LINE_POSITIONS.
 *
 *   [name, displayName|null, emailAddress|null, active 1|0, lastLogin, verdict, actions, reasons,
 *    directory?]
 *
 * emailAddress: an address that is the username then "@…" is stored as its "@…" part alone
 * (a million lines of first.last@example.com); one that itself begins with "@" as [address].
 * lastLogin: epoch milliseconds when known, false when never, null when unknown.
 * verdict: index in VERDICTS. actions: [index in ACTION_TYPES, groups | new name]. reasons:
 * [id, value?] — id of the sentence (signal, rule, threshold) in the run's dictionary
 * (plan-dictionary.ts), value as epoch milliseconds when it is an ISO date that round-trips,
 * else as given, and as true when it is the line's own last login (the login rules' value). A reason whose sentence is not interned (a full dictionary, or a line stored
 * before there were dictionaries) is [signal, rule, value, threshold] with trailing absent
 * parts left off: the first element, a number or a string, says which. directory: the name of
 * the user's Jira user directory, only where a source knows it (a line without it, or stored
 * before it existed, has 8 elements).
 */

/** 1-based positions, as Lua counts them. */
export const PLAN_LINE_POSITIONS = { verdict: 6, actions: 7 } as const;

type EncodedAction = [number] | [number, string[] | string];
type InlineReason = [string, string, (string | null)?, string?];
type InternedReason = [number] | [number, number | string | true];
type EncodedReason = InlineReason | InternedReason;
export type EncodedLine = [
  string,
  string | null,
  string | [string] | null,
  0 | 1,
  number | false | null,
  number,
  EncodedAction[],
  EncodedReason[],
  string?,
];

/** Looks up an interned reason sentence by its id. */
export type ReasonLookup = (id: number) => ReasonTemplate;

/** `reasonIds[i]`: the dictionary id of reason i's sentence, or NOT_INTERNED (or absent). */
export function encodePlanLine(line: PlanLine, reasonIds: readonly number[] = []): string {
  // An index of -1 would make the plan script write into the wrong key.
  if (!VERDICTS.includes(line.verdict))
    throw new Error(`plan line ${line.key}: unknown verdict ${line.verdict}`);
  for (const action of line.actions) {
    if (!ACTION_TYPES.includes(action.type)) {
      throw new Error(`plan line ${line.key}: unknown action ${String(action.type)}`);
    }
  }
  const lastLogin = encodeLastLogin(line);
  const encoded: EncodedLine = [
    line.name,
    line.displayName ?? null,
    encodeEmail(line.name, line.emailAddress),
    line.active ? 1 : 0,
    lastLogin,
    VERDICTS.indexOf(line.verdict),
    line.actions.map(encodeAction),
    line.reasons.map((reason, i) => encodeReason(reason, reasonIds[i] ?? NOT_INTERNED, lastLogin)),
  ];
  if (line.directory !== undefined) encoded.push(line.directory);
  return JSON.stringify(encoded);
}

export function parsePlanLine(stored: string): EncodedLine {
  return JSON.parse(stored) as EncodedLine;
}

/** The dictionary ids a parsed line refers to (to load them before building the line). */
export function reasonIdsOf(encoded: EncodedLine): number[] {
  return encoded[7].flatMap((reason) => (typeof reason[0] === 'number' ? [reason[0]] : []));
}

export function decodePlanLine(key: string, stored: string, lookup: ReasonLookup = noDictionary): PlanLine {
  return buildPlanLine(key, parsePlanLine(stored), lookup);
}

export function buildPlanLine(
  key: string,
  encoded: EncodedLine,
  lookup: ReasonLookup = noDictionary,
): PlanLine {
  const [name, displayName, emailAddress, active, lastLogin, verdict, actions, reasons, directory] = encoded;
  const lastLoginAt = typeof lastLogin === 'number' ? new Date(lastLogin).toISOString() : null;
  return {
    key,
    name,
    ...(displayName === null ? {} : { displayName }),
    ...(emailAddress === null ? {} : { emailAddress: decodeEmail(name, emailAddress) }),
    active: active === 1,
    lastLogin: lastLoginAt,
    lastLoginStatus: typeof lastLogin === 'number' ? 'known' : lastLogin === false ? 'never' : 'unknown',
    verdict: VERDICTS[verdict] as Verdict,
    actions: actions.map(decodeAction),
    reasons: reasons.map((reason) => decodeReason(reason, lookup, lastLoginAt)),
    ...(typeof directory === 'string' ? { directory } : {}),
  };
}

function noDictionary(id: number): ReasonTemplate {
  throw new Error(`a plan line refers to reason ${id} but no dictionary was given`);
}

function encodeEmail(name: string, address: string | undefined): string | [string] | null {
  if (address === undefined) return null;
  if (address.startsWith('@')) return [address];
  return address.startsWith(`${name}@`) ? address.slice(name.length) : address;
}

function decodeEmail(name: string, stored: string | [string]): string {
  if (typeof stored !== 'string') return stored[0];
  return stored.startsWith('@') ? name + stored : stored;
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

function encodeReason(reason: Reason, id: number, lastLogin: number | false | null): EncodedReason {
  if (id !== NOT_INTERNED) {
    if (reason.value === undefined) return [id];
    const value = encodeValue(reason.value);
    return [id, typeof lastLogin === 'number' && value === lastLogin ? true : value];
  }
  if (reason.threshold !== undefined)
    return [reason.signal, reason.rule, reason.value ?? null, reason.threshold];
  if (reason.value !== undefined) return [reason.signal, reason.rule, reason.value];
  return [reason.signal, reason.rule];
}

/** An ISO date (as toISOString writes it) travels as its epoch milliseconds: 13 bytes, not 26. */
function encodeValue(value: string): number | string {
  const at = Date.parse(value);
  return !Number.isNaN(at) && new Date(at).toISOString() === value ? at : value;
}

function decodeReason(reason: EncodedReason, lookup: ReasonLookup, lastLogin: string | null): Reason {
  if (typeof reason[0] === 'number') {
    const [signal, rule, threshold] = lookup(reason[0]);
    const value = reason[1];
    return {
      signal,
      rule,
      ...(value === undefined
        ? {}
        : {
            value:
              value === true ? lastLogin! : typeof value === 'number' ? new Date(value).toISOString() : value,
          }),
      ...(threshold === undefined ? {} : { threshold }),
    };
  }
  const [signal, rule, value, threshold] = reason as InlineReason;
  return {
    signal,
    rule,
    ...(value === undefined || value === null ? {} : { value }),
    ...(threshold === undefined ? {} : { threshold }),
  };
}
