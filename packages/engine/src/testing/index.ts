export { type FakeAnthropic, type FakeAnthropicOptions, startFakeAnthropic } from './fake-anthropic';
export { cosine, fakeEmbedding, toBase64Float32 } from './fake-embeddings';
export type { FakeServer } from './fake-http';
export { type FakeOpenAi, type FakeOpenAiOptions, startFakeOpenAi } from './fake-openai';
export type { FakeReply, FakeResponder, FakeToolCall, RecordedRequest } from './fake-reply';
