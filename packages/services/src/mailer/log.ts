import type { Mailer, MailLogger, MailMessage } from './types';

export interface LogMailerOptions {
  logger: MailLogger;
  from: string;
  /**
   * Log the bodies too. Only for local development, where the log is the inbox: bodies carry
   * single-use links (invitations), which must not reach shared or production logs.
   */
  includeBody: boolean;
}

/** The transport used when no SMTP server is configured: nothing is sent, the message is logged. */
export function createLogMailer(options: LogMailerOptions): Mailer {
  return {
    async send(message: MailMessage) {
      const base = { mail: { from: options.from, to: message.to, subject: message.subject } };
      if (options.includeBody) {
        options.logger.info(
          { mail: { ...base.mail, text: message.text } },
          'email (not sent: SMTP_URL unset)',
        );
      } else {
        options.logger.info(base, 'email not sent: SMTP_URL unset (body omitted from logs)');
      }
    },
    async close() {},
  };
}
