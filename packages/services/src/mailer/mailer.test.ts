import { afterEach, describe, expect, it } from 'vitest';
import { invitationMessage } from '../invitations/email';
import { createMailer } from './create';
import { startTestSmtpServer, type TestSmtpServer } from './test-smtp-server';
import type { MailLogger } from './types';

function recordingLogger() {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  const logger: MailLogger = { info: (obj, msg) => lines.push({ obj, msg }) };
  return { logger, lines, text: () => JSON.stringify(lines) };
}

const link = 'https://app.example.com/invite/accept?token=AbC-123_xyz';
const message = invitationMessage({
  to: 'new.person@example.com',
  orgName: 'Acme <Robots> & Co',
  inviterName: 'Ada',
  role: 'editor',
  link,
  expiresAt: new Date('2030-01-01T00:00:00Z'),
});

describe('SMTP transport', () => {
  let server: TestSmtpServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('delivers to a real SMTP server, with the accept link in the body', async () => {
    server = await startTestSmtpServer({ auth: { user: 'mailer', pass: 's3cret pass' } });
    const mailer = createMailer({
      smtpUrl: server.url,
      from: 'AgentFlow <no-reply@agentflow.test>',
      logger: recordingLogger().logger,
      logBodies: false,
    });
    try {
      await mailer.send(message);
      const mail = await server.waitForMail(1);
      expect(mail.from).toBe('no-reply@agentflow.test');
      expect(mail.to).toEqual(['new.person@example.com']);
      expect(mail.decoded).toContain('Subject: Join Acme <Robots> & Co on AgentFlow');
      expect(mail.decoded).toContain(link);
      // The HTML part escapes user-controlled names.
      expect(mail.decoded).toContain('Acme &lt;Robots&gt; &amp; Co');
    } finally {
      await mailer.close();
    }
  });

  it('rejects when the server refuses the credentials', async () => {
    server = await startTestSmtpServer({ auth: { user: 'mailer', pass: 'right' } });
    const url = server.url.replace('right', 'wrong');
    const mailer = createMailer({
      smtpUrl: url,
      from: 'x@agentflow.test',
      logger: recordingLogger().logger,
      logBodies: false,
    });
    await expect(mailer.send(message)).rejects.toThrow();
    expect(server.received).toHaveLength(0);
    await mailer.close();
  });
});

describe('log transport (SMTP_URL unset)', () => {
  it('logs the whole message in development, so the link can be followed locally', async () => {
    const log = recordingLogger();
    const mailer = createMailer({
      smtpUrl: undefined,
      from: 'x@agentflow.test',
      logger: log.logger,
      logBodies: true,
    });
    await mailer.send(message);
    expect(log.text()).toContain(link);
    expect(log.text()).toContain('new.person@example.com');
  });

  it('omits the body elsewhere: single-use links stay out of shared logs', async () => {
    const log = recordingLogger();
    const mailer = createMailer({
      smtpUrl: undefined,
      from: 'x@agentflow.test',
      logger: log.logger,
      logBodies: false,
    });
    await mailer.send(message);
    expect(log.lines).toHaveLength(1);
    expect(log.text()).toContain('Join Acme');
    expect(log.text()).not.toContain('token=');
  });
});
