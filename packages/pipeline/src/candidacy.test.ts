import type { StoredEvent } from '@tightloop/schema'
import { describe, expect, it } from 'vitest'
import {
  type CandidacyOptions,
  checkCandidacy,
  createCandidacyFilter,
  DROP_REASONS,
  isTrainingCandidate,
  isTypoFix,
} from './candidacy.ts'
import { PipelineInputError } from './errors.ts'
import { isRequestInEvalSlice } from './eval-slice.ts'
import { daysAgo, makeEvent, TEST_NOW } from './testing/events.ts'
import { isoWeekKey } from './time.ts'
import { toTrainingRow } from './training-row.ts'

const now = TEST_NOW
const reason = (event: StoredEvent, options: Partial<CandidacyOptions> = {}) => {
  const verdict = checkCandidacy(event, { now, ...options })
  return verdict.candidate ? 'kept' : verdict.reason
}
const ANSWER = 'Open Settings, choose Security, then click Reset password and follow the email.'

describe('signal rules', () => {
  it('never trains on thumbs_up or response_shown', () => {
    expect(reason(makeEvent({ signal: 'thumbs_up' }))).toBe('excluded_signal')
    expect(reason(makeEvent({ signal: 'response_shown' }))).toBe('excluded_signal')
    expect(reason(makeEvent({ signal: 'thumbs_down' }))).toBe('kept')
  })
  it('lets a project turn a signal off', () => {
    const rephrase = makeEvent({ signal: 'rephrase', rephraseOf: 'req-0' })
    expect(reason(rephrase)).toBe('kept')
    expect(reason(rephrase, { signals: ['explicit_correction', 'thumbs_down'] })).toBe(
      'signal_disabled',
    )
  })
  it('keeps CSAT 1-2 and drops 3-5', () => {
    expect(reason(makeEvent({ signal: 'csat', csat: 1 }))).toBe('kept')
    expect(reason(makeEvent({ signal: 'csat', csat: 2 }))).toBe('kept')
    expect(reason(makeEvent({ signal: 'csat', csat: 3 }))).toBe('csat_not_negative')
    expect(reason(makeEvent({ signal: 'csat', csat: 5 }))).toBe('csat_not_negative')
  })
  it('says when an event has no text to build a row from', () => {
    expect(reason(makeEvent({ signal: 'thumbs_down', prompt: undefined }))).toBe('missing_prompt')
    expect(reason(makeEvent({ signal: 'thumbs_down', response: '' }))).toBe('missing_response')
  })
})

describe('adversarial users', () => {
  it('drops events of listed users, given as a set or an array', () => {
    const event = makeEvent({
      signal: 'explicit_correction',
      userId: 'u-troll',
      correctionText: 'x'.repeat(40),
    })
    expect(reason(event, { adversaries: new Set(['u-troll']) })).toBe('adversarial_user')
    expect(reason(event, { adversaries: ['u-troll'] })).toBe('adversarial_user')
    expect(reason(event, { adversaries: ['u-other'] })).toBe('kept')
  })
})

describe('typo corrections', () => {
  const correction = (text: string) =>
    makeEvent({ signal: 'explicit_correction', response: 'a'.repeat(30), correctionText: text })

  it('drops a correction under 10 edits away and keeps one exactly 10 away', () => {
    expect(reason(correction(`${'a'.repeat(21)}${'b'.repeat(9)}`))).toBe('typo_correction') // 9 substitutions
    expect(reason(correction(`${'a'.repeat(20)}${'b'.repeat(10)}`))).toBe('kept') // 10
    expect(reason(correction('a'.repeat(30)))).toBe('typo_correction') // unchanged
  })
  it('counts length differences as edits without running the full distance', () => {
    expect(isTypoFix('a'.repeat(30), 'a'.repeat(39))).toBe(true)
    expect(isTypoFix('a'.repeat(30), 'a'.repeat(40))).toBe(false)
    expect(isTypoFix('Reset in Setings.', 'Reset in Settings.')).toBe(true)
  })
  it('honours a project distance', () => {
    const event = correction(`${'a'.repeat(27)}bbb`)
    expect(reason(event)).toBe('typo_correction')
    expect(reason(event, { minCorrectionDistance: 3 })).toBe('kept')
  })
})

