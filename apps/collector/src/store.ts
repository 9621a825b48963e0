// Opens the store a database setting names: a SQLite file, or PostgreSQL for a postgres:// URL.
import { createPostgresStore, createSqliteStore, type Store } from '@tightloop/collector'

/** True when `database` names a PostgreSQL server rather than a SQLite file. */
export const isPostgresUrl = (database: string) => /^postgres(ql)?:\/\//.test(database)

/**
 * Opens and migrates the store for `database`.
 *
 * @example const store = await openStore('./data/tightloop.db')
 */
export async function openStore(database: string): Promise<Store> {
  const store = isPostgresUrl(database)
    ? createPostgresStore(database)
    : createSqliteStore(database)
  try {
    await store.migrate()
  } catch (err) {
    await store.close().catch(() => {})
    throw err
  }
  return store
}
