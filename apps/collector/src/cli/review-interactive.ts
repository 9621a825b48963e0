// `tightloop review --interactive`: one item at a time in a terminal, a letter and Enter per
// decision. Reads answers line by line, so a script can pipe them in just as well.
import { createInterface } from 'node:readline/promises'
import {
  decideReview,
  listReview,
  type ProjectRecord,
  type ReviewQuery,
  type Store,
} from '@tightloop/collector'
import { CliError, type CliIo, EXIT_OK } from './command.ts'

const CORRECTION_KEYS: Record<string, 'approve' | 'reject' | 'edit'> = {
  a: 'approve',
  r: 'reject',
  e: 'edit',
}
const USER_KEYS: Record<string, 'confirm' | 'dismiss'> = { c: 'confirm', d: 'dismiss' }
const PAST = {
  approve: 'approved',
  reject: 'rejected',
  edit: 'edited and approved',
  confirm: 'confirmed',
  dismiss: 'dismissed',
}

/**
 * Works the pending queue of one kind until it is empty, the person quits, or input ends.
 *
 * @example await reviewInteractively(store, project, io, { kind: 'corrections', reviewer: 'Dana' })
 */
export async function reviewInteractively(
  store: Store,
  project: ProjectRecord,
  io: CliIo,
  options: { kind: ReviewQuery['kind']; reviewer: string | undefined },
): Promise<number> {
  if (!options.reviewer?.trim()) {
    throw new CliError(
      'review --interactive needs --reviewer <your name>: each decision records it',
    )
  }
  const input = createInterface({ input: io.stdin ?? process.stdin, terminal: false })
  const lines = input[Symbol.asyncIterator]()
  const ask = async (question: string) => {
    io.stdout.write(question)
    const next = await lines.next()
    return next.done ? null : next.value.trim()
  }
  const queue = await listReview(store, project, {
    kind: options.kind,
    status: 'pending',
    limit: 1_000,
  })
  const keys = options.kind === 'corrections' ? CORRECTION_KEYS : USER_KEYS
  const help =
    options.kind === 'corrections'
      ? 'a approve · r reject · e edit · s skip · q quit'
      : 'c confirm · d dismiss · s skip · q quit'
  let decided = 0
  try {
    for (const [i, item] of queue.items.entries()) {
      io.stdout.write(`\n[${i + 1}/${queue.total}] ${item.itemId}  user ${item.userId}\n`)
      if ('correction' in item) {
        io.stdout.write(
          `  prompt:  ${item.prompt ?? '(not sent)'}\n  answer:  ${item.response ?? '(not sent)'}\n  fix:     ${item.correction}\n`,
        )
      } else if ('reason' in item) {
        io.stdout.write(`  flagged: ${item.reason} ${JSON.stringify(item.evidence)}\n`)
      }
      let answer = await ask(`${help} > `)
      while (answer !== null && answer !== 'q' && answer !== 's' && !keys[answer]) {
        answer = await ask(`"${answer}"? ${help} > `)
      }
      if (answer === null || answer === 'q') break
      if (answer === 's') continue
      const decision = keys[answer]!
      let text: string | undefined
      if (decision === 'edit') {
        text = (await ask('your version > ')) ?? undefined
        if (!text) continue
      }
      const body = { decision, reviewer: options.reviewer, ...(text && { text }) }
      await decideReview(store, project.id, item.itemId, body, Date.now())
      decided += 1
      io.stdout.write(`  ${PAST[decision]}\n`)
    }
  } finally {
    input.close()
  }
  io.stdout.write(`\n${decided} decided, ${queue.total - decided} left\n`)
  return EXIT_OK
}
