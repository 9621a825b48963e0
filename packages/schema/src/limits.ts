// Limits of wire protocol v1: shared by the collector (enforcement) and the client (batching).

/** Most events one `POST /v1/events` may carry. */
export const MAX_EVENTS_PER_BATCH = 100
/** Largest request body the collector reads, in bytes (256 KiB). */
export const MAX_BATCH_BYTES = 256 * 1024
/** Browsers silently drop keepalive/beacon bodies past 64 KiB in flight; the client stays under this. */
export const BEACON_BUDGET_BYTES = 64 * 1024
/** Longest `eventId`; the id is the idempotency key. */
export const MAX_EVENT_ID_LENGTH = 64
/** Longest opaque identifier (`requestId`, `sessionId`, `userId`, versions). */
export const MAX_ID_LENGTH = 128
/** Largest `prompt`, in UTF-8 bytes (16 KiB). */
export const MAX_PROMPT_BYTES = 16 * 1024
/** Largest `response` and `correctionText`, in UTF-8 bytes (32 KiB). */
export const MAX_RESPONSE_BYTES = 32 * 1024
/** Largest `comment`, in UTF-8 bytes (2 KiB). */
export const MAX_COMMENT_BYTES = 2 * 1024
/** Most keys in `metadata`. */
export const MAX_METADATA_KEYS = 20
/** Longest metadata key and string value. */
export const MAX_METADATA_KEY_LENGTH = 64
export const MAX_METADATA_VALUE_LENGTH = 512
/** Longest escalation reason code. */
export const MAX_REASON_LENGTH = 64
/** Pattern every `eventId` matches. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
/**
 * Most drops one batch may report in `client.dropped` (ten times the browser client's default
 * queue bound of 1,000 events); the collector counts no more than this per batch.
 */
export const MAX_REPORTED_DROPS = 10_000
