import type { DestinationStream } from 'pino';

export interface LogLine {
  level: number;
  msg?: string;
  reqId?: string;
  [key: string]: unknown;
}

/** A pino destination that keeps every JSON line in memory, for assertions on what was logged. */
export class LogCapture implements DestinationStream {
  readonly raw: string[] = [];

  write(chunk: string): void {
    for (const line of chunk.split('\n')) if (line.trim()) this.raw.push(line);
  }

  get text(): string {
    return this.raw.join('\n');
  }

  lines(): LogLine[] {
    return this.raw.map((line) => JSON.parse(line) as LogLine);
  }

  forRequest(reqId: string): LogLine[] {
    return this.lines().filter((line) => line.reqId === reqId);
  }

  clear(): void {
    this.raw.length = 0;
  }
}