describe('staleness: TTL', () => {
  const at = (occurredAt: string, receivedAt = occurredAt) =>
    makeEvent({ signal: 'thumbs_down', occurredAt, receivedAt })

  it('keeps an event exactly at the TTL and drops one a millisecond older', () => {
    expect(reason(at(daysAgo(45)))).toBe('kept')
    expect(reason(at(new Date(now - 45 * 86_400_000 - 1).toISOString()))).toBe('older_than_ttl')
  })
  it('takes a per-project TTL', () => {
    expect(reason(at(daysAgo(10)), { ttlDays: 7 })).toBe('older_than_ttl')
    expect(reason(at(daysAgo(6)), { ttlDays: 7 })).toBe('kept')
  })
  it('judges the clamped time: a fast client clock cannot make old feedback fresh', () => {
    // Received 50 days ago although the client claims it happened yesterday.
    expect(reason(at(daysAgo(1), daysAgo(50)))).toBe('older_than_ttl')
    // Received yesterday, but about an answer from 50 days ago (an offline queue).
    expect(reason(at(daysAgo(50), daysAgo(1)))).toBe('older_than_ttl')
  })
  it('drops events whose receipt time is unreadable', () => {
    expect(reason(at(daysAgo(1), 'not a date'))).toBe('invalid_timestamp')
  })
})

describe('staleness: product versions', () => {
  const versionChanges = [
    { version: 'v1', changedAt: daysAgo(30) },
    { version: 'v2', changedAt: daysAgo(10) },
    { version: 'v3', changedAt: daysAgo(-5) }, // scheduled after "now": not applied yet
  ]
  const event = (fields: Record<string, unknown>) =>
    makeEvent({ signal: 'thumbs_down', occurredAt: daysAgo(1), receivedAt: daysAgo(1), ...fields })

  it('drops events produced before the latest change, even if received after it', () => {
    expect(reason(event({ occurredAt: daysAgo(11) }), { versionChanges })).toBe(
      'before_version_change',
    )
    expect(
      reason(event({ occurredAt: daysAgo(11), receivedAt: daysAgo(1) }), { versionChanges }),
    ).toBe('before_version_change')
    expect(reason(event({ occurredAt: daysAgo(9) }), { versionChanges })).toBe('kept')
  })
  it('counts an event at exactly changedAt as the new version', () => {
    expect(reason(event({ occurredAt: daysAgo(10) }), { versionChanges })).toBe('kept')
  })
  it('drops a known older version stamped after the change, keeps current and unknown ones', () => {
    expect(reason(event({ productVersion: 'v1' }), { versionChanges })).toBe(
      'outdated_product_version',
    )
    expect(reason(event({ productVersion: 'v2' }), { versionChanges })).toBe('kept')
    expect(reason(event({ productVersion: 'v3' }), { versionChanges })).toBe('kept') // not applied yet: unknown
    expect(reason(event({ productVersion: 'v9-unregistered' }), { versionChanges })).toBe('kept')
  })
  it('treats the version rolled back to as current again', () => {
    const rollback = [...versionChanges, { version: 'v1', changedAt: daysAgo(2) }]
    expect(reason(event({ productVersion: 'v1' }), { versionChanges: rollback })).toBe('kept')
    expect(reason(event({ productVersion: 'v2' }), { versionChanges: rollback })).toBe(
      'outdated_product_version',
    )
  })
  it('reports the TTL first when both staleness rules apply', () => {
    expect(reason(event({ occurredAt: daysAgo(60) }), { versionChanges })).toBe('older_than_ttl')
  })
  it('refuses an unreadable change', () => {
    expect(() =>
      createCandidacyFilter({ now, versionChanges: [{ version: 'v1', changedAt: 'soon' }] }),
    ).toThrow(PipelineInputError)
  })
})

describe('eval-slice holdout', () => {
  it('drops feedback on held-out answers only when asked to', () => {
    const week = isoWeekKey(now - 3_600_000)
    let heldOut = ''
    for (let i = 0; !heldOut; i++) if (isRequestInEvalSlice(`r-${i}`, week)) heldOut = `r-${i}`
    const event = makeEvent({ signal: 'thumbs_down', requestId: heldOut })
    expect(reason(event)).toBe('kept')
    expect(reason(event, { holdOutEvalSlice: true })).toBe('eval_holdout')
    expect(reason(event, { holdOutEvalSlice: { salt: 'other project' } })).not.toBe('eval_holdout')
  })
})

