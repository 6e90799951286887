import { createExecutionsProcessor } from './executions';
import { createIngestionProcessor } from './ingestion';
import { createSchedulesProcessor } from './schedules';
import type { ProcessorDeps, ProcessorMap } from './types';
import { createUsageRollupProcessor } from './usage-rollup';

export type { ProcessorDeps, ProcessorMap } from './types';

/** The processor of every registry queue. A real implementation replaces one line here. */
export function createProcessors(deps: ProcessorDeps): ProcessorMap {
  return {
    executions: createExecutionsProcessor(deps),
    ingestion: createIngestionProcessor(deps),
    schedules: createSchedulesProcessor(deps),
    'usage-rollup': createUsageRollupProcessor(deps),
  };
}
