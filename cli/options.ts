import { InvalidArgumentError } from 'commander';

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

/** An ISO-8601 date option. */
export function parseIsoDate(option: string) {
  return (value: string): Date => {
    const time = Date.parse(value);
    if (Number.isNaN(time))
      throw new InvalidArgumentError(`${option}: expected an ISO-8601 date, got "${value}"`);
    return new Date(time);
  };
}
