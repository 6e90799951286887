export { createMailer, type MailerConfig } from './create';
export { createLogMailer, type LogMailerOptions } from './log';
export { MemoryMailer } from './memory';
export { createSmtpMailer, type SmtpMailerOptions } from './smtp';
export type { Mailer, MailLogger, MailMessage } from './types';
