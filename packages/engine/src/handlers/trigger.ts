import { nodeCatalog } from '@agentflow/contracts';
import { EngineError } from '../errors';
import { validateJson } from '../json-schema';
import { defineHandler, type NodeHandler } from './types';

function triggerHandler(subtype: 'manual' | 'api' | 'webhook' | 'schedule'): NodeHandler {
  return defineHandler({
    type: 'trigger',
    subtype,
    configSchema: nodeCatalog.trigger[subtype].configSchema,
    replayable: true,
    run({ config, state }) {
      const data = state.trigger.data;
      if (config.input_schema) {
        const problems = validateJson(config.input_schema, data);
        if (problems.length) {
          throw new EngineError(
            'TRIGGER_INPUT_INVALID',
            `The trigger data does not match the input schema: ${problems.join('; ')}`,
          );
        }
      }
      return { output: data };
    },
  });
}

export const triggerHandlers: NodeHandler[] = [
  triggerHandler('manual'),
  triggerHandler('api'),
  triggerHandler('webhook'),
  triggerHandler('schedule'),
];
