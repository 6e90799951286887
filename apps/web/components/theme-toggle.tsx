'use client';

import { useEffect, useState } from 'react';
import { applyTheme, currentTheme, THEME_STORAGE_KEY, type Theme } from '@/lib/theme';

/**
 * Light/dark switch: follows the system until the user picks one, then remembers the choice. The
 * inline script in app/layout.tsx has already applied the theme before paint; this only reads and
 * changes it.
 */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme | null>(null);

  useEffect(() => {
    setTheme(currentTheme());
    // Following the system (no saved choice): keep following it while the page is open.
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = (e: MediaQueryListEvent) => {
      if (window.localStorage.getItem(THEME_STORAGE_KEY)) return;
      const next: Theme = e.matches ? 'dark' : 'light';
      applyTheme(next);
      setTheme(next);
    };
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);

  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="btn-ghost"
      aria-label={theme === null ? 'Switch theme' : `Switch to ${next} theme`}
      onClick={() => {
        window.localStorage.setItem(THEME_STORAGE_KEY, next);
        document.documentElement.dataset.themeSource = 'saved';
        applyTheme(next);
        setTheme(next);
      }}
    >
      {/* CSS picks the text from the class the pre-paint script set: right from the first frame. */}
      <span className="dark:hidden">Dark theme</span>
      <span className="hidden dark:inline">Light theme</span>
    </button>
  );
}
