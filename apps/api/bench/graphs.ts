/** The agent definitions the executions bench runs. */

const at = (i: number) => ({ x: i * 100, y: 0 });

type Node = {
  id: string;
  type: string;
  subtype: string;
  label: string;
  config: Record<string, unknown>;
  position: { x: number; y: number };
};

function chain(nodes: Node[]) {
  return {
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: (nodes[i] as Node).id, target: n.id })),
  };
}

const set = (i: number): Node => ({
  id: `n${i}`,
  type: 'transform',
  subtype: 'set',
  label: `Set ${i}`,
  config: {},
  position: at(i),
});

/** (a) trigger.manual -> `nodes - 1` no-op transform.set nodes (no templates). */
export function noopChain(nodes: number) {
  const trigger: Node = {
    id: 'n0',
    type: 'trigger',
    subtype: 'manual',
    label: 'Start',
    config: {},
    position: at(0),
  };
  return chain([trigger, ...Array.from({ length: nodes - 1 }, (_, i) => set(i + 1))]);
}

/** (b) trigger.webhook (POST, async) -> transform.set -> output.respond. */
export function webhookAgent() {
  return chain([
    {
      id: 'hook',
      type: 'trigger',
      subtype: 'webhook',
      label: 'Webhook',
      config: { method: 'POST', response_mode: 'async' },
      position: at(0),
    },
    {
      id: 'shape',
      type: 'transform',
      subtype: 'set',
      label: 'Shape',
      config: { values: { n: '{{trigger.data.body.n}}' } },
      position: at(1),
    },
    {
      id: 'respond',
      type: 'output',
      subtype: 'respond',
      label: 'Respond',
      config: { body: { ok: true } },
      position: at(2),
    },
  ]);
}

/**
 * (c) trigger.manual -> delay (`delayMs`) -> `sets` no-op transform.set nodes: the delay leaves the
 * client time to open its stream, so the events after it arrive live (not from the replay).
 */
export function delayedChain(delayMs: number, sets: number) {
  const trigger: Node = {
    id: 'n0',
    type: 'trigger',
    subtype: 'manual',
    label: 'Start',
    config: {},
    position: at(0),
  };
  const wait: Node = {
    id: 'wait',
    type: 'logic',
    subtype: 'delay',
    label: 'Wait',
    config: { ms: delayMs },
    position: at(1),
  };
  return chain([trigger, wait, ...Array.from({ length: sets }, (_, i) => set(i + 2))]);
}
