'use client';

import { createContext, type ReactNode, useContext, useState } from 'react';
import { useStore } from 'zustand';
import { type BuilderState, type BuilderStore, createBuilderStore } from './store';

const BuilderContext = createContext<BuilderStore | null>(null);

/** One store per builder page (a new agent gets a fresh history). */
export function BuilderStoreProvider({ children }: { children: ReactNode }) {
  const [store] = useState(() => createBuilderStore());
  return <BuilderContext.Provider value={store}>{children}</BuilderContext.Provider>;
}

export function useBuilderStore(): BuilderStore {
  const store = useContext(BuilderContext);
  if (!store) throw new Error('useBuilder must be used inside <BuilderStoreProvider>');
  return store;
}

/** Subscribes to a slice: components re-render only when their slice changes. */
export function useBuilder<T>(selector: (s: BuilderState) => T): T {
  return useStore(useBuilderStore(), selector);
}
