import { InvalidArgumentError } from 'commander';
import { parseIsoInstant, type IsoInstantOptions } from '../services/time/iso-instant.js';

/** A commander parser for a number option that names the option in its error. */
export function parseNumber(option: string, range: { min?: number; max?: number } = {}) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) {
      throw new InvalidArgumentError(`${option}: expected a number, got "${value}"`);
    }
    if (range.min !== undefined && number < range.min) {
      throw new InvalidArgumentError(`${option}: expected at least ${range.min}, got ${number}`);
    }
    if (range.max !== undefined && number > range.max) {
      throw new InvalidArgumentError(`${option}: expected at most ${range.max}, got ${number}`);
    }
    return number;
  };
}

/** A time option (see services/time/iso-instant.ts for what is accepted). */
export function parseIsoInstantOption(option: string, options: IsoInstantOptions = {}) {
  return (value: string): Date => {
    const parsed = parseIsoInstant(value, options);
    if (!parsed.ok) throw new InvalidArgumentError(`${option}: ${parsed.problem}`);
    return parsed.instant;
  };
}
