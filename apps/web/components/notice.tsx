'use client';

import { useState } from 'react';

export interface NoticeMessage {
  kind: 'error' | 'info';
  text: string;
}

/** The page's last outcome ("Created …", or what went wrong), in a live region, until dismissed. */
export function Notice({ notice, onDismiss }: { notice: NoticeMessage | null; onDismiss(): void }) {
  return (
    <div aria-live="polite">
      {notice && (
        <div
          role={notice.kind === 'error' ? 'alert' : 'status'}
          className={
            notice.kind === 'error'
              ? 'alert-error flex items-start justify-between gap-3'
              : 'flex items-start justify-between gap-3 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200'
          }
        >
          <span>{notice.text}</span>
          <button type="button" className="btn-ghost" aria-label="Dismiss message" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}

/** State for a Notice, with shorthands for the two kinds. */
export function useNotice() {
  const [notice, setNotice] = useState<NoticeMessage | null>(null);
  return {
    notice,
    info: (text: string) => setNotice({ kind: 'info', text }),
    error: (text: string) => setNotice({ kind: 'error', text }),
    dismiss: () => setNotice(null),
  };
}
