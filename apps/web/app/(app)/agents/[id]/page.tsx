import type { Metadata } from 'next';
import { BuilderView } from '@/features/builder/components/builder-view';

export const metadata: Metadata = { title: 'Builder · AgentFlow' };

export default async function AgentBuilderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <BuilderView agentId={id} />;
}
