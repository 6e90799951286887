import { nodeCatalog } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import { LlmError } from '../llm/errors';
import { createLlmRouter } from '../llm/router';
import type { ChatRequest, LlmProvider } from '../llm/types';
import { handlerContext, testServices } from '../test-utils';
import { aiChatHandler, aiClassifyHandler, aiExtractHandler, aiSummarizeHandler } from './ai';

/** A scripted provider to check prompts and parsing (echo covers the happy paths). */
function scripted(answer: string): LlmProvider & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    name: 'scripted',
    defaultModel: 'scripted-1',
    supports: () => true,
    estimateCost: () => 0.01,
    requests,
    async chat(req) {
      requests.push(req);
      return {
        content: answer,
        tool_calls: [],
        input_tokens: 10,
        output_tokens: 5,
        cost: 0.01,
        cost_known: true,
        model: req.model,
        provider: 'scripted',
      };
    },
    async embed() {
      throw new Error('unused');
    },
  };
}

describe('ai handlers (echo model)', () => {
  it('chat answers with text, usage and streamed tokens', async () => {
    const config = nodeCatalog.ai.chat.configSchema.parse({ user_prompt: 'Hello world', model: 'echo' });
    const ctx = handlerContext(config);
    const out = await aiChatHandler.run(ctx);
    expect(out).toMatchObject({ output: { text: '[echo] Hello world', model: 'echo' }, cost: 0 });
    expect(out.tokens?.output).toBeGreaterThan(0);
    expect(ctx.emitted).toEqual([
      { type: 'llm.token', token: '[echo] ' },
      { type: 'llm.token', token: 'Hello ' },
      { type: 'llm.token', token: 'world' },
    ]);
  });

  it('summarize asks for a summary within max_words', async () => {
    const provider = scripted('short');
    const config = nodeCatalog.ai.summarize.configSchema.parse({ user_prompt: 'long text', max_words: 20 });
    const out = await aiSummarizeHandler.run(
      handlerContext(config, { services: testServices({ llm: createLlmRouter({ providers: [provider] }) }) }),
    );
    expect(out.output).toEqual({ text: 'short', model: 'scripted-1' });
    expect(provider.requests[0]?.messages[0]?.content).toContain('at most 20 words');
  });

  it('classify picks a label and branches on it', async () => {
    const config = nodeCatalog.ai.classify.configSchema.parse({
      user_prompt: 'I was double charged on my invoice (billing)',
      labels: ['support', 'billing'],
    });
    expect(await aiClassifyHandler.run(handlerContext(config))).toMatchObject({
      output: { label: 'billing' },
      branch: 'billing',
    });
  });

  it('classify accepts a fenced or plain-text answer, and fails on none of the labels', async () => {
    const config = nodeCatalog.ai.classify.configSchema.parse({ user_prompt: 'x', labels: ['yes', 'no'] });
    const withAnswer = (answer: string) =>
      aiClassifyHandler.run(
        handlerContext(config, {
          services: testServices({ llm: createLlmRouter({ providers: [scripted(answer)] }) }),
        }),
      );
    expect(await withAnswer('```json\n{"label":"no"}\n```')).toMatchObject({ branch: 'no' });
    expect(await withAnswer('I would say yes.')).toMatchObject({ branch: 'yes' });
    await expect(withAnswer('maybe')).rejects.toBeInstanceOf(LlmError);
  });

  it('extract returns data valid against the schema', async () => {
    const config = nodeCatalog.ai.extract.configSchema.parse({
      user_prompt: 'name: Ada\nemail: ada@example.com',
      json_schema: {
        type: 'object',
        properties: { name: { type: 'string' }, email: { type: 'string' } },
        required: ['name', 'email'],
      },
    });
    expect(await aiExtractHandler.run(handlerContext(config))).toMatchObject({
      output: { data: { name: 'Ada', email: 'ada@example.com' } },
    });
  });

  it('extract refuses JSON that does not match', async () => {
    const config = nodeCatalog.ai.extract.configSchema.parse({
      user_prompt: 'x',
      json_schema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
    });
    const services = testServices({ llm: createLlmRouter({ providers: [scripted('{"n":"seven"}')] }) });
    await expect(aiExtractHandler.run(handlerContext(config, { services }))).rejects.toMatchObject({
      code: 'LLM_BAD_OUTPUT',
    });
  });
});
