// Opens the store a database setting names: a SQLite file, or PostgreSQL for a postgres:// URL.

import type { Store } from '@tightloop/collector'
import * as collector from '@tightloop/collector'

/** Opens and migrates the store for `database`. */
export async function openStore(database: string): Promise<Store> {
  let store: Store
  if (/^postgres(ql)?:\/\//.test(database)) {
    const create = (collector as Record<string, unknown>).createPostgresStore as
      | ((url: string) => Store)
      | undefined
    if (!create) throw new Error('This build has no PostgreSQL store')
    store = create(database)
  } else {
    store = collector.createSqliteStore(database)
  }
  await store.migrate()
  return store
}
