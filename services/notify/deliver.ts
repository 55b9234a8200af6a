import type { MailMessage } from '../../queues/payloads.js';
import type { Logger } from '../../runtime/logger.js';
import type { RunStore } from '../runs/run-store.js';
import { composeMail, type ComposeDeps } from './compose.js';
import { MAIL_SENT_TTL_SECONDS, mailSentKey } from './keys.js';
import type { Mailer } from './mailer.js';
import type { RedisClient } from '../../queues/connection.js';

export type DeliveryOutcome = 'sent' | 'logged' | 'already-sent' | 'no-recipients';

export interface DeliverDeps extends ComposeDeps {
  redis: RedisClient;
  prefix: string;
  mailer: Mailer;
  logger: Logger;
  runs: RunStore;
}

/**
 * Sends one message once. The mark is written as soon as the SMTP server has taken the
 * message and before the job is acknowledged: a job that fails after that point (the worker
 * dies, Redis blips on the ack) is retried, finds the mark and sends nothing. A message the
 * SMTP server did not take throws, and the queue retries it with backoff.
 */
export async function deliverMail(
  deps: DeliverDeps,
  messageId: string,
  message: MailMessage,
): Promise<DeliveryOutcome> {
  const key = mailSentKey(deps.prefix, messageId);
  if ((await deps.redis.exists(key)) === 1) return 'already-sent';
  const mail = await composeMail(deps, message);
  if (mail === null || mail.to.length === 0) {
    deps.logger.info(
      { messageId, kind: message.kind },
      'mail has no recipient (notify.admins is empty): not sent',
    );
    return 'no-recipients';
  }
  const outcome = await deps.mailer.send({ ...mail, messageId });
  await deps.redis.set(
    key,
    JSON.stringify({ at: new Date().toISOString(), outcome, to: mail.to.length }),
    'EX',
    MAIL_SENT_TTL_SECONDS,
  );
  if (outcome === 'logged' && message.kind === 'run-summary') {
    await deps.runs.addNote(
      message.runId,
      'no notify.smtpUrl: the run summary was written to the log, not mailed',
    );
  }
  return outcome;
}
