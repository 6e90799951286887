'use client';

import { useSyncExternalStore } from 'react';

/**
 * React Flow in the app's theme, shared by the builder canvas and the read-only run graph.
 *
 * React Flow's own dark theme (`colorMode="dark"`) is neutral grey (#141414 canvas, #2b2b2b buttons),
 * which clashes with the app's slate dark theme. Its colors are CSS variables read before its own
 * `*-default` ones, so the dark variant of these classes (on the `<ReactFlow>` element) sets them to the
 * app's palette: canvas, dots, edges, edge labels, controls and minimap.
 */
export const flowDarkPalette = [
  'dark:[--xy-background-color:var(--color-slate-950)]',
  'dark:[--xy-background-pattern-color:var(--color-slate-700)]',
  'dark:[--xy-edge-stroke:var(--color-slate-500)]',
  'dark:[--xy-edge-stroke-selected:var(--color-slate-300)]',
  'dark:[--xy-edge-label-background-color:var(--color-slate-900)]',
  'dark:[--xy-edge-label-color:var(--color-slate-100)]',
  'dark:[--xy-controls-button-background-color:var(--color-slate-900)]',
  'dark:[--xy-controls-button-background-color-hover:var(--color-slate-800)]',
  'dark:[--xy-controls-button-color:var(--color-slate-100)]',
  'dark:[--xy-controls-button-color-hover:var(--color-white)]',
  'dark:[--xy-controls-button-border-color:var(--color-slate-700)]',
  'dark:[--xy-minimap-background-color:var(--color-slate-950)]',
  'dark:[--xy-minimap-mask-background-color:color-mix(in_oklab,var(--color-slate-800)_60%,transparent)]',
  'dark:[--xy-minimap-node-background-color:var(--color-slate-700)]',
].join(' ');

/** Controls and minimap: an edge, so the panels stand out from the dark canvas. */
export const flowPanelClass = 'dark:border dark:border-slate-700';

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}
const isDark = () => document.documentElement.classList.contains('dark');

/**
 * Whether the app is in its dark theme: the `dark` class on <html> (set before paint by the theme
 * script, changed by the toggle), followed live. React Flow needs it as `colorMode`; `system` would
 * follow the OS instead of a saved choice.
 */
export function useDarkMode(): boolean {
  return useSyncExternalStore(subscribe, isDark, () => false);
}
