'use client';

import { AgentFlowError } from '@agentflow/sdk';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 15_000,
            refetchOnWindowFocus: false,
            // Retrying a 4xx only repeats the same answer; network blips get one more try.
            retry: (count, err) =>
              count < 1 && !(err instanceof AgentFlowError && err.status < 500 && err.status > 0),
          },
        },
      }),
  );
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
