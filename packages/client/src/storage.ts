// Where the queue lives: an idb-keyval store of its own per project, or plain memory.
import { createStore, delMany, entries, setMany } from 'idb-keyval'

/**
 * The idb-keyval operations the queue uses. Any call may reject (private mode, quota,
 * eviction); the client then carries on in memory.
 */
export interface QueueStorage {
  /** `indexeddb` is shared by every tab of the origin; `memory` belongs to one page. */
  readonly kind: 'indexeddb' | 'memory'
  /** Every `[key, value]` pair, in key order. */
  entries(): Promise<[string, unknown][]>
  /** Writes every entry in one transaction: all of them or none. */
  setMany(entries: [string, unknown][]): Promise<void>
  delMany(keys: string[]): Promise<void>
}

/**
 * The queue in IndexedDB: database `dbName`, one object store, opened lazily by idb-keyval
 * (and again after the browser closes it). A throw from `indexedDB.open` (SecurityError)
 * comes back as a rejection.
 *
 * @example const storage = idbStorage('tightloop-pk_live_1')
 */
export function idbStorage(dbName: string): QueueStorage {
  const store = createStore(dbName, 'queue')
  return {
    kind: 'indexeddb',
    entries: async () => entries<string>(store),
    setMany: async (list) => setMany(list, store),
    delMany: async (list) => delMany(list, store),
  }
}

/**
 * A storage that lives as long as the page: for tests, or to keep nothing on the device.
 *
 * @example createClient({ endpoint, key, storage: memoryStorage() })
 */
export function memoryStorage(): QueueStorage {
  const map = new Map<string, unknown>()
  return {
    kind: 'memory',
    entries: async () => [...map].sort(([a], [b]) => (a < b ? -1 : 1)),
    async setMany(list) {
      for (const [key, value] of list) map.set(key, value)
    },
    async delMany(list) {
      for (const key of list) map.delete(key)
    },
  }
}
