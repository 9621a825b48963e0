// The answer log on SQLite: one row per (project, request id), written on the store's own connection.
import type { LoggedAnswer } from '@tightloop/schema'
import type Database from 'better-sqlite3'
import {
  type AnswerLogStore,
  type AnswerRecord,
  answerFingerprint,
  storedAnswer,
} from './answer-log.ts'

/**
 * The answer-log methods of the SQLite store, on its connection (synchronous=FULL, so a logged
 * answer is durable when the call resolves). Statements are prepared at first use: the table
 * exists only after `migrate()`.
 *
 * @example const store = { ...otherMethods, ...sqliteAnswerLog(db) }
 */
export function sqliteAnswerLog(db: Database.Database): AnswerLogStore {
  let insert: Database.Statement | undefined
  let fingerprintOf: Database.Statement | undefined
  let find: Database.Statement | undefined
  let logBatch:
    | ((projectId: string, answers: readonly LoggedAnswer[], at: number) => Result)
    | undefined
  type Result = { inserted: number; duplicates: number; conflicts: number[] }

  const prepare = () => {
    insert = db.prepare(
      `INSERT INTO answers (project_id, request_id, fingerprint, logged_at, payload)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id, request_id) DO NOTHING`,
    )
    fingerprintOf = db
      .prepare('SELECT fingerprint FROM answers WHERE project_id = ? AND request_id = ?')
      .pluck()
    logBatch = db.transaction((projectId: string, answers: readonly LoggedAnswer[], at: number) => {
      const result: Result = { inserted: 0, duplicates: 0, conflicts: [] }
      answers.forEach((given, index) => {
        const answer = storedAnswer(given)
        const fingerprint = answerFingerprint(answer)
        const payload = JSON.stringify(answer)
        if (insert!.run(projectId, answer.requestId, fingerprint, at, payload).changes === 1) {
          result.inserted += 1
        } else if (fingerprintOf!.get(projectId, answer.requestId) === fingerprint) {
          result.duplicates += 1
        } else result.conflicts.push(index)
      })
      return result
    })
  }

  return {
    async insertAnswers(projectId, answers, loggedAt) {
      if (!logBatch) prepare()
      return logBatch!(projectId, answers, loggedAt)
    },

    async findAnswers(projectId, requestIds) {
      const found = new Map<string, AnswerRecord>()
      if (requestIds.length === 0) return found
      // One statement whatever the number of ids: they travel as one JSON array.
      find ??= db.prepare(
        `SELECT logged_at, payload FROM answers
         WHERE project_id = ? AND request_id IN (SELECT value FROM json_each(?))`,
      )
      const rows = find.all(projectId, JSON.stringify(requestIds)) as {
        logged_at: number
        payload: string
      }[]
      for (const row of rows) {
        const answer = JSON.parse(row.payload) as LoggedAnswer
        found.set(answer.requestId, { ...answer, loggedAt: new Date(row.logged_at).toISOString() })
      }
      return found
    },

    async countAnswers(projectId) {
      return db
        .prepare('SELECT count(*) FROM answers WHERE project_id = ?')
        .pluck()
        .get(projectId) as number
    },
  }
}
