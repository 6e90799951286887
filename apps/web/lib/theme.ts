/** Light/dark theme, shared by the pre-paint script (app/layout.tsx) and the toggle. */
export type Theme = 'light' | 'dark';
export const THEME_STORAGE_KEY = 'agentflow-theme';

/**
 * Runs before the first paint (inline and render-blocking in <head>): the saved theme, else the
 * system's, set on <html> so a page never flashes the other one. Also sets `data-theme-source` so
 * tests (and the toggle) can tell a saved choice from the system default.
 */
export const themeScript = `(function(){try{var d=document.documentElement,t=localStorage.getItem('${THEME_STORAGE_KEY}'),s='saved';if(t!=='light'&&t!=='dark'){s='system';t=matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light';}d.classList.toggle('dark',t==='dark');d.style.colorScheme=t;d.dataset.themeSource=s;}catch(e){}})();`;

export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  root.classList.toggle('dark', theme === 'dark');
  root.style.colorScheme = theme;
}

/** What the pre-paint script chose (the class is the source of truth once the page is up). */
export function currentTheme(): Theme {
  return document.documentElement.classList.contains('dark') ? 'dark' : 'light';
}
