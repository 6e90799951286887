import type { Metadata } from 'next';
import { ExecutionDetail } from '@/features/executions/execution-detail';

export const metadata: Metadata = { title: 'Execution · AgentFlow' };

export default async function ExecutionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ExecutionDetail id={id} />;
}
