'use client';

import { useReactFlow } from '@xyflow/react';
import { type DragEvent, useRef } from 'react';
import { paletteItems, typeTitles } from '../catalog';
import { useBuilderStore } from '../context';
import { DRAG_MIME } from './canvas';

const groups = [...new Set(paletteItems.map((i) => i.type))];

/**
 * Every node of the engine's catalog. Drag one onto the canvas, or press it (mouse or keyboard) to
 * add it in the middle of the view.
 */
export function Palette() {
  const store = useBuilderStore();
  const { screenToFlowPosition } = useReactFlow();
  const clicks = useRef(0);

  const onDragStart = (event: DragEvent, type: string, subtype: string) => {
    event.dataTransfer.setData(DRAG_MIME, `${type}.${subtype}`);
    event.dataTransfer.effectAllowed = 'move';
  };

  const addAtCenter = (type: string, subtype: string) => {
    const pane = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const center = pane
      ? { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 }
      : { x: window.innerWidth / 2, y: window.innerHeight / 2 };
    const p = screenToFlowPosition(center);
    // Stagger nodes added one after another so they do not stack exactly.
    const k = clicks.current++ % 6;
    store.getState().addNode(type, subtype, { x: p.x - 110 + k * 30, y: p.y - 30 + k * 30 });
  };

  return (
    <nav aria-label="Node palette" className="flex h-full flex-col gap-3 overflow-y-auto p-3">
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Drag a node onto the canvas, or press it to add it in the middle.
      </p>
      {groups.map((type) => (
        <section key={type} aria-labelledby={`palette-${type}`}>
          <h3
            id={`palette-${type}`}
            className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400"
          >
            {typeTitles[type] ?? type}
          </h3>
          <ul className="flex flex-col gap-1">
            {paletteItems
              .filter((i) => i.type === type)
              .map((item) => (
                <li key={`${item.type}.${item.subtype}`}>
                  <button
                    type="button"
                    draggable
                    data-testid={`palette-${item.type}.${item.subtype}`}
                    onDragStart={(e) => onDragStart(e, item.type, item.subtype)}
                    onClick={() => addAtCenter(item.type, item.subtype)}
                    title={item.description}
                    aria-label={`Add ${item.title}: ${item.description}`}
                    className="w-full cursor-grab rounded-md border border-slate-200 bg-white px-2 py-1.5 text-left text-sm hover:border-indigo-400 hover:bg-indigo-50 active:cursor-grabbing dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
                  >
                    <span className="block font-medium">{item.title}</span>
                    {!item.available && (
                      <span className="block text-xs text-amber-700 dark:text-amber-400">coming soon</span>
                    )}
                  </button>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
