// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FeedbackBar } from './feedback.tsx'
import { LANGUAGES } from './languages.ts'
import {
  byName,
  focused,
  memoryLocalStorage,
  press,
  recordingClient,
  settle,
  type,
} from './test-support.ts'
import { createWidget } from './widget.ts'

const answer = {
  requestId: 'req_1',
  prompt: 'How do I reset my PIN?',
  response: 'Open Settings, then PIN.',
}
let host: HTMLElement
let client: ReturnType<typeof recordingClient>
let storage: ReturnType<typeof memoryLocalStorage>

const mount = (options: { editable?: boolean; children?: string | null; lang?: string } = {}) => {
  const widget = createWidget({
    client,
    key: 'pk_test',
    storage,
    lang: options.lang,
    languages: LANGUAGES,
  })
  render(
    <FeedbackBar widget={widget} answer={answer} editable={options.editable}>
      {options.children === null ? undefined : (options.children ?? answer.response)}
    </FeedbackBar>,
    host,
  )
  return widget
}

beforeEach(() => {
  client = recordingClient()
  storage = memoryLocalStorage()
  host = document.body.appendChild(document.createElement('div'))
})
afterEach(() => {
  render(null, host)
  host.remove()
})

describe('FeedbackBar thumbs', () => {
  it('has the accessible names Helpful, Not helpful and Edit answer', () => {
    mount()
    for (const name of ['Helpful', 'Not helpful', 'Edit answer'])
      expect(byName(host, name).tagName).toBe('BUTTON')
  })

  it('sends response_shown once per answer, even across re-renders', async () => {
    const widget = mount()
    await settle()
    render(<FeedbackBar widget={widget} answer={{ ...answer }} />, host)
    await settle()
    render(null, host)
    render(<FeedbackBar widget={widget} answer={answer} />, host)
    await settle()
    expect(client.of('shown')).toHaveLength(1)
    expect(client.of('shown')[0]!.args).toMatchObject({ requestId: 'req_1' })
  })

  it('sends thumbs_up at once and shows it pressed with a thank-you', async () => {
    mount()
    byName(host, 'Helpful').click()
    await settle()
    expect(client.of('thumbsUp')).toEqual([{ method: 'thumbsUp', args: answer }])
    expect(byName(host, 'Helpful').getAttribute('aria-pressed')).toBe('true')
    expect(byName(host, 'Not helpful').getAttribute('aria-pressed')).toBe('false')
    expect(host.querySelector('[role=status]')!.textContent).toBe('Thanks for your feedback')
    byName(host, 'Helpful').click()
    await settle()
    expect(client.of('thumbsUp')).toHaveLength(1)
  })

  it('queues the thumbs down at the click, then opens "what was wrong?" on the first reason', async () => {
    mount()
    byName(host, 'Not helpful').click()
    await settle()
    expect(host.querySelector('legend')!.textContent).toBe('What was wrong?')
    expect(focused()).toBe(byName(host, 'Incorrect'))
    expect(client.of('thumbsDown')).toEqual([
      {
        method: 'thumbsDown',
        args: { ...answer, eventId: expect.stringMatching(/^[0-9a-f]{36}$/) },
      },
    ])
  })

  it('each reason chosen, and Send with a comment, amend the vote; focus returns', async () => {
    mount()
    byName(host, 'Not helpful').click()
    await settle()
    for (const chip of ['Incorrect', 'Incomplete', 'Incomplete', 'Off topic']) {
      byName(host, chip).click()
      await settle()
    }
    expect(byName(host, 'Incorrect').getAttribute('aria-pressed')).toBe('true')
    expect(byName(host, 'Incomplete').getAttribute('aria-pressed')).toBe('false')
    type(host.querySelector('fieldset textarea')!, '  The PIN menu moved.  ')
    await settle()
    byName(host, 'Send').click()
    await settle()
    const [vote, ...amendments] = client.of('thumbsDown').map((c) => c.args)
    const amends = (vote as { eventId: string }).eventId
    expect(amendments).toEqual([
      { ...answer, amends, metadata: { wrong: 'incorrect' } },
      { ...answer, amends, metadata: { wrong: 'incorrect,incomplete' } },
      { ...answer, amends, metadata: { wrong: 'incorrect' } },
      { ...answer, amends, metadata: { wrong: 'incorrect,irrelevant' } },
      {
        ...answer,
        amends,
        comment: 'The PIN menu moved.',
        metadata: { wrong: 'incorrect,irrelevant' },
      },
    ])
    expect(host.querySelector('fieldset')).toBeNull()
    expect(focused()).toBe(byName(host, 'Not helpful'))
    expect(byName(host, 'Not helpful').getAttribute('aria-pressed')).toBe('true')
  })

  it('never forces the step: Skip and Escape leave the vote alone, reasons withdrawn', async () => {
    mount()
    byName(host, 'Not helpful').click()
    await settle()
    byName(host, 'Skip').click()
    await settle()
    expect(client.of('thumbsDown').map((c) => c.args)).toEqual([
      { ...answer, eventId: expect.any(String) },
    ])

    client.calls.length = 0
    answer.requestId = 'req_2'
    mount()
    byName(host, 'Not helpful').click()
    await settle()
    byName(host, 'Incorrect').click()
    await settle()
    press(byName(host, 'Incorrect'), 'Escape')
    await settle()
    const [vote, chosen, withdrawn] = client.of('thumbsDown').map((c) => c.args)
    const amends = (vote as { eventId: string }).eventId
    expect(chosen).toEqual({ ...answer, amends, metadata: { wrong: 'incorrect' } })
    expect(withdrawn).toEqual({ ...answer, amends })
    expect(focused()).toBe(byName(host, 'Not helpful'))
    answer.requestId = 'req_1'
  })

  it('a comment typed and not sent amends the vote when the page goes, once', async () => {
    mount()
    byName(host, 'Not helpful').click()
    await settle()
    type(host.querySelector('fieldset textarea')!, 'The PIN menu moved.')
    await settle()
    window.dispatchEvent(new Event('pagehide'))
    document.dispatchEvent(new Event('visibilitychange'))
    await settle()
    const [vote, ...amendments] = client.of('thumbsDown').map((c) => c.args)
    const amends = (vote as { eventId: string }).eventId
    expect(amendments).toEqual([{ ...answer, amends, comment: 'The PIN menu moved.' }])
  })

  it('sends a vote stored open by an older widget (no voteId) with its reasons at Send', async () => {
    storage.setItem('tightloop:pk_test', JSON.stringify({ req_1: { vote: 'down', pending: true } }))
    mount()
    await settle()
    byName(host, 'Incorrect').click()
    await settle()
    expect(client.of('thumbsDown')).toHaveLength(0)
    byName(host, 'Send').click()
    await settle()
    expect(client.of('thumbsDown').map((c) => c.args)).toEqual([
      { ...answer, metadata: { wrong: 'incorrect' } },
    ])
  })

  it('an open thumbs down then a thumbs up: both were chosen, both are sent', async () => {
    mount()
    byName(host, 'Not helpful').click()
    await settle()
    byName(host, 'Helpful').click()
    await settle()
    expect(client.calls.map((c) => c.method)).toEqual(['shown', 'thumbsDown', 'thumbsUp'])
    expect(host.querySelector('fieldset')).toBeNull()
  })
})

