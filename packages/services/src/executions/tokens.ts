interface Chunk {
  nodeId: string;
  stepId: string | null;
  text: string;
  count: number;
}

/**
 * Coalesces streamed LLM tokens per step into one stored event every `intervalMs`: a token per row
 * would cost a transaction per token, while 50 ms of text still reads as live typing. `flush()` is
 * awaited before anything that must follow the text in the stream (a step's end, a tool call).
 */
export function createTokenBuffer(write: (chunks: Chunk[]) => Promise<unknown>, intervalMs: number) {
  let pending: Chunk[] = [];
  let timer: NodeJS.Timeout | undefined;
  let last: Promise<unknown> = Promise.resolve();

  const flush = (): Promise<unknown> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return last;
    const chunks = pending;
    pending = [];
    last = write(chunks).catch(() => {});
    return last;
  };

  return {
    push(nodeId: string, stepId: string | null, token: string) {
      const tail = pending.at(-1);
      if (tail && tail.nodeId === nodeId && tail.stepId === stepId) {
        tail.text += token;
        tail.count++;
      } else pending.push({ nodeId, stepId, text: token, count: 1 });
      timer ??= setTimeout(() => void flush(), intervalMs);
    },
    flush,
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = [];
    },
  };
}
