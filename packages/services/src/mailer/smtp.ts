import { createTransport } from 'nodemailer';
import type { Mailer, MailMessage } from './types';

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:587` or `smtps://...:465` (nodemailer connection URL). */
  url: string;
  /** Default sender, e.g. `AgentFlow <no-reply@example.com>`. */
  from: string;
}

/**
 * Sends through an SMTP server (nodemailer). Timeouts are far below nodemailer's defaults (2 min to
 * connect, 10 min idle): mail is sent while a request waits, and a dead relay must not hang it.
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const transport = createTransport({
    url: options.url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(message: MailMessage) {
      await transport.sendMail({ from: options.from, ...message });
    },
    async close() {
      transport.close();
    },
  };
}
