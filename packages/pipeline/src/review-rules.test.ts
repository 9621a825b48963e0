import { describe, expect, it } from 'vitest'
import { createExportBuilder } from './export-builder.ts'
import { createReliabilityModel } from './reliability.ts'
import type { ReviewRules } from './review-rules.ts'
import { makeEvent, TEST_NOW } from './testing/events.ts'

const ANSWER = 'Open Settings, choose Security, then click Reset password and follow the email.'
// Two words from the answer: the typo rule alone would drop it.
const SMALL_FIX = 'Open Settings, choose Privacy, then click Reset password and follow the email.'

function exportWith(reviews: ReviewRules | undefined, events: ReturnType<typeof makeEvent>[]) {
  const builder = createExportBuilder({ now: TEST_NOW, ...(reviews && { reviews }) })
  const rows = events.flatMap((e) => builder.push(e))
  return { rows, dropped: builder.stats().dropped }
}

describe('review rules in the export', () => {
  const fix = makeEvent({ signal: 'explicit_correction', userId: 'u-a', correctionText: SMALL_FIX })
  const bad = makeEvent({
    signal: 'explicit_correction',
    userId: 'u-b',
    correctionText: `${ANSWER} Call 555.`,
  })
  const vote = makeEvent({ signal: 'thumbs_down', userId: 'u-b' })

  it('trains an approved small fix the typo rule would drop, as reviewed at weight 1', () => {
    expect(exportWith(undefined, [fix]).dropped.typo_correction).toBe(1)
    const corrections = new Map([[fix.eventId, { decision: 'approve' as const }]])
    const { rows } = exportWith({ corrections }, [fix])
    expect(rows).toEqual([
      expect.objectContaining({ preferred: SMALL_FIX, source: 'reviewed', weight: 1 }),
    ])
  })

  it('drops a rejected correction and weighs or drops its author by reliability', () => {
    const tallies = new Map([
      ['u-a', { approved: 8, rejected: 0 }],
      ['u-b', { approved: 0, rejected: 3 }],
    ])
    const model = createReliabilityModel(tallies.values())
    const reviews: ReviewRules = {
      corrections: new Map([[bad.eventId, { decision: 'reject' }]]),
      reliability: (userId) => model.of(tallies.get(userId)),
    }
    const other = makeEvent({ signal: 'thumbs_down', userId: 'u-c' })
    const { rows, dropped } = exportWith(reviews, [bad, vote, other])
    expect(dropped.rejected_by_reviewer).toBe(1)
    expect(dropped.unreliable_user).toBe(1)
    expect(rows).toEqual([
      expect.objectContaining({ source: 'thumbs_down', weight: 0.5, reliability: 1 }),
    ])
  })

  it('trains only reviewed corrections when asked, with the edited text', () => {
    const edited = makeEvent({ signal: 'explicit_correction', userId: 'u-a', correctionText: 'x' })
    const reviews: ReviewRules = {
      corrections: new Map([
        [edited.eventId, { decision: 'edit', text: 'Use the Security tab, then Reset.' }],
      ]),
      reviewedOnly: true,
    }
    const { rows, dropped } = exportWith(reviews, [edited, fix])
    expect(dropped.not_reviewed).toBe(1)
    expect(rows.map((r) => r.preferred)).toEqual(['Use the Security tab, then Reset.'])
  })
})
