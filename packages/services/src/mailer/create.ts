import { createLogMailer } from './log';
import { createSmtpMailer } from './smtp';
import type { Mailer, MailLogger } from './types';

export interface MailerConfig {
  smtpUrl: string | undefined;
  from: string;
  logger: MailLogger;
  /** See LogMailerOptions.includeBody: true in development only. */
  logBodies: boolean;
}

/** SMTP when a URL is configured, otherwise the log transport. */
export function createMailer(config: MailerConfig): Mailer {
  if (config.smtpUrl) return createSmtpMailer({ url: config.smtpUrl, from: config.from });
  return createLogMailer({ logger: config.logger, from: config.from, includeBody: config.logBodies });
}
