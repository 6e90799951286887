'use client';

import { useEffect, useState } from 'react';

/**
 * A search box's text and the term a list queries with, which follows the text after a pause: one
 * request per pause rather than per keystroke. `clear()` empties both at once (no stale results).
 */
export function useDebouncedSearch(delayMs = 300) {
  const [input, setInput] = useState('');
  const [term, setTerm] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setTerm(input), delayMs);
    return () => clearTimeout(t);
  }, [input, delayMs]);
  return {
    input,
    setInput,
    term,
    clear() {
      setInput('');
      setTerm('');
    },
  };
}