describe('FeedbackBar edit-capture', () => {
  const editor = () => host.querySelector<HTMLTextAreaElement>('textarea')!

  it('turns the answer into an editor prefilled with it, focused', async () => {
    mount()
    byName(host, 'Edit answer').click()
    await settle()
    expect(editor().value).toBe(answer.response)
    expect(editor().getAttribute('aria-label')).toBe('Your corrected answer')
    expect(focused()).toBe(editor())
    expect(host.querySelector<HTMLElement>('.answer')!.hidden).toBe(true)
    expect(byName(host, 'Edit answer').getAttribute('aria-expanded')).toBe('true')
  })

  it('Enter saves an explicit_correction, shows the edit, and returns focus', async () => {
    mount()
    byName(host, 'Edit answer').click()
    await settle()
    type(editor(), 'Open Settings, then Security, then Change PIN.')
    await settle()
    press(editor(), 'Enter', { shiftKey: true })
    await settle()
    expect(client.of('correct')).toHaveLength(0)
    press(editor(), 'Enter')
    await settle()
    expect(client.of('correct')).toEqual([
      {
        method: 'correct',
        args: { ...answer, correctionText: 'Open Settings, then Security, then Change PIN.' },
      },
    ])
    expect(host.querySelector('textarea')).toBeNull()
    expect(host.querySelector('.answer')!.textContent).toBe(
      'Open Settings, then Security, then Change PIN.',
    )
    expect(host.querySelector('[role=status]')!.textContent).toBe('Your edit was sent')
    expect(focused()).toBe(byName(host, 'Edit answer'))
  })

  it('Escape cancels: nothing sent, the answer restored, focus back on the button', async () => {
    mount()
    byName(host, 'Edit answer').click()
    await settle()
    type(editor(), 'something else')
    await settle()
    press(editor(), 'Escape')
    await settle()
    expect(client.of('correct')).toHaveLength(0)
    expect(host.querySelector('textarea')).toBeNull()
    expect(host.querySelector<HTMLElement>('.answer')!.hidden).toBe(false)
    expect(host.querySelector('.answer')!.textContent).toBe(answer.response)
    expect(focused()).toBe(byName(host, 'Edit answer'))
  })

  it('sends nothing when the text is unchanged or empty; Save and Cancel buttons work', async () => {
    mount()
    byName(host, 'Edit answer').click()
    await settle()
    byName(host, 'Save').click()
    await settle()
    byName(host, 'Edit answer').click()
    await settle()
    type(editor(), '   ')
    await settle()
    byName(host, 'Save').click()
    await settle()
    byName(host, 'Edit answer').click()
    await settle()
    type(editor(), 'new text')
    await settle()
    byName(host, 'Cancel').click()
    await settle()
    expect(client.of('correct')).toHaveLength(0)
    byName(host, 'Edit answer').click()
    await settle()
    type(editor(), 'new text')
    await settle()
    byName(host, 'Save').click()
    await settle()
    expect(client.of('correct')).toHaveLength(1)
  })

  it('opens the editor inside the bar when it has no answer to replace', async () => {
    mount({ children: null })
    expect(host.querySelector('.answer')).toBeNull()
    byName(host, 'Edit answer').click()
    await settle()
    expect(editor().value).toBe(answer.response)
  })

  it('hides Edit answer when not editable', () => {
    mount({ editable: false })
    expect(() => byName(host, 'Edit answer')).toThrow()
  })
})

