// Runs the store contract against a real PostgreSQL (TIGHTLOOP_TEST_POSTGRES), in fresh schemas.
import { randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createLimiter } from '../limits.ts'
import { describeAnswerLogContract } from './answers.contract.ts'
import { createPostgresStore } from './postgres.ts'
import { describePrivacyContract } from './privacy.contract.ts'
import { describeReviewLogContract } from './review.contract.ts'
import { describeStoreContract } from './store.contract.ts'
import type { Store } from './types.ts'

const url = process.env.TIGHTLOOP_TEST_POSTGRES
const required = process.env.TIGHTLOOP_REQUIRE_POSTGRES === '1'

if (url) {
  // One schema per database name per run, so parallel files and reruns never collide.
  const prefix = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Pool({ connectionString: url, max: 2 })
  const schemas = new Set<string>()
  const opened: Store[] = []
  afterAll(async () => {
    for (const s of opened) await s.close()
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  })
  const schemaOf = (name: string) => `${prefix}_${name.replace(/[^a-z0-9]/g, '_')}`
  const open = async (name: string) => {
    const schema = schemaOf(name)
    if (!schemas.has(schema)) {
      await admin.query(`CREATE SCHEMA ${schema}`)
      schemas.add(schema)
    }
    const withSchema = new URL(url)
    withSchema.searchParams.set('options', `-c search_path=${schema}`)
    return createPostgresStore(withSchema.toString(), { maxConnections: 4 })
  }

  describeStoreContract('postgres', open, { sharedRateLimits: true })
  describePrivacyContract('postgres', open)
  describeAnswerLogContract('postgres', open)
  describeReviewLogContract('postgres', open)

  describe('postgres specifics', () => {
    const T0 = Date.UTC(2026, 10, 26, 12)
    const buckets = async () =>
      (
        await admin.query<{ bucket: string }>(
          `SELECT bucket FROM ${schemaOf('specifics')}.rate_limits ORDER BY bucket`,
        )
      ).rows.map((r) => r.bucket)

    it('sweeps rate-limit windows once they are over, never a live one', async () => {
      const a = await open('specifics')
      opened.push(a)
      await a.migrate()
      await a.hitRateLimit('ended', T0, 1, 1_000)
      await a.hitRateLimit('live', T0, 1, 3_600_000)
      const b = await open('specifics') // a second process: its first hit sweeps
      opened.push(b)
      await b.hitRateLimit('now', T0 + 10_000, 1, 1_000)
      await b.close()
      expect(await buckets()).toEqual(['live', 'now'])
    })

    it('counts client addresses under a keyed hash, never the raw address', async () => {
      const store = await open('specifics')
      opened.push(store)
      const limiter = createLimiter(store, {
        perAddress: { max: 10, windowMs: 60_000 },
        clientAddress: () => '203.0.113.77',
      })
      await limiter.checkAddress({} as Context, T0)
      const addressBuckets = (await buckets()).filter((b) => b.startsWith('addr:'))
      expect(addressBuckets).toHaveLength(1)
      expect(addressBuckets[0]).not.toContain('203.0.113')
      expect(addressBuckets[0]).toMatch(/^addr:[A-Za-z0-9_-]{22}$/)
    })
  })
} else if (required) {
  describe('postgres store contract', () => {
    it('runs against a real PostgreSQL', () => {
      expect.fail('TIGHTLOOP_REQUIRE_POSTGRES=1 but TIGHTLOOP_TEST_POSTGRES is not set')
    })
  })
} else {
  console.warn(
    'tightloop: PostgreSQL store tests skipped; set TIGHTLOOP_TEST_POSTGRES=postgres://… to run them',
  )
  describe.skip('postgres store contract (set TIGHTLOOP_TEST_POSTGRES to run)', () => {
    it('runs against a real PostgreSQL', () => {})
  })
}
