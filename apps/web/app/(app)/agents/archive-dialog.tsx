'use client';

import type { Agent } from '@agentflow/contracts';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { describeError } from '@/lib/errors';
import { archiveAgent } from './queries';

export function ArchiveDialog({
  agent,
  onClose,
  onArchived,
}: {
  agent: Agent | null;
  onClose(): void;
  onArchived(agent: Agent): void;
}) {
  return (
    <ConfirmDialog
      open={agent !== null}
      onClose={onClose}
      title={agent ? `Archive “${agent.name}”?` : 'Archive agent?'}
      description="It stops running and leaves the list. Its versions and run history are kept, and you can still find it under the Archived status filter and clone it."
      confirmLabel="Archive agent"
      pendingLabel="Archiving…"
      confirm={() => (agent ? archiveAgent(agent) : Promise.resolve())}
      onDone={() => agent && onArchived(agent)}
      describeError={describeError}
    />
  );
}
