// Logs and metrics of the runnable collector, from the environment: TIGHTLOOP_LOG
// (`pretty` by default, `json` for a log pipeline, `off`) and TIGHTLOOP_METRICS_TOKEN (GET
// /metrics exists only when it is set).
import {
  type CollectorMetrics,
  checkpointStallChannel,
  createLogger,
  createMetrics,
  LOG_MODES,
  type Logger,
  type LogMode,
} from '@tightloop/collector'
import { ConfigError } from './config.ts'

/** What the server wires into the collector. */
export interface Observability {
  logger: Logger
  metrics?: CollectorMetrics
  metricsToken?: string
  close(): void
}

/** A scraper's token is a secret like any other: short ones are guessable. */
const MIN_TOKEN_LENGTH = 16

/**
 * Reads TIGHTLOOP_LOG and TIGHTLOOP_METRICS_TOKEN; a bad value is a ConfigError naming it.
 *
 * @example const { logger, metrics, metricsToken } = readObservability(process.env)
 */
export function readObservability(
  env: NodeJS.ProcessEnv,
  write?: (line: string) => void,
): Observability {
  const mode = (env.TIGHTLOOP_LOG || 'pretty') as LogMode
  if (!LOG_MODES.includes(mode)) {
    throw new ConfigError(`TIGHTLOOP_LOG must be one of ${LOG_MODES.join(', ')}, not "${mode}"`)
  }
  const logger = createLogger(mode, write)
  const onStall = (message: unknown) => {
    logger.event('checkpoint_stall', { walPages: (message as { walPages: number }).walPages })
  }
  checkpointStallChannel.subscribe(onStall)
  const token = env.TIGHTLOOP_METRICS_TOKEN
  if (token === undefined || token === '') {
    return { logger, close: () => checkpointStallChannel.unsubscribe(onStall) }
  }
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new ConfigError(
      `TIGHTLOOP_METRICS_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters, without spaces`,
    )
  }
  const metrics = createMetrics()
  return {
    logger,
    metrics,
    metricsToken: token,
    close() {
      checkpointStallChannel.unsubscribe(onStall)
      metrics.close()
    },
  }
}
