import type { Metadata } from 'next';
import { SsoForm } from './sso-form';

export const metadata: Metadata = { title: 'Sign in with SSO · AgentFlow' };

export default function SsoPage() {
  return <SsoForm />;
}
