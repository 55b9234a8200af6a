import nodemailer from 'nodemailer';
import type { Logger } from '../../runtime/logger.js';

/*
 * Where a composed message goes: SMTP through nodemailer when `notify.smtpUrl` is set, the
 * process's log otherwise (so that nothing is silently dropped, and an operator sees what
 * would have been sent).
 */

export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Our message id, as a header: a receiving system can tell a duplicate. */
  messageId: string;
}

export interface Mailer {
  /** `sent` over SMTP, or `logged` (no SMTP configured). Throws when the SMTP server refuses or is down. */
  send(mail: OutgoingMail): Promise<'sent' | 'logged'>;
  close(): void;
}

export function createMailer(smtpUrl: string | null, from: string, logger: Logger): Mailer {
  if (smtpUrl === null) {
    return {
      async send(mail) {
        logger.info(
          { to: mail.to, subject: mail.subject, messageId: mail.messageId, text: mail.text },
          'no notify.smtpUrl: mail logged, not sent',
        );
        return 'logged';
      },
      close() {},
    };
  }
  // A server that does not answer fails the attempt within a minute; the queue retries it.
  const transport = nodemailer.createTransport(
    { url: smtpUrl, connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 60_000 },
    { from },
  );
  return {
    async send(mail) {
      await transport.sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: { 'X-Reclaim-Message': mail.messageId },
      });
      return 'sent';
    },
    close() {
      transport.close();
    },
  };
}
