import type { Metadata } from 'next';
import { AcceptInvitation } from './accept-invitation';

export const metadata: Metadata = {
  title: 'Accept invitation · AgentFlow',
  // The URL holds the invitation token: never pass it on in a Referer.
  referrer: 'no-referrer',
};

export default function AcceptInvitationPage() {
  return <AcceptInvitation />;
}
