// Key rotation: a new key at once, the old ones still working for a grace period.
import { generatePublicKey, generateSecretKey, hashSecretKey } from './keys.ts'
import type { KeyRecord, Store } from './store/types.ts'

/** Options of `rotateKeys`. */
export interface RotateOptions {
  kind: KeyRecord['kind']
  /** How long the old keys keep working, so pages and jobs can switch over (0 = at once). */
  graceMs: number
  /** Clock in ms since the epoch; injectable for tests. */
  now?: number
}

/**
 * Issues a new key of `kind` for the project and makes every older key of that kind expire
 * after `graceMs`. Returns the new key; for a secret key this is the only time it is seen
 * (the store keeps its hash).
 *
 * @example const pk = await rotateKeys(store, project.id, { kind: 'public', graceMs: 7 * 86_400_000 })
 */
export async function rotateKeys(
  store: Store,
  projectId: string,
  options: RotateOptions,
): Promise<string> {
  if (!Number.isFinite(options.graceMs) || options.graceMs < 0) {
    throw new RangeError('graceMs must be a number of milliseconds, 0 or more')
  }
  if (!(await store.getProject(projectId))) throw new Error(`No project ${projectId}`)
  const now = options.now ?? Date.now()
  // Old keys first: `expireKeys` touches every key of the kind, and the new one must not be among them.
  await store.expireKeys(projectId, options.kind, new Date(now + options.graceMs).toISOString())
  const key = options.kind === 'public' ? generatePublicKey() : generateSecretKey()
  await store.addKey({
    projectId,
    kind: options.kind,
    lookup: options.kind === 'public' ? key : hashSecretKey(key),
    expiresAt: null,
  })
  return key
}
