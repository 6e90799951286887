import { MemorySaver } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../errors';
import { sleep } from '../sleep';
import { compileForTest, edge, node, recordingHooks, testServices, trigger } from '../test-utils';

// trigger -> first -> wait (real delay) -> second: a run that can be cut off while busy in `wait`.
const def = {
  nodes: [
    trigger(),
    node('first', 'transform', 'set', { values: { n: 1 } }),
    node('wait', 'logic', 'delay', { ms: 200 }),
    node('second', 'transform', 'set', { values: { n: 2 } }),
  ],
  edges: [edge('e1', 'start', 'first'), edge('e2', 'first', 'wait'), edge('e3', 'wait', 'second')],
};

describe('continue after a crash (same checkpointer, new process)', () => {
  it('runs only what had not completed: stored steps are not run again', async () => {
    const saver = new MemorySaver();
    const services = testServices({ sleep });
    const crashed = recordingHooks();
    const controller = new AbortController();
    const first = compileForTest(def, { checkpointer: saver, services, hooks: crashed.hooks });
    const running = first.run({ type: 'manual', data: {} }, { threadId: 't1', signal: controller.signal });
    await sleep(60);
    controller.abort(new Error('worker killed'));
    await expect(running).rejects.toBeInstanceOf(AbortedError);
    expect(crashed.calls.filter((c) => c.hook === 'complete').map((c) => c.node_id)).toEqual([
      'start',
      'first',
    ]);

    const resumed = recordingHooks();
    const second = compileForTest(def, { checkpointer: saver, services, hooks: resumed.hooks });
    expect(await second.inspect('t1')).toEqual({ exists: true, interrupts: [] });
    const result = await second.continue({ threadId: 't1' });
    expect(result).toMatchObject({ status: 'completed', output: { n: 2 } });
    expect(resumed.calls.filter((c) => c.hook === 'start').map((c) => c.node_id)).toEqual(['wait', 'second']);
    expect(result.state.steps).toEqual(['start', 'first', 'wait', 'second']);
  });

  it('inspect tells a new thread from a paused one', async () => {
    const agent = compileForTest({
      nodes: [trigger(), node('ok', 'human', 'approval', { message: 'Go?' })],
      edges: [edge('e1', 'start', 'ok')],
    });
    expect(await agent.inspect('fresh')).toEqual({ exists: false, interrupts: [] });
    await agent.run({ type: 'manual', data: {} }, { threadId: 'paused' });
    const paused = await agent.inspect('paused');
    expect(paused.exists).toBe(true);
    expect(paused.interrupts).toEqual([
      { id: expect.any(String), value: expect.objectContaining({ kind: 'approval', message: 'Go?' }) },
    ]);
  });
});
