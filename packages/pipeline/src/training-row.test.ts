import { createHash } from 'node:crypto'
import { SIGNAL_WEIGHTS } from '@tightloop/schema'
import { describe, expect, it } from 'vitest'
import { makeEvent } from './testing/events.ts'
import {
  collapseDuplicates,
  judgedRequestId,
  type TrainingRow,
  toTrainingRow,
  trainingRowHash,
} from './training-row.ts'

const PROMPT = 'How do I reset my password?'
const ANSWER = 'Open Settings, choose Security, then click Reset password and follow the email.'
const FIX = 'Use the Forgot password link on the sign-in page; Settings has no reset option.'

describe('toTrainingRow', () => {
  it('turns a correction into a preference pair', () => {
    const row = toTrainingRow(makeEvent({ signal: 'explicit_correction', correctionText: FIX }))
    expect(row).toMatchObject({
      prompt: PROMPT,
      preferred: FIX,
      rejected: ANSWER,
      weight: 0.9,
      source: 'explicit_correction',
    })
    expect(row?.row_id).toMatch(/^[0-9a-f]{64}$/)
  })
  it("sets event_hash to the article's sha256(request_id), hex, shared by every row of a request", () => {
    const sha = (id: string) => createHash('sha256').update(id).digest('hex')
    const fix = toTrainingRow(
      makeEvent({ signal: 'explicit_correction', requestId: 'req_42', correctionText: FIX }),
    )
    const down = toTrainingRow(makeEvent({ signal: 'thumbs_down', requestId: 'req_42' }))
    expect(fix?.event_hash).toBe(sha('req_42'))
    expect(down?.event_hash).toBe(sha('req_42'))
    expect(fix?.row_id).not.toBe(down?.row_id)
    // A rephrase judges the earlier answer, so it joins back to that request.
    const rephrase = toTrainingRow(
      makeEvent({ signal: 'rephrase', requestId: 'req_43', rephraseOf: 'req_42' }),
    )
    expect(rephrase?.event_hash).toBe(sha('req_42'))
  })
  it.each([
    ['thumbs_down', {}],
    ['agent_escalation', { escalationReason: 'wrong_answer' }],
    ['session_abandon', { idleMs: 120_000 }],
    ['rephrase', { rephraseOf: 'req-0', similarity: 0.9 }],
    ['csat', { csat: 1 }],
    ['csat', { csat: 2 }],
  ] as const)('turns %s %o into a rejected-only row with its weight', (signal, extra) => {
    const row = toTrainingRow(makeEvent({ signal, ...extra }))
    expect(row).toMatchObject({ prompt: PROMPT, preferred: null, rejected: ANSWER, source: signal })
    expect(row?.weight).toBe(SIGNAL_WEIGHTS[signal])
  })
  it('weights rephrase at 0.3', () => {
    expect(toTrainingRow(makeEvent({ signal: 'rephrase' }))?.weight).toBe(0.3)
  })
  it('makes no row for satisfied CSAT (the 2/3 edge), thumbs-up, impressions or missing text', () => {
    expect(toTrainingRow(makeEvent({ signal: 'csat', csat: 3 }))).toBeNull()
    expect(toTrainingRow(makeEvent({ signal: 'thumbs_up' }))).toBeNull()
    expect(toTrainingRow(makeEvent({ signal: 'response_shown' }))).toBeNull()
    expect(toTrainingRow(makeEvent({ signal: 'thumbs_down', response: undefined }))).toBeNull()
  })
})

describe('row identity', () => {
  it('is the same for the same answer, signal and content, whatever the event id', () => {
    const a = toTrainingRow(
      makeEvent({ signal: 'explicit_correction', requestId: 'r1', correctionText: FIX }),
    )
    const retry = toTrainingRow(
      makeEvent({ signal: 'explicit_correction', requestId: 'r1', correctionText: FIX }),
    )
    expect(a?.row_id).toBe(retry?.row_id)
  })
  it('differs for another request, signal or correction', () => {
    const hash = (fields: Record<string, unknown>) =>
      toTrainingRow(makeEvent({ signal: 'thumbs_down', requestId: 'r1', ...fields }))?.row_id
    const base = hash({})
    expect(hash({ requestId: 'r2' })).not.toBe(base)
    expect(hash({ signal: 'agent_escalation', escalationReason: 'other' })).not.toBe(base)
    const fix = (text: string) =>
      toTrainingRow(
        makeEvent({ signal: 'explicit_correction', requestId: 'r1', correctionText: text }),
      )?.row_id
    expect(fix(FIX)).not.toBe(fix(`${FIX} Then sign in again.`))
  })
  it('frames fields so that moving text between them changes the hash', () => {
    expect(trainingRowHash('r', 'thumbs_down', 'ab', null, 'c')).not.toBe(
      trainingRowHash('r', 'thumbs_down', 'a', null, 'bc'),
    )
    expect(trainingRowHash('r', 'explicit_correction', 'p', '', 'c')).not.toBe(
      trainingRowHash('r', 'explicit_correction', 'p', null, 'c'),
    )
  })
  it('judges a rephrase on the earlier request', () => {
    expect(judgedRequestId({ signal: 'rephrase', requestId: 'r2', rephraseOf: 'r1' })).toBe('r1')
    expect(judgedRequestId({ signal: 'rephrase', requestId: 'r2' })).toBe('r2')
    expect(judgedRequestId({ signal: 'thumbs_down', requestId: 'r2' })).toBe('r2')
  })
})

describe('collapseDuplicates', () => {
  const row = (hash: string, weight: number): TrainingRow => ({
    prompt: 'p',
    preferred: null,
    rejected: 'r',
    weight,
    source: 'thumbs_down',
    event_hash: 'e',
    row_id: hash,
  })
  it('keeps one row per hash with the strongest weight, in first-seen order', () => {
    const out = collapseDuplicates([row('a', 0.5), row('b', 0.4), row('a', 0.8), row('a', 0.3)])
    expect(out.map((r) => [r.row_id, r.weight])).toEqual([
      ['a', 0.8],
      ['b', 0.4],
    ])
  })
})
