// Public API of @tightloop/client: the headless browser runtime of tightloop.
export {
  BATCH_MAX_BYTES,
  BATCH_MAX_EVENTS,
  createClient,
  FLUSH_DELAY_MS,
  RETRY_MAX_MS,
  RETRY_START_MS,
  SDK,
} from './client.ts'
export { createEventIds } from './event-id.ts'
export { parseRetryAfter, retryDelay } from './retry.ts'
export { idbStorage, memoryStorage, type QueueStorage } from './storage.ts'
export type {
  AnswerContext,
  ClientOptions,
  ClientStatus,
  FeedbackClient,
} from './types.ts'
