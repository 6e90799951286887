import type { BuilderStore } from './store';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target.closest('[role="dialog"]')) return true;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * Canvas shortcuts: undo/redo, copy/paste, delete. Ignored while the user types in a field or a
 * dialog is open, so Ctrl+Z in a text box still undoes typing there. Returns true when handled.
 */
export function handleShortcut(event: KeyboardEvent, store: BuilderStore): boolean {
  if (event.defaultPrevented || isTyping(event.target)) return false;
  const s = store.getState();
  const mod = event.metaKey || event.ctrlKey;
  const key = event.key.toLowerCase();
  if (mod && key === 'z') {
    if (event.shiftKey) s.redo();
    else s.undo();
    return true;
  }
  if (mod && key === 'y') {
    s.redo();
    return true;
  }
  if (mod && key === 'c') {
    if (window.getSelection()?.toString()) return false;
    return s.copy() > 0;
  }
  if (mod && key === 'v') {
    return s.paste().length > 0;
  }
  if (!mod && (event.key === 'Delete' || event.key === 'Backspace')) {
    if (s.selectedNodeIds.length === 0 && s.selectedEdgeIds.length === 0) return false;
    s.deleteSelection();
    return true;
  }
  return false;
}
