'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { ensureSession } from '@/lib/api';

/** A visitor who still has a session (refresh cookie) goes straight to their agents. */
export function SignedInRedirect() {
  const router = useRouter();
  useEffect(() => {
    let cancelled = false;
    void ensureSession().then((ok) => {
      if (ok && !cancelled) router.replace('/agents');
    });
    return () => {
      cancelled = true;
    };
  }, [router]);
  return null;
}
