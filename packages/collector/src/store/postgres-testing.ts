// Throwaway PostgreSQL databases and schemas for tests, so parallel runs never collide.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** A database or schema made for one test run, and how to remove it. */
export interface TestDatabase {
  /** Connection string that lands in it. */
  url: string
  /** Drops it, disconnecting anyone still connected. */
  drop(): Promise<void>
}

const suffix = () => randomBytes(5).toString('hex')

async function admin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/**
 * Creates an empty database next to the one `adminUrl` names (for tests that start separate
 * processes: each connects with the returned URL).
 *
 * @example const db = await createTestDatabase(process.env.TIGHTLOOP_TEST_POSTGRES!); …; await db.drop()
 */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `tl_test_${suffix()}`
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`))
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
}

/**
 * Creates an empty schema in the database `adminUrl` names; the returned URL puts it first on
 * the search path, so every table a store creates lands in it.
 *
 * @example const schema = await createTestSchema(process.env.TIGHTLOOP_TEST_POSTGRES!)
 */
export async function createTestSchema(adminUrl: string): Promise<TestDatabase> {
  const name = `t_${suffix()}`
  await admin(adminUrl, (c) => c.query(`CREATE SCHEMA ${name}`))
  const url = new URL(adminUrl)
  url.searchParams.set('options', `-c search_path=${name}`)
  return {
    url: url.toString(),
    drop: async () => {
      await admin(adminUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`))
    },
  }
}
