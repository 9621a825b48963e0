// Runs one collector process for cross-process tests; prints `{"url": …}` on stdout once listening.
// Environment: TIGHTLOOP_DATABASE (postgres:// URL), TIGHTLOOP_LIMITS (JSON LimitOptions, optional).
// Run: node --import tsx test/support/run-collector.ts
import {
  createCollector,
  createPostgresStore,
  type LimitOptions,
  startServer,
} from '@tightloop/collector'

const database = process.env.TIGHTLOOP_DATABASE
if (!database) throw new Error('TIGHTLOOP_DATABASE must name a postgres:// database')
const limits = JSON.parse(process.env.TIGHTLOOP_LIMITS ?? '{}') as LimitOptions

const store = createPostgresStore(database)
await store.migrate()
const server = await startServer({ fetch: createCollector({ store, limits }).fetch, port: 0 })
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await server.close()
  await store.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