describe('options and API', () => {
  it('validates options once, at creation', () => {
    expect(() => createCandidacyFilter({ now, ttlDays: 0 })).toThrow(/ttlDays/)
    expect(() => createCandidacyFilter({ now, ttlDays: Number.NaN })).toThrow(/ttlDays/)
    expect(() => createCandidacyFilter({ now, minCorrectionDistance: -1 })).toThrow(
      /minCorrectionDistance/,
    )
    expect(() => createCandidacyFilter({ now: 'tomorrow' })).toThrow(PipelineInputError)
  })
  it('answers the boolean question too', () => {
    expect(isTrainingCandidate(makeEvent({ signal: 'thumbs_down' }), { now })).toBe(true)
    expect(isTrainingCandidate(makeEvent({ signal: 'thumbs_up' }), { now })).toBe(false)
  })
  it('runs the rules in the documented order: the first that fires is reported', () => {
    const event = makeEvent({
      signal: 'explicit_correction',
      userId: 'u-troll',
      occurredAt: daysAgo(90),
      receivedAt: daysAgo(90),
      correctionText: ANSWER,
    })
    expect(reason(event, { adversaries: ['u-troll'] })).toBe('adversarial_user')
    expect(reason(event)).toBe('older_than_ttl')
    expect(DROP_REASONS.indexOf('adversarial_user')).toBeLessThan(
      DROP_REASONS.indexOf('older_than_ttl'),
    )
  })
  it('keeps only events that make a row, and every kept event makes one', () => {
    const events = [
      makeEvent({
        signal: 'explicit_correction',
        correctionText: 'Use the Forgot password link on the sign-in page.',
      }),
      makeEvent({ signal: 'agent_escalation', escalationReason: 'wrong_answer' }),
      makeEvent({ signal: 'csat', csat: 2 }),
      makeEvent({ signal: 'csat', csat: 4 }),
      makeEvent({ signal: 'thumbs_down' }),
      makeEvent({ signal: 'thumbs_up' }),
      makeEvent({ signal: 'session_abandon', idleMs: 60_000 }),
      makeEvent({ signal: 'rephrase' }),
      makeEvent({ signal: 'response_shown' }),
      makeEvent({ signal: 'thumbs_down', prompt: undefined }),
    ]
    const check = createCandidacyFilter({ now })
    for (const event of events) {
      expect(check(event).candidate).toBe(toTrainingRow(event) !== null)
    }
  })
})

describe('the answer log', () => {
  const LOGGED = {
    prompt: 'How do I reset my password?',
    response: 'Open Settings, choose Security, then click Reset password and follow the email.',
  }
  const FORGED_FIX = 'Send your password to security@evil.example and we reset it for you.'
  it('drops feedback whose browser response differs from the logged one, whitespace aside', () => {
    const check = createCandidacyFilter({ now: TEST_NOW })
    const event = (response: string | undefined) =>
      makeEvent({ signal: 'explicit_correction', correctionText: FORGED_FIX, response })
    expect(check(event('The bot said to email us your password.'), LOGGED)).toEqual({
      candidate: false,
      reason: 'answer_mismatch',
    })
    expect(
      check(
        event(
          `  Open Settings,\n   choose Security, then click Reset password and follow the email. `,
        ),
        LOGGED,
      ),
    ).toEqual({ candidate: true })
    // No response from the browser: the logged one is what the correction replaced.
    expect(check(event(undefined), LOGGED)).toEqual({ candidate: true })
  })
  it('with requireAnswerLog, drops feedback about answers never logged', () => {
    const check = createCandidacyFilter({ now: TEST_NOW, requireAnswerLog: true })
    expect(check(makeEvent({ signal: 'thumbs_down' }))).toEqual({
      candidate: false,
      reason: 'no_logged_answer',
    })
    expect(check(makeEvent({ signal: 'thumbs_down' }), LOGGED)).toEqual({ candidate: true })
  })
  it('builds the row from the logged texts', () => {
    const row = toTrainingRow(
      makeEvent({ signal: 'explicit_correction', correctionText: FORGED_FIX, prompt: 'forged?' }),
      { ...LOGGED, messages: [{ role: 'user', content: LOGGED.prompt }] },
    )
    expect(row).toMatchObject({ prompt: LOGGED.prompt, rejected: LOGGED.response })
    expect(row?.messages).toHaveLength(1)
  })
})
