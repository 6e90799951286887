import type { Metadata } from 'next';
import { KnowledgeList } from '@/features/knowledge/components/knowledge-list';

export const metadata: Metadata = { title: 'Knowledge · AgentFlow' };

export default function KnowledgePage() {
  return <KnowledgeList />;
}
