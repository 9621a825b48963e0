import { describe, expect, it } from 'vitest'
import { PipelineInputError } from './errors.ts'
import { buildTrainingBatch, createExportBuilder } from './export-builder.ts'
import { daysAgo, makeEvent, TEST_NOW } from './testing/events.ts'

const now = TEST_NOW
const FIX = 'Use the Forgot password link on the sign-in page; Settings has no reset option.'

describe('createExportBuilder', () => {
  it('returns rows as events arrive and counts drops per reason and per signal', () => {
    const builder = createExportBuilder({ now, adversaries: ['u-troll'] })
    expect(
      builder.push(makeEvent({ signal: 'explicit_correction', correctionText: FIX })),
    ).toHaveLength(1)
    expect(builder.push(makeEvent({ signal: 'thumbs_up' }))).toHaveLength(0)
    expect(builder.push(makeEvent({ signal: 'thumbs_down', userId: 'u-troll' }))).toHaveLength(0)
    expect(builder.push(makeEvent({ signal: 'csat', csat: 4 }))).toHaveLength(0)
    expect(
      builder.push(
        makeEvent({ signal: 'thumbs_down', occurredAt: daysAgo(50), receivedAt: daysAgo(50) }),
      ),
    ).toHaveLength(0)

    const stats = builder.stats()
    expect(stats.events).toBe(5)
    expect(stats.rows).toBe(1)
    expect(stats.dropped).toMatchObject({
      excluded_signal: 1,
      adversarial_user: 1,
      csat_not_negative: 1,
      older_than_ttl: 1,
      duplicate: 0,
    })
    expect(stats.bySignal.thumbs_down).toMatchObject({ events: 2, rows: 0 })
    expect(stats.bySignal.thumbs_down.dropped.adversarial_user).toBe(1)
    expect(stats.bySignal.explicit_correction).toMatchObject({ events: 1, rows: 1 })
    const droppedTotal = Object.values(stats.dropped).reduce((a, b) => a + b, 0)
    expect(stats.rows + droppedTotal).toBe(stats.events)
  })

  it('collapses a resubmitted correction and a double-clicked thumbs-down', () => {
    const builder = createExportBuilder({ now })
    const fields = { signal: 'explicit_correction', requestId: 'r1', correctionText: FIX } as const
    expect(builder.push(makeEvent(fields))).toHaveLength(1)
    expect(builder.push(makeEvent(fields))).toHaveLength(0)
    expect(builder.push(makeEvent({ signal: 'thumbs_down', requestId: 'r1' }))).toHaveLength(1)
    expect(builder.push(makeEvent({ signal: 'thumbs_down', requestId: 'r1' }))).toHaveLength(0)
    expect(builder.push(makeEvent({ signal: 'thumbs_down', requestId: 'r2' }))).toHaveLength(1)
    expect(builder.stats().dropped.duplicate).toBe(2)
  })

  it('bounds its dedup memory: a duplicate older than the window passes again', () => {
    const builder = createExportBuilder({ now, dedupWindow: 2 })
    const push = (requestId: string) =>
      builder.push(makeEvent({ signal: 'thumbs_down', requestId })).length
    expect([push('a'), push('b'), push('a'), push('c'), push('a')]).toEqual([1, 1, 0, 1, 1])
    expect(builder.stats().dedup).toEqual({ window: 2, held: 2, evicted: 2 })
  })

  it('validates its options', () => {
    expect(() => createExportBuilder({ now, dedupWindow: 0 })).toThrow(PipelineInputError)
    expect(() => createExportBuilder({ now: Number.NaN })).toThrow(PipelineInputError)
  })

  it('refuses an event whose signal the protocol does not know', () => {
    const builder = createExportBuilder({ now })
    expect(() => builder.push(makeEvent({ signal: 'like' as 'thumbs_up' }))).toThrow(
      /unknown signal/,
    )
  })
})

describe('buildTrainingBatch', () => {
  it('is the builder over an array', () => {
    const { rows, stats } = buildTrainingBatch(
      [
        makeEvent({ signal: 'thumbs_down' }),
        makeEvent({ signal: 'response_shown' }),
        makeEvent({ signal: 'agent_escalation', escalationReason: 'wrong_answer' }),
      ],
      { now },
    )
    expect(rows.map((r) => r.source)).toEqual(['thumbs_down', 'agent_escalation'])
    expect(stats.dropped.excluded_signal).toBe(1)
  })
})
