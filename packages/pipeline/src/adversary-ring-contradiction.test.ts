// The ring and contradiction rules: what the per-user and word-for-word rules let through.
import { describe, expect, it } from 'vitest'
import { type AdversaryFlag, detectAdversaries } from './adversaries.ts'
import { makeEvent } from './testing/events.ts'

const rulesOf = (flags: AdversaryFlag[], userId: string) =>
  flags.filter((f) => f.userId === userId).map((f) => f.rule)

const CLAIM =
  'cancellations after the trial are refunded in full, so there is no need to contact billing'
// Never word for word (so `coordinated_correction` stays silent), two per account.
const VARIANTS = [`Update: ${CLAIM}.`, CLAIM.replace('in full', 'in full now'), `Note: ${CLAIM}!`]

describe('ring', () => {
  const ringEvents = (members: number) =>
    Array.from({ length: members }, (_, m) =>
      [0, 1].map((k) =>
        makeEvent({
          signal: 'explicit_correction',
          userId: `ring-${m}`,
          response: `Answer ${m}-${k}: cancellations are refunded pro rata by billing.`,
          correctionText: VARIANTS[(m + k) % VARIANTS.length],
        }),
      ),
    ).flat()

  it('flags 5 accounts sharing lightly edited copies of one claim, two each', () => {
    const flags = detectAdversaries(ringEvents(5))
    for (let m = 0; m < 5; m++) {
      expect(rulesOf(flags, `ring-${m}`)).toEqual(['ring'])
    }
    expect(flags[0]!.evidence).toMatchObject({ sharedCorrections: 2, otherAccounts: 4 })
  })

  it('leaves 4 such accounts, and 5 users fixing one answer the same way, alone', () => {
    expect(detectAdversaries(ringEvents(4))).toEqual([])
    const sameAnswer = ringEvents(5).map((e) => ({ ...e, response: 'One shared answer.' }))
    expect(detectAdversaries(sameAnswer).filter((f) => f.rule === 'ring')).toEqual([])
  })
})

describe('contradiction', () => {
  const ANSWERS = ['Refunds take 5 days.', 'Invoices are under Billing.', 'Reset it in Security.']
  const accepted = ANSWERS.flatMap((response, a) =>
    Array.from({ length: 6 }, (_, u) =>
      makeEvent({ signal: 'thumbs_up', userId: `fan-${u}`, requestId: `r-${a}-${u}`, response }),
    ),
  )
  const corrections = (userId: string, answers: string[]) =>
    answers.map((response, i) =>
      makeEvent({
        signal: 'explicit_correction',
        userId,
        response,
        correctionText: [
          'Refunds need a receipt.',
          'Invoices went to Reports.',
          'Use the mobile app.',
        ][i],
      }),
    )

  it('flags a user who corrects three answers most others accepted, with the numbers', () => {
    const flags = detectAdversaries([...accepted, ...corrections('contrarian', ANSWERS)])
    expect(rulesOf(flags, 'contrarian')).toEqual(['contradiction'])
    expect(flags.find((f) => f.userId === 'contrarian')!.evidence).toMatchObject({
      strength: 3,
      corrections: 3,
      minAccepted: 6,
    })
  })

  it('leaves alone two such corrections, and corrections of answers others rejected', () => {
    expect(detectAdversaries([...accepted, ...corrections('twice', ANSWERS.slice(0, 2))])).toEqual(
      [],
    )
    const rejected = accepted.map((e) => ({ ...e, signal: 'thumbs_down' }) as typeof e)
    expect(detectAdversaries([...rejected, ...corrections('fixer', ANSWERS)])).toEqual([])
  })
})
