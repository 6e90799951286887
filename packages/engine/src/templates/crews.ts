import type { AgentDefinition, agentToolSchema } from '@agentflow/contracts';
import type { z } from 'zod';

/**
 * Starter definitions reproducing seed 000's crewAI processes with agent nodes. Without `model`
 * they name none, so they run on the org's default model (the offline echo model when no provider
 * is configured).
 */
export interface CrewTemplateOptions {
  /** A model reference (provider model id or org model id) for every agent of the crew. */
  model?: string;
  /** Tools of the researcher (an http_request tool to a facts API, a knowledge-base search...). */
  researcherTools?: Array<z.input<typeof agentToolSchema>>;
}

const at = (x: number, y = 0) => ({ x, y });
const withModel = (opts: CrewTemplateOptions) => (opts.model ? { model: opts.model } : {});
const researcherTools = (opts: CrewTemplateOptions) =>
  opts.researcherTools?.length ? { tools: opts.researcherTools } : {};

/** Process.sequential: each agent's task gets the previous agent's output as context. */
export function sequentialCrewTemplate(opts: CrewTemplateOptions = {}): AgentDefinition {
  return {
    nodes: [
      {
        id: 'start',
        type: 'trigger',
        subtype: 'manual',
        label: 'Topic',
        config: {
          input_schema: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
        },
        position: at(0),
      },
      {
        id: 'research',
        type: 'agent',
        subtype: 'tool_agent',
        label: 'Researcher',
        config: {
          role: 'Senior Research Analyst',
          goal: 'Uncover accurate, relevant facts about {{trigger.data.topic}}',
          backstory: 'You work at a think tank and are known for careful, sourced research.',
          task_description: 'Research {{trigger.data.topic}} and list the key points a writer needs.',
          expected_output: 'A bullet list of the 5 most important points, each with one sentence of detail.',
          max_iterations: 5,
          ...withModel(opts),
          ...researcherTools(opts),
        },
        position: at(250),
      },
      {
        id: 'write',
        type: 'agent',
        subtype: 'tool_agent',
        label: 'Writer',
        config: {
          role: 'Content Writer',
          goal: 'Write engaging, accurate articles',
          backstory: 'You turn research into clear prose for a general audience.',
          task_description: 'Write a short article about {{trigger.data.topic}} based on the research.',
          expected_output: 'An article of three short paragraphs.',
          context: '{{node_research.output.text}}',
          max_iterations: 5,
          ...withModel(opts),
        },
        position: at(500),
      },
      {
        id: 'edit',
        type: 'agent',
        subtype: 'tool_agent',
        label: 'Editor',
        config: {
          role: 'Editor',
          goal: 'Make every article correct and easy to read',
          task_description: 'Polish the article: fix errors, tighten sentences, keep the facts.',
          expected_output: 'The final article, ready to publish.',
          context: '{{node_write.output.text}}',
          max_iterations: 3,
          ...withModel(opts),
        },
        position: at(750),
      },
      {
        id: 'out',
        type: 'output',
        subtype: 'respond',
        label: 'Article',
        config: { body: { topic: '{{trigger.data.topic}}', article: '{{node_edit.output.text}}' } },
        position: at(1000),
      },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'research' },
      { id: 'e2', source: 'research', target: 'write' },
      { id: 'e3', source: 'write', target: 'edit' },
      { id: 'e4', source: 'edit', target: 'out' },
    ],
  };
}

/** Process.hierarchical: a manager delegates to one coworker, then reviews the work. */
export function hierarchicalCrewTemplate(opts: CrewTemplateOptions = {}): AgentDefinition {
  const worker = (id: string, role: string, goal: string, y: number, extra = {}) => ({
    id,
    type: 'agent',
    subtype: 'tool_agent',
    label: role,
    config: {
      role,
      goal,
      task_description: '{{node_manager.output.task}}',
      expected_output: 'A complete answer to the delegated task.',
      context: 'Original request: {{trigger.data.request}}',
      max_iterations: 5,
      ...withModel(opts),
      ...extra,
    },
    position: at(500, y),
  });
  return {
    nodes: [
      { id: 'start', type: 'trigger', subtype: 'manual', label: 'Request', config: {}, position: at(0) },
      {
        id: 'manager',
        type: 'agent',
        subtype: 'tool_agent',
        label: 'Manager',
        config: {
          role: 'Project Manager',
          goal: 'Get each request handled by the right specialist',
          backstory: 'You run a small team of a researcher and a writer.',
          task_description: 'Decide who should handle this request, and brief them: {{trigger.data.request}}',
          expected_output: 'A delegation with a precise task.',
          routes: [
            { id: 'researcher', description: 'finds facts, figures and sources' },
            { id: 'writer', description: 'writes and edits text' },
          ],
          max_iterations: 3,
          ...withModel(opts),
        },
        position: at(250),
      },
      worker('researcher', 'Researcher', 'Find accurate facts', -100, researcherTools(opts)),
      worker('writer', 'Writer', 'Write clear, engaging text', 100),
      {
        id: 'join',
        type: 'logic',
        subtype: 'merge',
        label: 'Work done',
        config: { mode: 'any' },
        position: at(750),
      },
      {
        id: 'review',
        type: 'agent',
        subtype: 'tool_agent',
        label: 'Manager review',
        config: {
          role: 'Project Manager',
          goal: 'Deliver work that answers the request',
          task_description:
            'Review the work against the request and give the final answer: {{trigger.data.request}}',
          expected_output: 'The final answer for the requester.',
          context: '{{node_researcher.output.text | default: ""}}{{node_writer.output.text | default: ""}}',
          max_iterations: 3,
          ...withModel(opts),
        },
        position: at(1000),
      },
      {
        id: 'out',
        type: 'output',
        subtype: 'respond',
        label: 'Answer',
        config: {
          body: { handled_by: '{{node_manager.output.route}}', answer: '{{node_review.output.text}}' },
        },
        position: at(1250),
      },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'manager' },
      { id: 'e2', source: 'manager', target: 'researcher', source_handle: 'researcher' },
      { id: 'e3', source: 'manager', target: 'writer', source_handle: 'writer' },
      { id: 'e4', source: 'researcher', target: 'join' },
      { id: 'e5', source: 'writer', target: 'join' },
      { id: 'e6', source: 'join', target: 'review' },
      { id: 'e7', source: 'review', target: 'out' },
    ],
  };
}
