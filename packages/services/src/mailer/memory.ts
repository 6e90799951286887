import type { Mailer, MailMessage } from './types';

/** Keeps messages in memory: for tests that need to read what was "sent" (invitation links). */
export class MemoryMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  /** Set to make the next sends fail, to test delivery errors. */
  failWith: Error | undefined;

  async send(message: MailMessage): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(message);
  }

  async close(): Promise<void> {}

  last(): MailMessage | undefined {
    return this.sent[this.sent.length - 1];
  }
}
