import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../client/types';
import {
  agentEdges,
  agentNodes,
  agentSchedules,
  agents,
  agentVersions,
  apiKeys,
  auditLogs,
  documentChunks,
  documents,
  EMBEDDING_DIMENSIONS,
  executionApprovals,
  executionEvents,
  executionLogs,
  executionSteps,
  executions,
  graphCheckpointBlobs,
  graphCheckpoints,
  graphCheckpointWrites,
  idempotencyKeys,
  integrations,
  invitations,
  knowledgeBases,
  llmModels,
  organizations,
  orgDataKeys,
  orgMemberships,
  refreshTokens,
  subscriptions,
  teamMemberships,
  teams,
  usageDaily,
  usageRecords,
  users,
  webhookDeliveries,
  webhookEndpoints,
} from '../schema';

/** A unit vector along one axis: cosine neighbours are then obvious by construction. */
export function axisVector(axis: number, wobble = 0): number[] {
  const v = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  v[axis % EMBEDDING_DIMENSIONS] = 1;
  if (wobble) v[(axis + 1) % EMBEDDING_DIMENSIONS] = wobble;
  return v;
}

const unique = () => randomUUID().slice(0, 8);
const inOneHour = () => new Date(Date.now() + 3_600_000);

/** One org with a row in every tenant table, for round-trip and cascade tests. */
export async function seedOrg(db: Db) {
  const [org] = await db
    .insert(organizations)
    .values({ name: 'Acme', slug: `acme-${unique()}` })
    .returning();
  const [user] = await db
    .insert(users)
    .values({ email: `ada-${unique()}@example.com`, name: 'Ada' })
    .returning();
  if (!org || !user) throw new Error('seed failed');
  const orgId = org.id;
  await db.insert(orgMemberships).values({ orgId, userId: user.id, role: 'owner' });
  const [team] = await db.insert(teams).values({ orgId, name: 'Core' }).returning();
  await db.insert(teamMemberships).values({ orgId, teamId: team!.id, userId: user.id });
  await db.insert(invitations).values({
    orgId,
    email: 'bob@example.com',
    role: 'editor',
    tokenHash: `inv-${unique()}`,
    expiresAt: inOneHour(),
    invitedBy: user.id,
  });
  await db.insert(orgDataKeys).values({ orgId, keyVersion: 1, wrappedKey: 'wrapped' });
  await db.insert(refreshTokens).values({
    userId: user.id,
    orgId,
    tokenHash: `rt-${unique()}`,
    familyId: randomUUID(),
    expiresAt: inOneHour(),
    ipAddress: '127.0.0.1',
  });
  const [apiKey] = await db
    .insert(apiKeys)
    .values({ orgId, createdBy: user.id, name: 'ci', keyHash: `kh-${unique()}`, keyPrefix: 'af_live_ab' })
    .returning();
  await db.insert(llmModels).values({ orgId, name: 'gpt', provider: 'openai', modelIdentifier: 'gpt-4o' });

  const definition = { nodes: [{ id: 'llm_1', type: 'llm' }], edges: [] };
  const [agent] = await db
    .insert(agents)
    .values({ orgId, createdBy: user.id, name: 'Support bot', draftDefinition: definition })
    .returning();
  const [version] = await db
    .insert(agentVersions)
    .values({ orgId, agentId: agent!.id, version: 1, definition, isPublished: true, createdBy: user.id })
    .returning();
  await db
    .update(agents)
    .set({ publishedVersionId: version!.id, latestVersion: 1, status: 'active' })
    .where(eq(agents.id, agent!.id));
  const [trigger, llm] = await db
    .insert(agentNodes)
    .values([
      {
        orgId,
        agentVersionId: version!.id,
        nodeKey: 'trigger_1',
        nodeType: 'trigger',
        nodeSubtype: 'manual',
      },
      { orgId, agentVersionId: version!.id, nodeKey: 'llm_1', nodeType: 'llm', nodeSubtype: 'openai' },
    ])
    .returning();
  await db
    .insert(agentEdges)
    .values({ orgId, agentVersionId: version!.id, sourceNodeId: trigger!.id, targetNodeId: llm!.id });

  const [execution] = await db
    .insert(executions)
    .values({
      orgId,
      agentId: agent!.id,
      agentVersionId: version!.id,
      triggeredBy: 'manual',
      triggeredByUserId: user.id,
      idempotencyKey: `idem-${unique()}`,
    })
    .returning();
  const executionId = execution!.id;
  const [step] = await db
    .insert(executionSteps)
    .values({ orgId, executionId, nodeId: llm!.id, nodeKey: 'llm_1', stepOrder: 1, cost: '0.001200' })
    .returning();
  await db.insert(executionLogs).values({ orgId, executionId, stepId: step!.id, message: 'hello' });
  await db.insert(executionEvents).values({ orgId, executionId, seq: 1, type: 'execution.started' });
  const thread = { orgId, executionId, threadId: executionId };
  await db.insert(graphCheckpoints).values({ ...thread, checkpointId: 'c1', checkpoint: { v: 1 } });
  await db
    .insert(graphCheckpointBlobs)
    .values({ ...thread, channel: 'messages', version: '1', type: 'json', blob: new Uint8Array([1, 2, 3]) });
  await db.insert(graphCheckpointWrites).values({
    ...thread,
    checkpointId: 'c1',
    taskId: 't1',
    idx: 0,
    channel: 'messages',
    blob: new Uint8Array([4, 5]),
  });

  await db.insert(integrations).values({ orgId, provider: 'slack', credentialsEncrypted: 'sealed' });
  const [kb] = await db.insert(knowledgeBases).values({ orgId, name: 'Docs' }).returning();
  const [doc] = await db
    .insert(documents)
    .values({ orgId, knowledgeBaseId: kb!.id, name: 'faq.md', contentHash: 'abc' })
    .returning();
  await db.insert(documentChunks).values({
    orgId,
    documentId: doc!.id,
    knowledgeBaseId: kb!.id,
    content: 'Refunds are processed within five days',
    chunkIndex: 0,
    embedding: axisVector(0),
  });

  await db.insert(subscriptions).values({ orgId, plan: 'pro', stripeSubscriptionId: `sub_${unique()}` });
  await db.insert(usageRecords).values({ orgId, executionId, recordType: 'tokens', quantity: 120 });
  await db.insert(usageDaily).values({ orgId, date: '2026-01-01', totalRuns: 1, totalTokens: 120 });
  await db.insert(auditLogs).values({
    orgId,
    userId: user.id,
    apiKeyId: apiKey!.id,
    action: 'agent.created',
    resourceType: 'agent',
    resourceId: agent!.id,
    ipAddress: '10.0.0.1',
  });
  const [endpoint] = await db
    .insert(webhookEndpoints)
    .values({ orgId, agentId: agent!.id, hookId: `hk_${unique()}`, secretEncrypted: 'sealed' })
    .returning();
  await db
    .insert(webhookDeliveries)
    .values({ orgId, endpointId: endpoint!.id, deliveryId: 'd1', executionId, expiresAt: inOneHour() });
  await db.insert(idempotencyKeys).values({ orgId, key: 'k1', executionId, expiresAt: inOneHour() });
  await db.insert(executionApprovals).values({
    orgId,
    executionId,
    nodeKey: 'review',
    message: 'Ship it?',
    approvers: { roles: ['admin'] },
    timeoutAction: 'reject',
    expiresAt: inOneHour(),
  });
  await db
    .insert(agentSchedules)
    .values({ orgId, agentId: agent!.id, cron: '0 9 * * 1', timezone: 'Europe/Paris' });

  return { org, user, agent: agent!, version: version!, execution: execution!, kb: kb!, doc: doc! };
}
