'use client';

import type { Approval } from '@agentflow/contracts';
import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { decideApproval } from './api';
import { describeExecutionError as describeError } from './errors';

export type Decision = 'approve' | 'reject';

/** Approve or reject one pending approval, with an optional comment (it becomes the step's output). */
export function ApprovalForm({
  approval,
  onDecided,
}: {
  approval: Approval;
  onDecided(decision: Decision): void;
}) {
  const [comment, setComment] = useState('');
  const commentId = useId();
  const decide = useMutation({
    mutationFn: (decision: Decision) => decideApproval(approval.execution_id, decision, comment),
    onSuccess: (_, decision) => onDecided(decision),
  });

  return (
    <form
      className="flex flex-col gap-3"
      aria-label={`Decide: ${approval.message}`}
      onSubmit={(e) => {
        e.preventDefault();
        decide.mutate('approve');
      }}
    >
      <p className="whitespace-pre-wrap text-sm" data-testid="approval-message">
        {approval.message}
      </p>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Requested {new Date(approval.created_at).toLocaleString()} · if nobody decides by{' '}
        {new Date(approval.expires_at).toLocaleString()} it is{' '}
        {approval.on_timeout === 'approve'
          ? 'approved'
          : approval.on_timeout === 'reject'
            ? 'rejected'
            : 'failed'}{' '}
        automatically.
      </p>
      <div>
        <label htmlFor={commentId} className="label">
          Comment <span className="font-normal text-slate-500">(optional)</span>
        </label>
        <textarea
          id={commentId}
          rows={2}
          maxLength={5000}
          className="input"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
      </div>
      {decide.isError && (
        <p role="alert" className="alert-error">
          {describeError(decide.error)}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        <button type="submit" className="btn" disabled={decide.isPending}>
          {decide.isPending && decide.variables === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button
          type="button"
          className="btn-danger"
          disabled={decide.isPending}
          onClick={() => decide.mutate('reject')}
        >
          {decide.isPending && decide.variables === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
    </form>
  );
}
