// Project settings stored as JSON: a rephrase threshold stored before the similarity gained word
// vectors is carried over to today's scale once, on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_REPHRASE_THRESHOLD, REPHRASE_SCALE, rescaleThreshold } from '@tightloop/pipeline'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { pickSettings, readSettings } from './project-settings.ts'
import { createSqliteStore } from './sqlite.ts'

const dir = mkdtempSync(join(tmpdir(), 'tightloop-settings-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the rephrase threshold across the similarity scale change', () => {
  it('reads an old stored threshold on the new scale, and a new one as it is', () => {
    expect(readSettings('{"rephraseThreshold":0.353}').rephraseThreshold).toBe(
      DEFAULT_REPHRASE_THRESHOLD,
    )
    expect(readSettings({ rephraseThreshold: 0.5 }).rephraseThreshold).toBe(
      rescaleThreshold(0.5, 1),
    )
    expect(readSettings({ rephraseThreshold: 2 }).rephraseThreshold).toBe(2) // off stays off
    expect(
      readSettings({ rephraseThreshold: 0.5, rephraseScale: REPHRASE_SCALE }).rephraseThreshold,
    ).toBe(0.5)
    expect(readSettings(null).rephraseThreshold).toBe(DEFAULT_REPHRASE_THRESHOLD)
    expect(pickSettings({ rephraseThreshold: 0.7 })).toEqual({
      rephraseThreshold: 0.7,
      rephraseScale: REPHRASE_SCALE,
    })
  })

  it('carries a project stored by an older collector over once, on a real SQLite file', async () => {
    const path = join(dir, 'old.db')
    const store = createSqliteStore(path)
    await store.migrate()
    const project = await store.createProject({ name: 'old', rephraseThreshold: 0.5 })
    expect(project.rephraseThreshold).toBe(0.5)
    // What a collector before word vectors wrote: the threshold without its scale.
    const raw = new Database(path)
    raw
      .prepare('UPDATE projects SET settings = ? WHERE id = ?')
      .run(JSON.stringify({ rephraseThreshold: 0.353, sessionIdleMinutes: 20 }), project.id)
    raw.close()
    const read = await store.getProject(project.id)
    expect(read).toMatchObject({
      rephraseThreshold: DEFAULT_REPHRASE_THRESHOLD,
      sessionIdleMinutes: 20,
    })
    // Any later write stores it on the new scale: read again, it is not carried over twice.
    await store.updateProject(project.id, { name: 'renamed' })
    expect((await store.getProject(project.id))?.rephraseThreshold).toBe(DEFAULT_REPHRASE_THRESHOLD)
    await store.close()
  })
})
