import type { Role } from '@agentflow/contracts';
import type { MailMessage } from '../mailer';

export interface InvitationEmail {
  to: string;
  orgName: string;
  inviterName: string | null;
  role: Role;
  link: string;
  expiresAt: Date;
}

export function invitationMessage(email: InvitationEmail): MailMessage {
  const who = email.inviterName ? `${email.inviterName} has invited you` : 'You have been invited';
  const when = email.expiresAt.toUTCString();
  const text = [
    `${who} to join ${email.orgName} on AgentFlow as ${email.role}.`,
    '',
    `Accept the invitation: ${email.link}`,
    '',
    `The link works once and expires on ${when}. If you did not expect this email, you can ignore it.`,
  ].join('\n');
  const html = [
    `<p>${escapeHtml(who)} to join <strong>${escapeHtml(email.orgName)}</strong> on AgentFlow as ${email.role}.</p>`,
    `<p><a href="${escapeHtml(email.link)}">Accept the invitation</a></p>`,
    `<p>The link works once and expires on ${escapeHtml(when)}. If you did not expect this email, you can ignore it.</p>`,
  ].join('\n');
  return { to: email.to, subject: `Join ${email.orgName} on AgentFlow`, text, html };
}

// Org and user names are user input: never let them inject markup into the email.
function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
