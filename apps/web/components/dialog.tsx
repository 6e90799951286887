'use client';

import * as RadixDialog from '@radix-ui/react-dialog';
import { type ReactNode, useRef } from 'react';

/**
 * Radix Dialog with the app's look: focus is trapped inside, Escape closes, and focus returns on close
 * to whatever opened it (Radix only does that for a Dialog.Trigger; these dialogs are controlled).
 */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: string;
  description: ReactNode;
  children: ReactNode;
}) {
  const opener = useRef<HTMLElement | null>(null);
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 bg-slate-950/50" />
        <RadixDialog.Content
          onOpenAutoFocus={() => {
            // Still the control that opened the dialog: focus has not moved inside yet.
            opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
          }}
          onCloseAutoFocus={(event) => {
            const target = returnTarget(opener.current);
            if (target) {
              event.preventDefault();
              target.focus();
            }
            opener.current = null;
          }}
          className="fixed left-1/2 top-1/2 w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg border border-slate-200 bg-white p-6 text-slate-900 shadow-xl dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100"
        >
          <RadixDialog.Title className="text-lg font-semibold">{title}</RadixDialog.Title>
          <RadixDialog.Description className="mt-1 mb-4 text-sm text-slate-600 dark:text-slate-300">
            {description}
          </RadixDialog.Description>
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

export const DialogClose = RadixDialog.Close;

/**
 * The control to give focus back to. A list that refetched while the dialog was open may have
 * re-rendered the opener as a new element: then the control with the same id or accessible name.
 */
function returnTarget(opener: HTMLElement | null): HTMLElement | null {
  if (!opener) return null;
  if (opener.isConnected) return opener;
  const selector = opener.id
    ? `#${CSS.escape(opener.id)}`
    : opener.getAttribute('aria-label')
      ? `${opener.tagName.toLowerCase()}[aria-label="${CSS.escape(opener.getAttribute('aria-label') ?? '')}"]`
      : null;
  const again = selector ? document.querySelector(selector) : null;
  return again instanceof HTMLElement ? again : null;
}
