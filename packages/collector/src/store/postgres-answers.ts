// The answer log on PostgreSQL: one row per (project, request id), shared by every collector process.
import type { LoggedAnswer } from '@tightloop/schema'
import type pg from 'pg'
import {
  type AnswerLogStore,
  type AnswerRecord,
  answerFingerprint,
  storedAnswer,
} from './answer-log.ts'

/**
 * The answer-log methods of the PostgreSQL store. A batch is one transaction; two processes
 * logging one request id at once agree, since the loser's insert waits for the winner's commit.
 *
 * @example const store = { ...otherMethods, ...postgresAnswerLog(pool) }
 */
export function postgresAnswerLog(pool: pg.Pool): AnswerLogStore {
  return {
    async insertAnswers(projectId, answers, loggedAt) {
      const result = { inserted: 0, duplicates: 0, conflicts: [] as number[] }
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        for (const [index, given] of answers.entries()) {
          const answer = storedAnswer(given)
          const fingerprint = answerFingerprint(answer)
          const inserted = await client.query(
            `INSERT INTO answers (project_id, request_id, fingerprint, logged_at, payload)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, request_id) DO NOTHING`,
            [projectId, answer.requestId, fingerprint, loggedAt, JSON.stringify(answer)],
          )
          if (inserted.rowCount === 1) {
            result.inserted += 1
            continue
          }
          const { rows } = await client.query<{ fingerprint: string }>(
            'SELECT fingerprint FROM answers WHERE project_id = $1 AND request_id = $2',
            [projectId, answer.requestId],
          )
          if (rows[0]?.fingerprint === fingerprint) result.duplicates += 1
          else result.conflicts.push(index)
        }
        await client.query('COMMIT')
        return result
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    },

    async findAnswers(projectId, requestIds) {
      const found = new Map<string, AnswerRecord>()
      if (requestIds.length === 0) return found
      const { rows } = await pool.query<{ logged_at: string; payload: LoggedAnswer }>(
        `SELECT logged_at, payload FROM answers
         WHERE project_id = $1 AND request_id = ANY($2::text[])`,
        [projectId, requestIds],
      )
      for (const row of rows) {
        found.set(row.payload.requestId, {
          ...row.payload,
          loggedAt: new Date(Number(row.logged_at)).toISOString(),
        })
      }
      return found
    },

    async countAnswers(projectId) {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::integer AS n FROM answers WHERE project_id = $1',
        [projectId],
      )
      return rows[0]!.n
    },
  }
}
