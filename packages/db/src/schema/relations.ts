import { relations } from 'drizzle-orm';
import { agentEdges, agentNodes, agents, agentTemplates, agentVersions } from './agents';
import { auditLogs } from './audit';
import { apiKeys, refreshTokens } from './auth';
import { stripeEvents, subscriptions, usageDaily, usageRecords } from './billing';
import { graphCheckpointBlobs, graphCheckpoints, graphCheckpointWrites } from './checkpoints';
import { executionEvents, executionLogs, executionSteps, executions } from './executions';
import { integrations } from './integrations';
import { documentChunks, documents, knowledgeBases } from './knowledge';
import { llmModels } from './models';
import {
  invitations,
  organizations,
  orgDataKeys,
  orgMemberships,
  teamMemberships,
  teams,
  users,
} from './orgs';
import { idempotencyKeys, webhookDeliveries, webhookEndpoints } from './webhooks';

// Relations live in one file so the table files import each other in one direction only.

export const organizationsRelations = relations(organizations, ({ many }) => ({
  memberships: many(orgMemberships),
  teams: many(teams),
  invitations: many(invitations),
  dataKeys: many(orgDataKeys),
  agents: many(agents),
  executions: many(executions),
  integrations: many(integrations),
  apiKeys: many(apiKeys),
  knowledgeBases: many(knowledgeBases),
  llmModels: many(llmModels),
  subscriptions: many(subscriptions),
  usageRecords: many(usageRecords),
  usageDaily: many(usageDaily),
  auditLogs: many(auditLogs),
  webhookEndpoints: many(webhookEndpoints),
}));

export const usersRelations = relations(users, ({ many }) => ({
  memberships: many(orgMemberships),
  teamMemberships: many(teamMemberships),
  refreshTokens: many(refreshTokens),
}));

export const orgMembershipsRelations = relations(orgMemberships, ({ one }) => ({
  user: one(users, { fields: [orgMemberships.userId], references: [users.id] }),
  organization: one(organizations, { fields: [orgMemberships.orgId], references: [organizations.id] }),
}));

export const teamsRelations = relations(teams, ({ one, many }) => ({
  organization: one(organizations, { fields: [teams.orgId], references: [organizations.id] }),
  memberships: many(teamMemberships),
}));

export const teamMembershipsRelations = relations(teamMemberships, ({ one }) => ({
  team: one(teams, { fields: [teamMemberships.teamId], references: [teams.id] }),
  user: one(users, { fields: [teamMemberships.userId], references: [users.id] }),
}));

export const invitationsRelations = relations(invitations, ({ one }) => ({
  organization: one(organizations, { fields: [invitations.orgId], references: [organizations.id] }),
  inviter: one(users, { fields: [invitations.invitedBy], references: [users.id] }),
}));

export const orgDataKeysRelations = relations(orgDataKeys, ({ one }) => ({
  organization: one(organizations, { fields: [orgDataKeys.orgId], references: [organizations.id] }),
}));

export const refreshTokensRelations = relations(refreshTokens, ({ one }) => ({
  user: one(users, { fields: [refreshTokens.userId], references: [users.id] }),
  organization: one(organizations, { fields: [refreshTokens.orgId], references: [organizations.id] }),
}));

export const apiKeysRelations = relations(apiKeys, ({ one }) => ({
  organization: one(organizations, { fields: [apiKeys.orgId], references: [organizations.id] }),
  creator: one(users, { fields: [apiKeys.createdBy], references: [users.id] }),
}));

export const llmModelsRelations = relations(llmModels, ({ one }) => ({
  organization: one(organizations, { fields: [llmModels.orgId], references: [organizations.id] }),
}));

export const agentTemplatesRelations = relations(agentTemplates, ({ one, many }) => ({
  authorOrg: one(organizations, { fields: [agentTemplates.authorOrgId], references: [organizations.id] }),
  agents: many(agents),
}));

export const agentsRelations = relations(agents, ({ one, many }) => ({
  organization: one(organizations, { fields: [agents.orgId], references: [organizations.id] }),
  creator: one(users, { fields: [agents.createdBy], references: [users.id] }),
  template: one(agentTemplates, { fields: [agents.templateId], references: [agentTemplates.id] }),
  publishedVersion: one(agentVersions, {
    fields: [agents.publishedVersionId],
    references: [agentVersions.id],
    relationName: 'publishedVersion',
  }),
  versions: many(agentVersions, { relationName: 'versions' }),
  executions: many(executions),
  webhookEndpoints: many(webhookEndpoints),
}));

export const agentVersionsRelations = relations(agentVersions, ({ one, many }) => ({
  agent: one(agents, { fields: [agentVersions.agentId], references: [agents.id], relationName: 'versions' }),
  nodes: many(agentNodes),
  edges: many(agentEdges),
  executions: many(executions),
}));

export const agentNodesRelations = relations(agentNodes, ({ one, many }) => ({
  version: one(agentVersions, { fields: [agentNodes.agentVersionId], references: [agentVersions.id] }),
  outgoingEdges: many(agentEdges, { relationName: 'edgeSource' }),
  incomingEdges: many(agentEdges, { relationName: 'edgeTarget' }),
}));

export const agentEdgesRelations = relations(agentEdges, ({ one }) => ({
  version: one(agentVersions, { fields: [agentEdges.agentVersionId], references: [agentVersions.id] }),
  source: one(agentNodes, {
    fields: [agentEdges.sourceNodeId],
    references: [agentNodes.id],
    relationName: 'edgeSource',
  }),
  target: one(agentNodes, {
    fields: [agentEdges.targetNodeId],
    references: [agentNodes.id],
    relationName: 'edgeTarget',
  }),
}));

