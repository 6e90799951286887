import type { Metadata } from 'next';
import { KnowledgeDetail } from '@/features/knowledge/components/knowledge-detail';

export const metadata: Metadata = { title: 'Knowledge base · AgentFlow' };

export default async function KnowledgeBasePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <KnowledgeDetail id={id} />;
}
