/** One outgoing email. `html` is optional: every message has a plain-text body. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
}

/** Where email goes. Services depend on this interface only; the app picks the transport. */
export interface Mailer {
  /** Resolves once the transport accepted the message; rejects when it did not. */
  send(message: MailMessage): Promise<void>;
  /** Releases connections (SMTP). */
  close(): Promise<void>;
}

/** The subset of a pino logger the log transport needs. */
export interface MailLogger {
  info(obj: Record<string, unknown>, msg: string): void;
}
