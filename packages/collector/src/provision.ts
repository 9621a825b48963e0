// Creates or updates a project and its keys from settings (environment, CLI, tests).
import { generatePublicKey, generateSecretKey, hashSecretKey, isKeyOf } from './keys.ts'
import type { ProjectInput, ProjectRecord, Store } from './store/types.ts'

/** Settings of a project to provision; keys are generated when left out. */
export interface ProvisionInput extends Partial<ProjectInput> {
  publicKey?: string
  secretKey?: string
}

/** The project and its keys; `secretKey` is present only when it was generated or given. */
export interface Provisioned {
  project: ProjectRecord
  publicKey: string
  secretKey?: string
  created: boolean
}

/**
 * Ensures the project owning `publicKey` exists with these settings; creates one (and
 * generates missing keys) when none does.
 *
 * @example await provisionProject(store, { name: 'demo', allowedOrigins: ['*'] })
 */
export async function provisionProject(store: Store, input: ProvisionInput): Promise<Provisioned> {
  const { publicKey, secretKey, ...settings } = input
  if (publicKey !== undefined && !isKeyOf('public', publicKey)) {
    throw new Error('The public key must look like pk_ followed by 8-128 of [A-Za-z0-9_-]')
  }
  if (secretKey !== undefined && !isKeyOf('secret', secretKey)) {
    throw new Error('The secret key must look like sk_ followed by 8-128 of [A-Za-z0-9_-]')
  }
  const existing = publicKey ? await store.findKey(publicKey) : null
  if (existing) {
    const project = await store.updateProject(existing.projectId, settings)
    if (secretKey) {
      await store.addKey({
        projectId: project.id,
        kind: 'secret',
        lookup: hashSecretKey(secretKey),
        expiresAt: null,
      })
    }
    return { project, publicKey: publicKey!, ...(secretKey && { secretKey }), created: false }
  }
  const project = await store.createProject({ name: settings.name ?? 'default', ...settings })
  const pk = publicKey ?? generatePublicKey()
  const sk = secretKey ?? generateSecretKey()
  await store.addKey({ projectId: project.id, kind: 'public', lookup: pk, expiresAt: null })
  await store.addKey({
    projectId: project.id,
    kind: 'secret',
    lookup: hashSecretKey(sk),
    expiresAt: null,
  })
  return { project, publicKey: pk, secretKey: sk, created: true }
}
