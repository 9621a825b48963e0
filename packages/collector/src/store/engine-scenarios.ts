// Runs one test scenario against each store engine: SQLite always, PostgreSQL in a throwaway
// schema when TIGHTLOOP_TEST_POSTGRES names a server.
import { createPostgresStore } from './postgres.ts'
import { createTestSchema } from './postgres-testing.ts'
import type { Store } from './types.ts'

/** A scenario: the engine's name, and how to open and drop its store (none: the default SQLite). */
export type EngineScenario = (
  engine: string,
  openStore?: () => Promise<Store>,
  dropStore?: () => Promise<void>,
) => void

/**
 * Declares `scenario` once per engine available.
 *
 * @example onEachEngine((engine, open, drop) => describe(engine, () => { … }))
 */
export function onEachEngine(scenario: EngineScenario): void {
  scenario('sqlite')
  const postgres = process.env.TIGHTLOOP_TEST_POSTGRES
  if (!postgres) return
  let drop: (() => Promise<void>) | undefined
  scenario(
    'postgres',
    async () => {
      const schema = await createTestSchema(postgres)
      drop = schema.drop
      return createPostgresStore(schema.url, { maxConnections: 4 })
    },
    async () => drop?.(),
  )
}
