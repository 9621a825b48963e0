// `pnpm start`: the collector with its demo and dashboard, configured from the environment.
import {
  collectorWatchSources,
  createAdversaryScanner,
  createStatsCache,
  provisionProject,
  scheduleAdversaryScans,
  scheduleWatch,
  startRetention,
  startServer,
  startWebhookDeliveries,
} from '@tightloop/collector'
import { ConfigError, limitsFrom, readConfig } from './config.ts'
import { ensureDemoProject } from './demo-project.ts'
import { readObservability } from './observability.ts'
import { createServerApp } from './server-app.ts'
import { openStore } from './store.ts'

async function main() {
  const config = readConfig(process.env)
  const { logger, metrics, metricsToken } = readObservability(process.env)
  const store = await openStore(config.database)
  logger.event('store_ready', { engine: store.engine })
  // The terminal banner, for a person; with TIGHTLOOP_LOG=json only JSON lines are written,
  // and no key is ever in one.
  const say = (text: string) => logger.mode !== 'json' && console.log(text)
  let demoPublicKey: string
  if (config.publicKey) {
    const { project } = await provisionProject(store, {
      name: 'default',
      publicKey: config.publicKey,
      ...(config.secretKey && { secretKey: config.secretKey }),
      ...(config.allowedOrigins && { allowedOrigins: config.allowedOrigins }),
      ...(config.escalationReasons && { escalationReasons: config.escalationReasons }),
    })
    demoPublicKey = config.publicKey
    say(`tightloop: project ${project.name} (${project.id}) ready`)
    logger.event('project_ready', { project: project.id })
  } else {
    const demo = await ensureDemoProject(store, config)
    demoPublicKey = demo.publicKey
    say(
      demo.created
        ? `tightloop: created the demo project\n  public key: ${demo.publicKey}\n  secret key: ${demo.secretKey}\n  (kept in ${demo.keysFile})`
        : `tightloop: demo project, public key ${demo.publicKey} (keys in ${demo.keysFile})`,
    )
    logger.event('demo_project', { firstStart: demo.created, keysFile: demo.keysFile })
  }
  // The adversary rules run every few minutes and before every export, with no person needed.
  const scanner = createAdversaryScanner(store)
  const stopScans = scheduleAdversaryScans(scanner, store)
  // One set of stats aggregates for the dashboard's route and the alert webhooks.
  const statsCache = createStatsCache(store, {
    log: (message, err) => console.log(message, err ?? ''),
  })
  const app = createServerApp({
    store,
    scanner,
    statsCache,
    limits: limitsFrom(config),
    demoPublicKey,
    warmStats: true,
    logger,
    ...(metrics && metricsToken && { metrics, metricsToken }),
  })
  const server = await startServer({ fetch: app.fetch, port: config.port, hostname: config.host })
  const shown = config.database.startsWith('postgres') ? 'PostgreSQL' : config.database
  say(`tightloop: collector on ${server.url} (database: ${shown})`)
  say(`  demo:      ${server.url}/demo/\n  dashboard: ${server.url}/dashboard/`)
  logger.event('start', { url: server.url, engine: store.engine, metrics: Boolean(metrics) })

  // Each project's retentionDays (off by default), applied now and hourly.
  const retention = startRetention(store, {
    log: (message, err) => console.log(message, err ?? ''),
  })

  // Webhook deliveries: whatever is in the outbox, including what a previous process left.
  const webhooks = startWebhookDeliveries(store, {
    log: (message, err) => console.log(message, err ?? ''),
  })

  // Alerts and a long review queue go to the webhooks subscribed to them, every 5 minutes.
  const stopWatch = scheduleWatch(
    store,
    collectorWatchSources(store, { cache: statsCache, scanner }),
    {
      log: (message, err) => console.log(message, err ?? ''),
    },
  )

  const stop = async () => {
    logger.event('stop', { engine: store.engine })
    stopScans()
    stopWatch()
    await server.close()
    await retention.stop()
    await webhooks.stop()
    await statsCache.settle()
    await store.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`tightloop: ${err.message}`)
  } else if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error(`tightloop: port ${process.env.PORT ?? 8787} is in use; set PORT to another one`)
  } else if ((err as NodeJS.ErrnoException)?.code === 'EACCES') {
    console.error(`tightloop: permission denied: ${(err as Error).message}`)
  } else {
    console.error(`tightloop: could not start: ${(err as Error)?.message ?? err}`)
  }
  process.exit(1)
})
