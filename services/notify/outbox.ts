import { jobIds } from '../../queues/job-ids.js';
import { JOBS } from '../../queues/names.js';
import type { MailMessage } from '../../queues/payloads.js';
import type { QueueRegistry } from '../../queues/registry.js';
import type { AdminAlert, AdminAlerts } from './admin-alerts.js';

type Of<K extends MailMessage['kind']> = Extract<MailMessage, { kind: K }>;

/**
 * The producer side of mail: each message is a `send-mail` job on the notify queue whose id is
 * the message's own, so queuing it twice (two processes ending the same run, an alert sent
 * again) adds it once.
 */
export class MailOutbox {
  constructor(private readonly registry: QueueRegistry) {}

  runSummary(runId: string): Promise<void> {
    return this.registry.add(JOBS.sendMail, { kind: 'run-summary', runId }, jobIds.mailRunSummary(runId));
  }

  alert(alert: AdminAlert): Promise<void> {
    return this.registry.add(
      JOBS.sendMail,
      { kind: 'alert', alert: { ...alert } },
      jobIds.mailAlert(alert.id),
    );
  }

  warning(message: Omit<Of<'warning'>, 'kind'>): Promise<void> {
    return this.registry.add(
      JOBS.sendMail,
      { kind: 'warning', ...message },
      jobIds.mailWarning(message.user.key, message.warnedAt),
    );
  }

  offboarded(message: Omit<Of<'offboarded'>, 'kind'>): Promise<void> {
    return this.registry.add(
      JOBS.sendMail,
      { kind: 'offboarded', ...message },
      jobIds.mailOffboarded(message.runId, message.user.key),
    );
  }
}

/** Alerts to the admins as mail through the notify queue (logged there when no SMTP is set). */
export function queuedAdminAlerts(outbox: MailOutbox): AdminAlerts {
  return { send: (alert) => outbox.alert(alert) };
}
