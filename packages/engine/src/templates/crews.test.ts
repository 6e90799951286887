import { validateDefinition } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import { compileForTest, recordingHooks } from '../test-utils';
import { hierarchicalCrewTemplate, sequentialCrewTemplate } from './crews';

describe('crew templates on the echo model', () => {
  it('both templates are valid definitions', () => {
    expect(validateDefinition(sequentialCrewTemplate()).problems).toEqual([]);
    expect(validateDefinition(hierarchicalCrewTemplate()).problems).toEqual([]);
    const opts = { model: 'gpt-4o-mini', researcherTools: [{ type: 'http_request' as const }] };
    expect(validateDefinition(sequentialCrewTemplate(opts)).problems).toEqual([]);
    expect(validateDefinition(hierarchicalCrewTemplate(opts)).problems).toEqual([]);
  });

  it("sequential crew: each agent works on the previous one's output", async () => {
    const rec = recordingHooks();
    const r = await compileForTest(sequentialCrewTemplate(), { hooks: rec.hooks }).run({
      type: 'manual',
      data: { topic: 'graph databases' },
    });
    expect(r.status).toBe('completed');
    expect(r.state.steps).toEqual(['start', 'research', 'write', 'edit', 'out']);
    const { body } =
      r.status === 'completed'
        ? (r.output as { body: { topic: string; article: string } })
        : { body: { topic: '', article: '' } };
    expect(body.topic).toBe('graph databases');
    // The echo model repeats its task prompt, so the chain of contexts is visible in the final text.
    expect(body.article).toContain('Current task: Polish the article');
    expect(body.article).toContain('Current task: Write a short article about graph databases');
    expect(body.article).toContain('Current task: Research graph databases');
    const write = rec.calls.find((c) => c.hook === 'start' && c.node_id === 'write');
    expect(write?.input).toMatchObject({
      context: expect.stringContaining('[echo] Current task: Research graph databases'),
    });
    const agentSteps = rec.calls.filter((c) => c.hook === 'complete' && c.type === 'agent');
    expect(agentSteps).toHaveLength(3);
    expect(agentSteps.every((c) => c.hook === 'complete' && (c.tokens?.input ?? 0) > 0)).toBe(true);
  });

  it('hierarchical crew: the manager delegates to the coworker the request calls for, then reviews', async () => {
    const agent = compileForTest(hierarchicalCrewTemplate());
    const toWriter = await agent.run({
      type: 'manual',
      data: { request: 'Please have the writer draft a haiku about graphs' },
    });
    expect(toWriter.state.steps).toEqual(['start', 'manager', 'writer', 'join', 'review', 'out']);
    expect(toWriter).toMatchObject({ status: 'completed', output: { body: { handled_by: 'writer' } } });
    const writerTask = toWriter.state.nodes.writer?.output as { text: string };
    expect(writerTask.text).toContain('Current task: Decide who should handle this request');

    const toResearcher = await agent.run({
      type: 'manual',
      data: { request: 'I need the researcher to find 3 sources on graph theory' },
    });
    expect(toResearcher.state.steps).toEqual(['start', 'manager', 'researcher', 'join', 'review', 'out']);
    expect(toResearcher).toMatchObject({ output: { body: { handled_by: 'researcher' } } });
  });
});
