import type { Request } from 'express';
import { JiraError } from './jira-error.js';

/* Query parameters as Jira reads them: a bad number or flag is a 400 naming the parameter. */

export function stringParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export function intParam(req: Request, name: string, fallback: number): number {
  const text = stringParam(req, name);
  if (text === undefined || text === '') return fallback;
  if (!/^-?\d+$/.test(text)) throw JiraError.fieldError(400, name, `${name} must be an integer`);
  return Number(text);
}

export function boolParam(req: Request, name: string, fallback: boolean): boolean {
  const text = stringParam(req, name);
  if (text === undefined || text === '') return fallback;
  if (text.toLowerCase() === 'true') return true;
  if (text.toLowerCase() === 'false') return false;
  throw JiraError.fieldError(400, name, `${name} must be true or false`);
}