export const executionsRelations = relations(executions, ({ one, many }) => ({
  organization: one(organizations, { fields: [executions.orgId], references: [organizations.id] }),
  agent: one(agents, { fields: [executions.agentId], references: [agents.id] }),
  version: one(agentVersions, { fields: [executions.agentVersionId], references: [agentVersions.id] }),
  triggeredByUser: one(users, { fields: [executions.triggeredByUserId], references: [users.id] }),
  steps: many(executionSteps),
  logs: many(executionLogs),
  events: many(executionEvents),
  usageRecords: many(usageRecords),
}));

export const executionStepsRelations = relations(executionSteps, ({ one, many }) => ({
  execution: one(executions, { fields: [executionSteps.executionId], references: [executions.id] }),
  node: one(agentNodes, { fields: [executionSteps.nodeId], references: [agentNodes.id] }),
  logs: many(executionLogs),
}));

export const executionLogsRelations = relations(executionLogs, ({ one }) => ({
  execution: one(executions, { fields: [executionLogs.executionId], references: [executions.id] }),
  step: one(executionSteps, { fields: [executionLogs.stepId], references: [executionSteps.id] }),
}));

export const executionEventsRelations = relations(executionEvents, ({ one }) => ({
  execution: one(executions, { fields: [executionEvents.executionId], references: [executions.id] }),
}));

export const graphCheckpointsRelations = relations(graphCheckpoints, ({ one }) => ({
  execution: one(executions, { fields: [graphCheckpoints.executionId], references: [executions.id] }),
}));

export const graphCheckpointBlobsRelations = relations(graphCheckpointBlobs, ({ one }) => ({
  execution: one(executions, { fields: [graphCheckpointBlobs.executionId], references: [executions.id] }),
}));

export const graphCheckpointWritesRelations = relations(graphCheckpointWrites, ({ one }) => ({
  execution: one(executions, { fields: [graphCheckpointWrites.executionId], references: [executions.id] }),
}));

export const integrationsRelations = relations(integrations, ({ one }) => ({
  organization: one(organizations, { fields: [integrations.orgId], references: [organizations.id] }),
  connector: one(users, { fields: [integrations.connectedBy], references: [users.id] }),
}));

export const knowledgeBasesRelations = relations(knowledgeBases, ({ one, many }) => ({
  organization: one(organizations, { fields: [knowledgeBases.orgId], references: [organizations.id] }),
  documents: many(documents),
  chunks: many(documentChunks),
}));

export const documentsRelations = relations(documents, ({ one, many }) => ({
  knowledgeBase: one(knowledgeBases, {
    fields: [documents.knowledgeBaseId],
    references: [knowledgeBases.id],
  }),
  chunks: many(documentChunks),
}));

export const documentChunksRelations = relations(documentChunks, ({ one }) => ({
  document: one(documents, { fields: [documentChunks.documentId], references: [documents.id] }),
  knowledgeBase: one(knowledgeBases, {
    fields: [documentChunks.knowledgeBaseId],
    references: [knowledgeBases.id],
  }),
}));

export const subscriptionsRelations = relations(subscriptions, ({ one }) => ({
  organization: one(organizations, { fields: [subscriptions.orgId], references: [organizations.id] }),
}));

export const usageRecordsRelations = relations(usageRecords, ({ one }) => ({
  organization: one(organizations, { fields: [usageRecords.orgId], references: [organizations.id] }),
  execution: one(executions, { fields: [usageRecords.executionId], references: [executions.id] }),
}));

export const usageDailyRelations = relations(usageDaily, ({ one }) => ({
  organization: one(organizations, { fields: [usageDaily.orgId], references: [organizations.id] }),
}));

export const stripeEventsRelations = relations(stripeEvents, ({ one }) => ({
  organization: one(organizations, { fields: [stripeEvents.orgId], references: [organizations.id] }),
}));

export const auditLogsRelations = relations(auditLogs, ({ one }) => ({
  organization: one(organizations, { fields: [auditLogs.orgId], references: [organizations.id] }),
  user: one(users, { fields: [auditLogs.userId], references: [users.id] }),
  apiKey: one(apiKeys, { fields: [auditLogs.apiKeyId], references: [apiKeys.id] }),
}));

export const webhookEndpointsRelations = relations(webhookEndpoints, ({ one, many }) => ({
  organization: one(organizations, { fields: [webhookEndpoints.orgId], references: [organizations.id] }),
  agent: one(agents, { fields: [webhookEndpoints.agentId], references: [agents.id] }),
  deliveries: many(webhookDeliveries),
}));

export const webhookDeliveriesRelations = relations(webhookDeliveries, ({ one }) => ({
  endpoint: one(webhookEndpoints, {
    fields: [webhookDeliveries.endpointId],
    references: [webhookEndpoints.id],
  }),
  execution: one(executions, { fields: [webhookDeliveries.executionId], references: [executions.id] }),
}));

export const idempotencyKeysRelations = relations(idempotencyKeys, ({ one }) => ({
  organization: one(organizations, { fields: [idempotencyKeys.orgId], references: [organizations.id] }),
  execution: one(executions, { fields: [idempotencyKeys.executionId], references: [executions.id] }),
}));
