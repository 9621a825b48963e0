// The rules added for what evaded the first ones: slow poisoning, reported evidence.
import { describe, expect, it } from 'vitest'
import { type AdversaryFlag, createAdversaryDetector, detectAdversaries } from './adversaries.ts'
import { peakRollingSum } from './adversary-windows.ts'
import { daysAgo, makeEvent } from './testing/events.ts'

const rulesOf = (flags: AdversaryFlag[], userId: string) =>
  flags.filter((f) => f.userId === userId).map((f) => f.rule)

const WORDS = ['invoice', 'seat', 'webhook', 'report', 'export', 'plan', 'key', 'team', 'card']

/** 300 honest users writing 0–6 corrections each over four weeks. */
function honestCorrections() {
  const events = []
  for (let u = 0; u < 300; u++) {
    for (let i = 0; i < u % 7; i++) {
      const at = daysAgo((u * 3 + i * 5) % 28)
      events.push(
        makeEvent({
          signal: 'explicit_correction',
          userId: `h-${u}`,
          requestId: `r-${u}-${i}`,
          correctionText: `The ${WORDS[(u + i) % WORDS.length]} is under ${WORDS[i % WORDS.length]} settings, honest note ${u}`,
          occurredAt: at,
          receivedAt: at,
        }),
      )
    }
  }
  return events
}

describe('peakRollingSum', () => {
  it('sums the busiest window of consecutive days', () => {
    expect(
      peakRollingSum(
        new Map([
          [10, 50],
          [12, 50],
          [20, 5],
        ]),
        7,
      ),
    ).toBe(100)
    expect(
      peakRollingSum(
        new Map([
          [10, 50],
          [17, 50],
        ]),
        7,
      ),
    ).toBe(50)
    expect(peakRollingSum(new Map(), 7)).toBe(0)
  })
})

describe('slow_poisoning', () => {
  // 200 varied corrections over 4 days: 50 a day, under the burst floor of 60.
  const slow = Array.from({ length: 200 }, (_, i) => {
    const at = daysAgo(3 + Math.floor(i / 50))
    return makeEvent({
      signal: 'explicit_correction',
      userId: 'slow',
      requestId: `slow-${i}`,
      correctionText: `Actually the ${WORDS[i % WORDS.length]} costs ${i} dollars and ${WORDS[(i * 7) % WORDS.length]} is free ${'x'.repeat(i % 13)}`,
      occurredAt: at,
      receivedAt: at,
    })
  })

  it('flags 200 varied corrections over 4 days that no other rule catches', () => {
    const flags = detectAdversaries([...honestCorrections(), ...slow])
    expect(rulesOf(flags, 'slow')).toContain('slow_poisoning')
    expect(rulesOf(flags, 'slow')).not.toContain('burst')
    const flag = flags.find((f) => f.userId === 'slow' && f.rule === 'slow_poisoning')!
    expect(flag.evidence).toMatchObject({ peakWindow: 200, strength: 200, threshold: 30 })
  })

  it('leaves honest users alone, and the same 200 spread over a year too', () => {
    const flags = detectAdversaries(honestCorrections())
    expect(flags.filter((f) => f.rule === 'slow_poisoning')).toEqual([])
    const yearly = slow.map((e, i) => ({
      ...e,
      occurredAt: daysAgo(i * 1.8),
      receivedAt: daysAgo(i * 1.8),
    }))
    expect(rulesOf(detectAdversaries([...honestCorrections(), ...yearly]), 'slow')).not.toContain(
      'slow_poisoning',
    )
  })
})

describe('reported_evidence', () => {
  it('flags a user once one kind of outside evidence reaches the threshold', () => {
    const detector = createAdversaryDetector()
    detector.addEvidence('forger', 'answer_mismatch', 2)
    expect(detector.flags()).toEqual([])
    detector.addEvidence('forger', 'answer_mismatch')
    expect(detector.flags()).toMatchObject([
      { userId: 'forger', rule: 'reported_evidence', evidence: { strength: 3, threshold: 3 } },
    ])
    expect(detector.flags()[0]!.message).toMatch(/3 × answer_mismatch/)
  })
})
