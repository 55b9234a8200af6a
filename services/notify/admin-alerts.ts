import type { Logger } from '../../runtime/logger.js';

/*
 * The port through which any part of Reclaim alerts the Jira admins (a licence threshold
 * crossed, a restore waiting for a seat). The mail service delivers them to `notify.admins`;
 * without mail they are logged, so that an alert is never silently dropped.
 */

export interface AdminAlert {
  /** The same id is delivered once, however many times or processes send it. */
  id: string;
  /** What the alert is about, for filtering: `licence-threshold`, `restore-waiting-for-seat`, … */
  kind: string;
  subject: string;
  text: string;
}

export interface AdminAlerts {
  send(alert: AdminAlert): Promise<void>;
}

/** Alerts as warnings in the process's log: where no mail is configured. */
export function loggedAdminAlerts(logger: Logger): AdminAlerts {
  return {
    async send(alert) {
      logger.warn({ alert: alert.id, kind: alert.kind, subject: alert.subject }, alert.text);
    },
  };
}
