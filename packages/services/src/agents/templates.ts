import type { AgentDefinition } from '@agentflow/contracts';

type TriggerType = 'manual' | 'api' | 'webhook' | 'schedule';

/** An empty canvas: only the trigger, so the editor has a start node to connect from. */
export function blankDefinition(triggerType: TriggerType, triggerConfig: Record<string, unknown>) {
  return { nodes: [triggerNode(triggerType, triggerConfig)], edges: [] } satisfies AgentDefinition;
}

/**
 * trigger -> ai (echo) -> output: runnable offline with no API key (the echo model repeats the
 * prompt), so a new user can press "Test" on their first agent and see every step.
 */
export function starterDefinition(triggerType: TriggerType, triggerConfig: Record<string, unknown>) {
  return {
    nodes: [
      triggerNode(triggerType, triggerConfig),
      {
        id: 'reply',
        type: 'ai',
        subtype: 'chat',
        label: 'Reply (echo model)',
        config: {
          model: 'echo',
          system_prompt: 'You are a helpful assistant.',
          user_prompt: '{{trigger.data.message | default: "Hello"}}',
        },
        position: { x: 0, y: 150 },
      },
      {
        id: 'respond',
        type: 'output',
        subtype: 'respond',
        label: 'Respond',
        config: { body: { reply: '{{node_reply.output.text}}' } },
        position: { x: 0, y: 300 },
      },
    ],
    edges: [
      { id: 'trigger-reply', source: 'trigger', target: 'reply' },
      { id: 'reply-respond', source: 'reply', target: 'respond' },
    ],
  } satisfies AgentDefinition;
}

function triggerNode(triggerType: TriggerType, triggerConfig: Record<string, unknown>) {
  const config: Record<string, unknown> = { sample_data: { message: 'Hello from AgentFlow' } };
  // A schedule trigger needs a cron; take the agent's own when it has one.
  if (triggerType === 'schedule') {
    config.cron = typeof triggerConfig.cron === 'string' ? triggerConfig.cron : '0 9 * * 1-5';
  }
  return {
    id: 'trigger',
    type: 'trigger',
    subtype: triggerType,
    label: 'Start',
    config,
    position: { x: 0, y: 0 },
  };
}
