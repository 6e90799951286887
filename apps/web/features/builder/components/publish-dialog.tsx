'use client';

import type { AgentDetail } from '@agentflow/contracts';
import { AgentFlowError } from '@agentflow/sdk';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Dialog, DialogClose } from '@/components/dialog';
import { describeError } from '@/lib/errors';
import { builderKeys, publishAgent } from '../api';
import { useBuilderStore } from '../context';
import { toDefinition } from '../definition';
import type { Problem } from '../store';

/** Publishes the canvas as version n+1 with a change message; problems come back onto the canvas. */
export function PublishDialog({
  agent,
  open,
  onOpenChange,
  flush,
  onPublished,
}: {
  agent: AgentDetail;
  open: boolean;
  onOpenChange(open: boolean): void;
  flush(): Promise<void>;
  onPublished(version: number): void;
}) {
  const store = useBuilderStore();
  const queryClient = useQueryClient();
  const id = useId();
  const [message, setMessage] = useState('');
  const [messageError, setMessageError] = useState<string | null>(null);
  const publish = useMutation({
    mutationFn: async (change: string) => {
      await flush();
      const { nodes, edges } = store.getState();
      return publishAgent(agent.id, change, toDefinition(nodes, edges));
    },
    onSuccess: (version) => {
      store.getState().setProblems([]);
      void queryClient.invalidateQueries({ queryKey: builderKeys.agent(agent.id) });
      void queryClient.invalidateQueries({ queryKey: builderKeys.versions(agent.id) });
      setMessage('');
      onOpenChange(false);
      onPublished(version.version);
    },
    onError: (err) => {
      if (err instanceof AgentFlowError && Array.isArray(err.details.problems)) {
        store.getState().setProblems(err.details.problems as Problem[]);
      }
    },
  });
  const problems =
    publish.error instanceof AgentFlowError && Array.isArray(publish.error.details.problems)
      ? (publish.error.details.problems as Problem[])
      : [];

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const m = message.trim();
    if (!m) {
      setMessageError('Change message is required');
      return;
    }
    setMessageError(null);
    publish.mutate(m);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) publish.reset();
        onOpenChange(next);
      }}
      title="Publish a new version"
      description={`Freezes the canvas as version ${agent.latest_version + 1}. New runs use it; the draft stays editable.`}
    >
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
        <div>
          <label htmlFor={`${id}-msg`} className="label">
            Change message
          </label>
          <textarea
            id={`${id}-msg`}
            rows={3}
            className="input"
            value={message}
            maxLength={1000}
            aria-invalid={messageError ? true : undefined}
            aria-describedby={messageError ? `${id}-msg-error` : undefined}
            onChange={(e) => setMessage(e.currentTarget.value)}
          />
          {messageError && (
            <p id={`${id}-msg-error`} className="field-error">
              {messageError}
            </p>
          )}
        </div>
        {publish.isError && (
          <div role="alert" className="alert-error">
            {problems.length > 0 ? (
              <>
                <p>The draft has {problems.length} problem(s); they are marked on the canvas.</p>
                <ul className="mt-1 list-disc pl-5">
                  {problems.slice(0, 5).map((p, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id and the list is replaced whole
                    <li key={`${p.code}-${i}`}>{p.message}</li>
                  ))}
                </ul>
              </>
            ) : (
              describeError(publish.error)
            )}
          </div>
        )}
        <div className="flex justify-end gap-2">
          <DialogClose asChild>
            <button type="button" className="btn-secondary">
              Cancel
            </button>
          </DialogClose>
          <button type="submit" className="btn" disabled={publish.isPending}>
            {publish.isPending ? 'Publishing…' : 'Publish'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
