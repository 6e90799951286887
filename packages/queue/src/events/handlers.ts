import type { MessageHandler } from '../events';

/** One registration; wrapping lets the same function be subscribed twice and unsubscribed once. */
export interface Registration {
  handler: MessageHandler;
}

export type HandlerErrorReporter = (error: unknown, channel: string) => void;

/** Calls every handler of a channel in registration order, isolating their failures. */
export function deliver(
  registrations: Iterable<Registration>,
  message: string,
  channel: string,
  onHandlerError: HandlerErrorReporter,
): void {
  for (const registration of registrations) {
    try {
      registration.handler(message, channel);
    } catch (error) {
      onHandlerError(error, channel);
    }
  }
}
