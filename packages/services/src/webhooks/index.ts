export {
  getAgentWebhook,
  publishedWebhookTrigger,
  revealAgentWebhookSecret,
  rotateAgentWebhookSecret,
  syncWebhookEndpoint,
  updateAgentWebhook,
  type WebhookContext,
  type WebhookTriggerConfig,
} from './endpoints';
export {
  forwardedWebhookHeaders,
  parseBody as parseWebhookBody,
  type ReceiveWebhookDeps,
  receiveWebhook,
  type WebhookReceipt,
  type WebhookRequest,
} from './receive';
export {
  generateHookId,
  generateWebhookSecret,
  type HeaderBag,
  signWebhook,
  verifySignedWebhook,
  verifyWebhookToken,
  webhookSecretHint,
} from './verify';
export {
  type ExecutionEventSubscriber,
  type ExecutionSnapshot,
  settledStatuses,
  type WaitForExecutionOptions,
  waitForExecution,
} from './wait';
