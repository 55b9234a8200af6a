import type { Response } from 'express';

/** Jira's ErrorCollection: `{"errorMessages": [...], "errors": {field: message}}`. */
export interface ErrorCollection {
  errorMessages: string[];
  errors: Record<string, string>;
}

/** Thrown by route handlers; the error middleware renders it as Jira's envelope. */
export class JiraError extends Error {
  constructor(
    readonly status: number,
    readonly errorMessages: string[],
    readonly errors: Record<string, string> = {},
  ) {
    super(errorMessages[0] ?? Object.values(errors)[0] ?? `HTTP ${status}`);
  }

  static fieldError(status: number, field: string, message: string): JiraError {
    return new JiraError(status, [], { [field]: message });
  }
}

export function sendJiraError(res: Response, status: number, errorMessages: string[], errors = {}): void {
  const body: ErrorCollection = { errorMessages, errors };
  res.status(status).type('application/json;charset=UTF-8').send(JSON.stringify(body));
}
