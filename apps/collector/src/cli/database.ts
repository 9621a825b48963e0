// Opens the database the server uses (same setting, same default) and picks the project.
import { existsSync } from 'node:fs'
import type { ProjectRecord, Store } from '@tightloop/collector'
import { readConfig } from '../config.ts'
import { isPostgresUrl, openStore } from '../store.ts'
import { CliError, type CliIo } from './command.ts'

/** The database a command works on: `--database`, else TIGHTLOOP_DATABASE, else the default. */
export function databaseSetting(io: CliIo, flag: string | undefined): string {
  const env = { ...io.env, ...(flag !== undefined && { TIGHTLOOP_DATABASE: flag }) }
  return readConfig(env, io.cwd).database
}

/**
 * Opens and migrates the store, runs `fn`, and closes it whatever happens. A SQLite file that
 * does not exist is an error unless `create` is set, so a typo in a path does not quietly
 * make an empty database.
 *
 * @example await withStore(io, values.database, async (store) => store.listProjects())
 */
export async function withStore<T>(
  io: CliIo,
  flag: string | undefined,
  fn: (store: Store) => Promise<T>,
  { create = false } = {},
): Promise<T> {
  const database = databaseSetting(io, flag)
  if (!create && !isPostgresUrl(database) && !existsSync(database)) {
    throw new CliError(
      `no database at ${database}`,
      'Pass --database or set TIGHTLOOP_DATABASE; "tightloop project create" makes a new one.',
    )
  }
  const store = await openStore(database)
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

/**
 * The project a command acts on: `--project` by id or name, or the only project there is.
 *
 * @example const project = await selectProject(store, values.project)
 */
export async function selectProject(
  store: Store,
  wanted: string | undefined,
): Promise<ProjectRecord> {
  const projects = await store.listProjects()
  const list = () =>
    projects.map((p) => `  ${p.id}  ${p.name}`).join('\n') || '  (none: "tightloop project create")'
  if (wanted === undefined) {
    if (projects.length === 1) return projects[0]!
    throw new CliError(
      projects.length === 0
        ? 'the database has no project yet'
        : 'the database has several projects: pass --project <id|name>',
      `Projects:\n${list()}`,
    )
  }
  const byId = projects.find((p) => p.id === wanted)
  if (byId) return byId
  const byName = projects.filter((p) => p.name === wanted)
  if (byName.length === 1) return byName[0]!
  throw new CliError(
    byName.length > 1
      ? `several projects are named "${wanted}": pass the id`
      : `no project "${wanted}"`,
    `Projects:\n${list()}`,
  )
}
