import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';
import { themeScript } from '@/lib/theme';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: 'AgentFlow',
  description: 'Build AI agents as graphs, run them on queue workers, watch them live.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // suppressHydrationWarning: the theme script has set class and style before React hydrates.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script, no user input */}
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
