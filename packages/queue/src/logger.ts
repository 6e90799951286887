/** The slice of a pino logger the queue package needs; pino loggers satisfy it as they are. */
export interface QueueLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Fallback when no logger is given: connection and worker errors must not vanish. */
export const consoleLogger: QueueLogger = {
  warn: (details, message) => console.warn(`[agentflow/queue] ${message}`, details),
  error: (details, message) => console.error(`[agentflow/queue] ${message}`, details),
};
