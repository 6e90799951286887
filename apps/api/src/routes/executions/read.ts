import {
  executionEventSchema,
  executionEventsQuerySchema,
  executionItemsOf,
  executionItemsQuerySchema,
  executionListQuerySchema,
  executionLogSchema,
  executionParamsSchema,
  executionSchema,
  executionStepSchema,
  pageSchema,
} from '@agentflow/contracts';
import {
  getExecution,
  listExecutionEvents,
  listExecutionLogs,
  listExecutionSteps,
  listExecutions,
} from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';

/** Executions and their steps, logs and stored events (seed 004 §4.2), read-only. */
export const executionReadRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['executions'];
  const security = userSecurity;
  const onRequest = authorize('executions:view');

  app.get(
    '/executions',
    {
      onRequest,
      schema: {
        tags,
        summary: 'List executions, newest first (filters: agent, status, trigger, created date range)',
        security,
        querystring: executionListQuerySchema,
        response: { 200: pageSchema(executionSchema) },
      },
    },
    async (request) => listExecutions(serviceContext(request), request.query),
  );

  app.get(
    '/executions/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'One execution: status, output, error and totals',
        security,
        params: executionParamsSchema,
        response: { 200: executionSchema },
      },
    },
    async (request) => getExecution(serviceContext(request), request.params.id),
  );

  app.get(
    '/executions/:id/steps',
    {
      onRequest,
      schema: {
        tags,
        summary: 'The steps of an execution in run order (a retried attempt is its own step)',
        security,
        params: executionParamsSchema,
        querystring: executionItemsQuerySchema,
        response: { 200: executionItemsOf(executionStepSchema) },
      },
    },
    async (request) => listExecutionSteps(serviceContext(request), request.params.id, request.query),
  );

  app.get(
    '/executions/:id/logs',
    {
      onRequest,
      schema: {
        tags,
        summary: 'The log lines of an execution, oldest first',
        security,
        params: executionParamsSchema,
        querystring: executionItemsQuerySchema,
        response: { 200: executionItemsOf(executionLogSchema) },
      },
    },
    async (request) => listExecutionLogs(serviceContext(request), request.params.id, request.query),
  );

  app.get(
    '/executions/:id/events',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Stored events with seq > after, in seq order (gap-free per execution)',
        security,
        params: executionParamsSchema,
        querystring: executionEventsQuerySchema,
        response: { 200: executionItemsOf(executionEventSchema) },
      },
    },
    async (request) => listExecutionEvents(serviceContext(request), request.params.id, request.query),
  );
};
