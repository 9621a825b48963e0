// Reads the server's settings from the environment, with a readable message for each mistake.
import { isAbsolute, resolve } from 'node:path'
import { type LimitOptions, originProblem } from '@tightloop/collector'
import { isPostgresUrl } from './store.ts'

/** Settings of the runnable collector. */
export interface ServerConfig {
  port: number
  host: string
  /** A SQLite file path, or a `postgres://` URL. */
  database: string
  publicKey?: string
  secretKey?: string
  allowedOrigins?: string[]
  escalationReasons?: string[]
  /** Requests per minute per client address; 0 turns the limit off. */
  ratePerAddress: number
  /** Requests per minute per public key; 0 turns the limit off. */
  ratePerKey: number
  /** Events per minute per project; 0 (the default) turns the quota off. */
  eventsPerMinute: number
  /** How many reverse proxies in front append to X-Forwarded-For; 0 ignores the header. */
  trustProxy: number
  /** Keys the per-address counters; give every process of a cluster the same one. */
  addressSecret?: string
}

/** A setting that cannot be used; its message names the variable and what it expects. */
export class ConfigError extends Error {}

const DEFAULT_PORT = 8787
const DEFAULT_DATABASE = './data/tightloop.db'
const DEFAULT_RATE_PER_ADDRESS = 1_200 // a busy chat page sends a few batches a minute
const DEFAULT_RATE_PER_KEY = 120_000

function list(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || n > max) {
    throw new ConfigError(`${name} must be a whole number from 0 to ${max}, not "${raw}"`)
  }
  return n
}

/**
 * Parses the environment; relative database paths resolve from where the command was run.
 *
 * @example const config = readConfig(process.env)
 */
export function readConfig(
  env: NodeJS.ProcessEnv,
  cwd = env.INIT_CWD ?? process.cwd(),
): ServerConfig {
  const port = integer(env, 'PORT', DEFAULT_PORT, 65_535)
  const database = env.TIGHTLOOP_DATABASE || DEFAULT_DATABASE
  const isUrl = isPostgresUrl(database)
  if (!isUrl && /^[a-z]+:\/\//i.test(database)) {
    throw new ConfigError(
      `TIGHTLOOP_DATABASE must be a file path or a postgres:// URL, not "${database}"`,
    )
  }
  const origins = list(env.TIGHTLOOP_ALLOWED_ORIGINS)
  for (const origin of origins ?? []) {
    const problem = originProblem(origin)
    if (problem) throw new ConfigError(`TIGHTLOOP_ALLOWED_ORIGINS: ${problem}`)
  }
  const config: ServerConfig = {
    port,
    host: env.HOST || '127.0.0.1',
    database: isUrl || isAbsolute(database) ? database : resolve(cwd, database),
    ratePerAddress: integer(env, 'TIGHTLOOP_RATE_PER_ADDRESS', DEFAULT_RATE_PER_ADDRESS, 1e9),
    ratePerKey: integer(env, 'TIGHTLOOP_RATE_PER_KEY', DEFAULT_RATE_PER_KEY, 1e9),
    eventsPerMinute: integer(env, 'TIGHTLOOP_EVENTS_PER_MINUTE', 0, 1e12),
    trustProxy: integer(env, 'TIGHTLOOP_TRUST_PROXY', 0, 10),
  }
  if (env.TIGHTLOOP_ADDRESS_SECRET) {
    if (env.TIGHTLOOP_ADDRESS_SECRET.length < 16) {
      throw new ConfigError('TIGHTLOOP_ADDRESS_SECRET must be at least 16 characters long')
    }
    config.addressSecret = env.TIGHTLOOP_ADDRESS_SECRET
  }
  if (env.TIGHTLOOP_PUBLIC_KEY) config.publicKey = env.TIGHTLOOP_PUBLIC_KEY
  if (env.TIGHTLOOP_SECRET_KEY) config.secretKey = env.TIGHTLOOP_SECRET_KEY
  if (origins) config.allowedOrigins = origins
  const reasons = list(env.TIGHTLOOP_ESCALATION_REASONS)
  if (reasons) config.escalationReasons = reasons
  if (config.publicKey && !/^pk_[A-Za-z0-9_-]{8,128}$/.test(config.publicKey)) {
    throw new ConfigError(
      'TIGHTLOOP_PUBLIC_KEY must look like pk_ followed by 8-128 of [A-Za-z0-9_-]',
    )
  }
  if (config.secretKey && !/^sk_[A-Za-z0-9_-]{8,128}$/.test(config.secretKey)) {
    throw new ConfigError(
      'TIGHTLOOP_SECRET_KEY must look like sk_ followed by 8-128 of [A-Za-z0-9_-]',
    )
  }
  if (config.secretKey && !config.publicKey) {
    throw new ConfigError('TIGHTLOOP_SECRET_KEY needs TIGHTLOOP_PUBLIC_KEY: it names the project')
  }
  return config
}

const MINUTE_MS = 60_000

/**
 * The collector's abuse limits from the settings.
 *
 * @example createCollector({ store, limits: limitsFrom(readConfig(process.env)) })
 */
export function limitsFrom(config: ServerConfig): LimitOptions {
  return {
    ...(config.ratePerAddress > 0 && {
      perAddress: { max: config.ratePerAddress, windowMs: MINUTE_MS },
    }),
    ...(config.ratePerKey > 0 && { perKey: { max: config.ratePerKey, windowMs: MINUTE_MS } }),
    ...(config.eventsPerMinute > 0 && {
      eventsPerProject: { max: config.eventsPerMinute, windowMs: MINUTE_MS },
    }),
    ...(config.trustProxy > 0 && { trustProxy: config.trustProxy }),
    ...(config.addressSecret && { addressSecret: config.addressSecret }),
  }
}
