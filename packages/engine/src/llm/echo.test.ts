import { describe, expect, it } from 'vitest';
import { createEchoProvider } from './echo';

const echo = createEchoProvider();
const user = (content: string) => ({ role: 'user' as const, content });

describe('echo model', () => {
  it('echoes the last user message, labelled, and streams it', async () => {
    const tokens: string[] = [];
    const res = await echo.chat({
      model: 'echo',
      messages: [{ role: 'system', content: 'be nice' }, user('first'), user('hello there')],
      onToken: (t) => tokens.push(t),
    });
    expect(res).toMatchObject({
      content: '[echo] hello there',
      tool_calls: [],
      cost: 0,
      model: 'echo',
      provider: 'echo',
    });
    expect(tokens.join('')).toBe(res.content);
    expect(res.input_tokens).toBeGreaterThan(0);
    expect(res.output_tokens).toBe(Math.ceil(res.content.length / 4));
  });

  it('classifies by the label the input mentions, else the first', async () => {
    const schema = {
      type: 'object' as const,
      properties: { label: { type: 'string' as const, enum: ['billing', 'support'] } },
    };
    const ask = (text: string) =>
      echo.chat({
        model: 'echo',
        messages: [user(text)],
        response_format: { type: 'json_schema', name: 'c', schema },
      });
    expect(JSON.parse((await ask('my SUPPORT ticket')).content)).toEqual({ label: 'support' });
    expect(JSON.parse((await ask('something else')).content)).toEqual({ label: 'billing' });
  });

  it('extracts an object matching a simple schema from the input', async () => {
    const schema = {
      type: 'object' as const,
      properties: {
        name: { type: 'string' as const },
        email: { type: 'string' as const },
        age: { type: 'integer' as const },
        vip: { type: 'boolean' as const },
        tags: { type: 'array' as const, items: { type: 'string' as const } },
      },
    };
    const res = await echo.chat({
      model: 'echo',
      messages: [user('name: Ada Lovelace\nage: 36\nvip: yes\nwrite to ada@example.com')],
      response_format: { type: 'json_schema', name: 'x', schema },
    });
    expect(JSON.parse(res.content)).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      age: 36,
      vip: true,
      tags: [],
    });
  });

  it('calls tools on a `tool:<name> {args}` directive, then answers with the results', async () => {
    const tools = [
      {
        name: 'lookup',
        description: 'd',
        parameters: { type: 'object' as const, properties: { q: { type: 'string' as const } } },
      },
    ];
    const first = await echo.chat({
      model: 'echo',
      messages: [user('please tool:lookup {"q":"cats"}')],
      tools,
    });
    expect(first.tool_calls).toEqual([{ id: 'echo_call_1', name: 'lookup', arguments: { q: 'cats' } }]);
    const second = await echo.chat({
      model: 'echo',
      tools,
      messages: [
        user('please tool:lookup {"q":"cats"}'),
        { role: 'assistant', content: '', tool_calls: first.tool_calls },
        { role: 'tool', tool_call_id: 'echo_call_1', name: 'lookup', content: 'cats are great' },
      ],
    });
    expect(second.tool_calls).toEqual([]);
    expect(second.content).toContain('- lookup: cats are great');
  });

  it('honours a forced tool choice with arguments from the schema', async () => {
    const tools = [
      {
        name: 'delegate',
        description: 'd',
        parameters: {
          type: 'object' as const,
          properties: { coworker: { type: 'string' as const, enum: ['a', 'writer'] } },
        },
      },
    ];
    const res = await echo.chat({
      model: 'echo',
      messages: [user('ask the writer')],
      tools,
      tool_choice: { name: 'delegate' },
    });
    expect(res.tool_calls[0]).toMatchObject({ name: 'delegate', arguments: { coworker: 'writer' } });
  });

  it('embeds deterministically; similar texts are closer', async () => {
    const { vectors } = await echo.embed({
      model: 'echo',
      texts: ['red apple pie', 'red apple tart', 'tax law'],
      dimensions: 64,
    });
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
    const [a, b, c] = vectors as [number[], number[], number[]];
    expect(a).toHaveLength(64);
    expect(dot(a, b)).toBeGreaterThan(dot(a, c));
    expect(
      (await echo.embed({ model: 'echo', texts: ['red apple pie'], dimensions: 64 })).vectors[0],
    ).toEqual(a);
  });

  it('stops on abort', async () => {
    const slow = createEchoProvider({ latencyMs: 10_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 10);
    const t0 = Date.now();
    await expect(slow.chat({ model: 'echo', messages: [user('x')], signal: ac.signal })).rejects.toThrow(
      'stop',
    );
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
