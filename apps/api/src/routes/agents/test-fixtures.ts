import type { App } from '../../app';
import type { TestMember } from '../org/test-fixtures';

/** Test-only helpers and definitions for the agent route suites. */

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export function caller(app: () => App) {
  return (who: { headers: Record<string, string> }, method: Method, url: string, payload?: unknown) =>
    app().inject({
      method,
      url,
      headers: who.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
}

export async function createAgentAs(
  app: App,
  who: TestMember,
  body: Record<string, unknown> = {},
): Promise<{ id: string } & Record<string, unknown>> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/agents',
    headers: who.headers,
    payload: { name: `Agent ${Math.random().toString(36).slice(2, 8)}`, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create agent failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

const at = (y: number) => ({ x: 0, y });

export function triggerNode(subtype = 'manual') {
  return { id: 'trigger', type: 'trigger', subtype, label: 'Start', config: {}, position: at(0) };
}

/** trigger -> check (amount > 100) -> big | small: which transform ran shows the branch taken. */
export function ifElseDefinition() {
  const set = (id: string, size: string) => ({
    id,
    type: 'transform',
    subtype: 'set',
    label: `Set ${size}`,
    config: { values: { size, amount: '{{trigger.data.amount}}' } },
    position: at(200),
  });
  return {
    nodes: [
      triggerNode(),
      {
        id: 'check',
        type: 'logic',
        subtype: 'if_else',
        label: 'Big order?',
        config: { condition: { left: '{{trigger.data.amount}}', operator: 'gt', right: 100 } },
        position: at(100),
      },
      set('big', 'big'),
      set('small', 'small'),
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'check' },
      { id: 'e2', source: 'check', target: 'big', source_handle: 'true' },
      { id: 'e3', source: 'check', target: 'small', source_handle: 'false' },
    ],
  };
}

/** trigger -> approve (human) -> done. */
export function humanDefinition() {
  return {
    nodes: [
      triggerNode(),
      {
        id: 'approve',
        type: 'human',
        subtype: 'approval',
        label: 'Manager approval',
        config: { message: 'Ship it?' },
        position: at(100),
      },
      {
        id: 'done',
        type: 'output',
        subtype: 'respond',
        label: 'Done',
        config: { body: 'ok' },
        position: at(200),
      },
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'approve' },
      { id: 'e2', source: 'approve', target: 'done' },
    ],
  };
}

/** Unknown subtype on `bad`, an edge to a node that does not exist, and an unreachable `island`. */
export function invalidDefinition() {
  return {
    nodes: [
      triggerNode(),
      { id: 'bad', type: 'ai', subtype: 'nope', label: 'Bad', config: {}, position: at(100) },
      { id: 'island', type: 'transform', subtype: 'set', label: 'Island', config: {}, position: at(200) },
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'bad' },
      { id: 'e2', source: 'bad', target: 'ghost' },
    ],
  };
}