describe('FeedbackBar state', () => {
  it('survives a re-render and a reload (same storage, new widget)', async () => {
    mount()
    byName(host, 'Not helpful').click()
    await settle()
    byName(host, 'Skip').click()
    byName(host, 'Edit answer').click()
    await settle()
    type(host.querySelector('textarea')!, 'Settings, Security, Change PIN.')
    await settle()
    byName(host, 'Save').click()
    await settle()
    render(null, host)
    mount() // a new widget over the same storage: what a reload sees
    await settle()
    expect(byName(host, 'Not helpful').getAttribute('aria-pressed')).toBe('true')
    expect(host.querySelector('.answer')!.textContent).toBe('Settings, Security, Change PIN.')
    expect(JSON.parse(storage.map.get('tightloop:pk_test')!)).toEqual({
      req_1: {
        vote: 'down',
        pending: false,
        voteId: expect.any(String),
        corrected: 'Settings, Security, Change PIN.',
      },
    })
  })

  it('reopens an unfinished "what was wrong?" step after a reload', async () => {
    mount()
    byName(host, 'Not helpful').click()
    await settle()
    render(null, host)
    mount()
    await settle()
    expect(host.querySelector('fieldset')).not.toBeNull()
  })

  it('keeps working when localStorage throws', async () => {
    const widget = createWidget({
      client,
      key: 'pk_x',
      storage: {
        getItem: () => {
          throw new DOMException('denied', 'SecurityError')
        },
        setItem: () => {
          throw new DOMException('full', 'QuotaExceededError')
        },
      },
    })
    render(<FeedbackBar widget={widget} answer={answer} />, host)
    byName(host, 'Helpful').click()
    await settle()
    expect(byName(host, 'Helpful').getAttribute('aria-pressed')).toBe('true')
  })
})

describe('FeedbackBar labels', () => {
  it('speaks German and French, and takes any label override', async () => {
    mount({ lang: 'de-AT' })
    expect(byName(host, 'Hilfreich')).toBeTruthy()
    mount({ lang: 'fr' })
    expect(byName(host, 'Pas utile')).toBeTruthy()
    const widget = mount()
    widget.setLabels('en', { helpful: 'Useful', editAnswer: 'Fix it' })
    await settle()
    expect(byName(host, 'Useful')).toBeTruthy()
    expect(byName(host, 'Fix it')).toBeTruthy()
  })
})

describe('languages', () => {
  it('has every English label in German and French', async () => {
    const { EN } = await import('./labels.ts')
    for (const lang of ['de', 'fr']) {
      const labels = LANGUAGES[lang]!
      expect(Object.keys(labels).sort()).toEqual(Object.keys(EN).sort())
      expect(Object.keys(labels.reasons).sort()).toEqual(Object.keys(EN.reasons).sort())
      expect(Object.keys(labels.wrongReasons)).toEqual(Object.keys(EN.wrongReasons))
      expect(labels.csatScores).toHaveLength(5)
      expect(labels.helpful).not.toBe(EN.helpful)
    }
  })

  it('without languages, an unknown language falls back to English', () => {
    const widget = createWidget({ client, key: 'pk_test', storage, lang: 'de' })
    expect(widget.labels.value.helpful).toBe('Helpful')
    widget.setLabels('de', LANGUAGES.de)
    expect(widget.labels.value.helpful).toBe('Hilfreich')
  })
})
