import type { Metadata } from 'next';
import { ApprovalsInbox } from '@/features/executions/approvals-inbox';

export const metadata: Metadata = { title: 'Approvals · AgentFlow' };

export default function ApprovalsPage() {
  return <ApprovalsInbox />;
}
