import { httpRequestHandler } from './action';
import { agentHandler } from './agent';
import { aiHandlers } from './ai';
import { humanApprovalHandler, outputRespondHandler, transformSetHandler } from './flow';
import { knowledgeSearchHandler } from './knowledge';
import { delayHandler, ifElseHandler, loopHandler, mergeHandler, switchHandler } from './logic';
import { triggerHandlers } from './trigger';
import type { NodeHandler } from './types';

/** Handlers by `type.subtype`. A definition node whose pair has no handler does not compile. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, NodeHandler>();

  register(handler: NodeHandler): this {
    this.handlers.set(`${handler.type}.${handler.subtype}`, handler);
    return this;
  }

  get(type: string, subtype: string): NodeHandler | undefined {
    return this.handlers.get(`${type}.${subtype}`);
  }

  list(): NodeHandler[] {
    return [...this.handlers.values()];
  }
}

/** Every built-in handler. */
export function createDefaultRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  for (const h of [
    ...triggerHandlers,
    ...aiHandlers,
    agentHandler,
    httpRequestHandler,
    ifElseHandler,
    switchHandler,
    loopHandler,
    delayHandler,
    mergeHandler,
    transformSetHandler,
    humanApprovalHandler,
    outputRespondHandler,
    knowledgeSearchHandler,
  ]) {
    registry.register(h);
  }
  return registry;
}
