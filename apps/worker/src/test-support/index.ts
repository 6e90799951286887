import { randomUUID } from 'node:crypto';
import type { JobPayloadInput, QueueName } from '@agentflow/queue';
import { createLogger, type Logger } from '../logger';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger writing parsed JSON lines into an array. */
export function memoryLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** One valid payload per registry queue. */
export function samplePayloads(): { [Q in QueueName]: JobPayloadInput<Q> } {
  const org_id = randomUUID();
  return {
    executions: { execution_id: randomUUID(), org_id },
    ingestion: { document_id: randomUUID(), org_id },
    schedules: { agent_id: randomUUID(), org_id, scheduled_for: new Date().toISOString() },
    'usage-rollup': { org_id, date: '2026-11-20' },
  };
}
