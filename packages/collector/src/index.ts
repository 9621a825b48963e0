// Public API of @tightloop/collector.
export {
  type AdversaryScanner,
  type AutoScan,
  createAdversaryScanner,
  DEFAULT_SCAN_EVERY_MS,
  flagStrength,
  type RecordedFlags,
  recordFlags,
  scheduleAdversaryScans,
} from './adversary-scan.ts'
export { type CollectorEnv, type CollectorOptions, createCollector, publicView } from './app.ts'
export { CollectorError } from './errors.ts'
export { generatePublicKey, generateSecretKey, hashSecretKey } from './keys.ts'
export type { LimitOptions, RateLimit } from './limits.ts'
export {
  type CheckpointStallMessage,
  type CommitMessage,
  checkpointStallChannel,
  commitChannel,
} from './observe/channels.ts'
export {
  createLogger,
  type EventFields,
  LOG_MODES,
  type Logger,
  type LogMode,
  type RequestLog,
} from './observe/log.ts'
export { type CollectorMetrics, createMetrics } from './observe/metrics.ts'
export { originMatches, originProblem } from './origins.ts'
export { type Provisioned, type ProvisionInput, provisionProject } from './provision.ts'
export {
  applyRetention,
  RETENTION_EVERY_MS,
  type RetentionOutcome,
  startRetention,
} from './retention.ts'
export { type RotateOptions, rotateKeys } from './rotate.ts'
export {
  type AdversaryScan,
  addVersion,
  decideGate,
  dismissAdversary,
  type GateReport,
  scanAdversaries,
  setAdversary,
} from './routes/admin.ts'
export { evalSlice, isoWeekStart, SLICE_LATE_ARRIVAL_MS } from './routes/eval-slice.ts'
export {
  type ExportReport,
  type ExportRules,
  type ExportRun,
  effectivePolicy,
  excludedUsers,
  exportEvents,
  loadExportRules,
  runExport,
} from './routes/export.ts'
export { type ExportEnd, recordExportRun } from './routes/export-lineage.ts'
export {
  decideReview,
  listReview,
  type ReviewQuery,
  readReviewQuery,
} from './routes/review.ts'
export { computeStatsReport, type StatsInput, type StatsReport } from './routes/stats.ts'
export { createStatsCache, type StatsCache } from './routes/stats-aggregates.ts'
export { eraseUser, readUserId } from './routes/users.ts'
export { scrubEvent, scrubText } from './scrub.ts'
export { type RunningServer, type ServerOptions, startServer } from './server.ts'
export { createPostgresStore, type PostgresStoreOptions } from './store/postgres.ts'
export {
  DEFAULT_EVENT_WINDOW_DAYS,
  type ProjectSettings,
  settingsDefaults,
} from './store/project-settings.ts'
export { createSqliteStore, type SqliteStoreOptions } from './store/sqlite.ts'
export type * from './store/types.ts'
export { DEFAULT_TTL_DAYS } from './store/util.ts'
export {
  DELIVERY_RETRY_FOR_MS,
  retryDelayMs,
  startWebhookDeliveries,
  type WebhookDeliveryOptions,
} from './webhooks/deliver.ts'
export type { WebhookEvent } from './webhooks/event.ts'
export {
  createWebhook,
  deliveryView,
  listWebhookDeliveries,
  readWebhookUrl,
  webhookView,
} from './webhooks/manage.ts'
export { SIGNATURE_HEADER, signBody, verifySignature } from './webhooks/sign.ts'
export { type SlackMessage, toSlackMessage } from './webhooks/slack.ts'
export {
  collectorWatchSources,
  DEFAULT_WATCH_EVERY_MS,
  scheduleWatch,
  type WatchResult,
  type WatchSources,
  watchProject,
} from './webhooks/watch.ts'
