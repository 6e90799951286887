import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ExecutionsList } from '@/features/executions/executions-list';

export const metadata: Metadata = { title: 'Executions · AgentFlow' };

export default function ExecutionsPage() {
  // The filters live in the query string (useSearchParams): rendered on the client only.
  return (
    <Suspense fallback={<p className="text-slate-500">Loading executions…</p>}>
      <ExecutionsList />
    </Suspense>
  );
}
