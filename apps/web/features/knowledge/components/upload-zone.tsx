'use client';

import { type DragEvent, useRef, useState } from 'react';
import { uploadDocument } from '../api';
import { describeKnowledgeError } from '../errors';
import { formatBytes } from '../format';
import { queueItems, runUploads, type UploadItem, type UploadStatus } from '../upload';

const statusText: Record<UploadStatus, string> = {
  waiting: 'Waiting',
  uploading: 'Uploading…',
  added: 'Added',
  duplicate: 'Already in this base',
  failed: 'Not added',
};
const statusClass: Record<UploadStatus, string> = {
  waiting: 'text-slate-500 dark:text-slate-400',
  uploading: 'text-sky-700 dark:text-sky-300',
  added: 'text-emerald-700 dark:text-emerald-300',
  duplicate: 'text-slate-600 dark:text-slate-300',
  failed: 'text-red-700 dark:text-red-400',
};

export const ACCEPTED_FILES = '.txt,.md,.markdown,.html,.htm,.pdf,.csv,.json,.jsonl,.docx';

/**
 * Several files at once, dropped or picked: each is sent on its own (a file over the size limit fails
 * alone, with the API's reason), and its row says how it went. `onUploaded` runs after each document
 * that was added, so the table can show it (and poll its ingestion) right away.
 */
export function UploadZone({ baseId, onUploaded }: { baseId: string; onUploaded(): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<UploadItem[]>([]);
  const [over, setOver] = useState(false);

  async function start(files: File[]) {
    if (files.length === 0) return;
    const queued = queueItems(files);
    setItems((current) => [
      ...queued,
      ...current.filter((i) => i.status !== 'added' && i.status !== 'duplicate'),
    ]);
    await runUploads(files, queued, {
      upload: async (file) => {
        const doc = await uploadDocument(baseId, file);
        onUploaded();
        return doc;
      },
      update: (key, patch) =>
        setItems((current) => current.map((i) => (i.key === key ? { ...i, ...patch } : i))),
      describeError: describeKnowledgeError,
    });
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    void start([...event.dataTransfer.files]);
  };

  return (
    <div className="flex flex-col gap-3">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the button inside is the keyboard path */}
      <div
        data-testid="upload-zone"
        onDragOver={(e) => {
          if (!e.dataTransfer.types.includes('Files')) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        className={`flex flex-col items-center gap-2 rounded-lg border-2 border-dashed px-6 py-8 text-center ${
          over
            ? 'border-indigo-500 bg-indigo-50 dark:bg-indigo-950'
            : 'border-slate-300 dark:border-slate-700'
        }`}
      >
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Drop files here, or{' '}
          <button
            type="button"
            className="font-medium text-indigo-700 underline dark:text-indigo-300"
            onClick={() => input.current?.click()}
          >
            choose files
          </button>
        </p>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Text, Markdown, HTML, PDF, CSV, JSON or Word; several at once.
        </p>
        <input
          ref={input}
          type="file"
          multiple
          accept={ACCEPTED_FILES}
          className="sr-only"
          tabIndex={-1}
          aria-label="Files to upload"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void start(files);
          }}
        />
      </div>
      {items.length > 0 && (
        <ul aria-label="Uploads" aria-live="polite" className="flex flex-col gap-1 text-sm">
          {items.map((item) => (
            <li
              key={item.key}
              data-testid="upload-item"
              data-status={item.status}
              className="flex flex-wrap items-baseline gap-x-3"
            >
              <span className="font-medium">{item.name}</span>
              <span className="text-xs text-slate-500 dark:text-slate-400">{formatBytes(item.size)}</span>
              <span className={statusClass[item.status]}>{statusText[item.status]}</span>
              {item.error && (
                <span className="basis-full text-red-700 dark:text-red-400" data-testid="upload-error">
                  {item.error}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
