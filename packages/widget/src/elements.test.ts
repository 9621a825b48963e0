// @vitest-environment happy-dom
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { defineElements, type EscalateEventDetail } from './elements.tsx'
import { LANGUAGES } from './languages.ts'
import { CSS } from './styles.ts'
import { byName, memoryLocalStorage, recordingClient, settle } from './test-support.ts'
import { createWidget, type Widget } from './widget.ts'

const client = recordingClient()
const storage = memoryLocalStorage()
let widget: Widget
let page: HTMLElement

beforeAll(() => {
  widget = createWidget({ client, key: 'pk_el', storage, languages: LANGUAGES })
  defineElements(widget)
})
beforeEach(() => {
  client.calls.length = 0
  page = document.body.appendChild(document.createElement('main'))
})
afterEach(() => page.remove())

const add = async (html: string) => {
  page.insertAdjacentHTML('beforeend', html)
  await settle()
  return page.lastElementChild as HTMLElement & { onEscalate?: (r: string) => void }
}

describe('custom elements', () => {
  it('registers the three elements once; a second define is a no-op', () => {
    for (const name of ['tightloop-feedback', 'tightloop-csat', 'tightloop-escalate'])
      expect(customElements.get(name)).toBeTypeOf('function')
    expect(() => defineElements(widget)).not.toThrow()
  })

  it('renders in an open shadow root styled by one shared constructable sheet, no inline styles', async () => {
    const a = await add('<tightloop-feedback request-id="e1">Answer one</tightloop-feedback>')
    const b = await add('<tightloop-csat request-id="e2"></tightloop-csat>')
    expect(a.shadowRoot).not.toBeNull()
    expect(a.shadowRoot!.adoptedStyleSheets).toHaveLength(1)
    expect(a.shadowRoot!.adoptedStyleSheets[0]).toBe(b.shadowRoot!.adoptedStyleSheets[0])
    expect(a.shadowRoot!.querySelector('style')).toBeNull()
    expect(a.shadowRoot!.querySelector('[style]')).toBeNull()
    expect(CSS).toContain(':host([theme=dark])')
  })

  it('wraps an answer: the slot shows it, the editor starts from its text', async () => {
    const el = await add(
      '<tightloop-feedback request-id="e3" prompt="Fees?">The fee is <b>2 %</b>.</tightloop-feedback>',
    )
    const root = el.shadowRoot!
    expect(root.querySelector('.answer slot')).not.toBeNull()
    byName(root, 'Edit answer').click()
    await settle()
    expect(root.querySelector('textarea')!.value).toBe('The fee is 2 %.')
    expect(client.of('shown')[0]!.args).toMatchObject({ requestId: 'e3', prompt: 'Fees?' })
  })

  it('as a bar appended to an answer, reads the answer text from its parent', async () => {
    const answer = await add('<div><p>Reset it in Settings.</p></div>')
    const bar = document.createElement('tightloop-feedback')
    bar.setAttribute('request-id', 'e4')
    answer.append(bar)
    await settle()
    byName(bar.shadowRoot!, 'Helpful').click()
    await settle()
    expect(client.of('thumbsUp')[0]!.args).toMatchObject({
      requestId: 'e4',
      response: 'Reset it in Settings.',
    })
    expect(bar.shadowRoot!.querySelector('.answer')).toBeNull()
  })

  it('takes response from the attribute over the text, and editable="false"', async () => {
    const el = await add(
      '<tightloop-feedback request-id="e5" response="raw" editable="false">shown</tightloop-feedback>',
    )
    byName(el.shadowRoot!, 'Not helpful').click()
    await settle()
    byName(el.shadowRoot!, 'Skip').click()
    await settle()
    expect(client.of('thumbsDown')[0]!.args.response).toBe('raw')
    expect(() => byName(el.shadowRoot!, 'Edit answer')).toThrow()
  })

  it('keeps its state when the host re-renders it from scratch', async () => {
    const el = await add('<tightloop-feedback request-id="e6">x</tightloop-feedback>')
    byName(el.shadowRoot!, 'Helpful').click()
    await settle()
    el.remove()
    const again = await add('<tightloop-feedback request-id="e6">x</tightloop-feedback>')
    expect(byName(again.shadowRoot!, 'Helpful').getAttribute('aria-pressed')).toBe('true')
  })

  it('re-renders when request-id changes, and renders nothing without one', async () => {
    const el = await add('<tightloop-feedback>x</tightloop-feedback>')
    expect(el.shadowRoot!.querySelector('button')).toBeNull()
    el.setAttribute('request-id', 'e6')
    await settle()
    expect(byName(el.shadowRoot!, 'Helpful').getAttribute('aria-pressed')).toBe('true')
    el.setAttribute('request-id', 'e7')
    await settle()
    expect(byName(el.shadowRoot!, 'Helpful').getAttribute('aria-pressed')).toBe('false')
  })

  it('<tightloop-csat> sends the score', async () => {
    const el = await add('<tightloop-csat request-id="conv_2" theme="dark"></tightloop-csat>')
    byName(el.shadowRoot!, '5: Very satisfied').click()
    await settle()
    expect(client.of('csat')[0]!.args).toMatchObject({ requestId: 'conv_2', score: 5 })
  })

  it('<tightloop-escalate> calls onEscalate and dispatches a composed event', async () => {
    const el = await add('<tightloop-escalate request-id="e8"></tightloop-escalate>')
    const viaProperty: string[] = []
    const viaEvent: EscalateEventDetail[] = []
    el.onEscalate = (reason) => viaProperty.push(reason)
    document.addEventListener('tightloop-escalate', (e) =>
      viaEvent.push((e as CustomEvent<EscalateEventDetail>).detail),
    )
    const root = el.shadowRoot!
    byName(root, 'Talk to a person').click()
    await settle()
    const select = root.querySelector('select')!
    select.value = 'wrong_answer'
    select.dispatchEvent(new Event('change', { bubbles: true }))
    await settle()
    byName(root, 'Send').click()
    await settle()
    expect(client.of('escalate')[0]!.args).toMatchObject({
      requestId: 'e8',
      reason: 'wrong_answer',
    })
    expect(viaProperty).toEqual(['wrong_answer'])
    expect(viaEvent).toEqual([{ reason: 'wrong_answer', requestId: 'e8' }])
  })

  it('<tightloop-escalate agent> is the agent-console picker', async () => {
    const el = await add('<tightloop-escalate request-id="e9" agent></tightloop-escalate>')
    expect(el.shadowRoot!.querySelector('select')).not.toBeNull()
    expect(() => byName(el.shadowRoot!, 'Talk to a person')).toThrow()
  })

  it('follows widget.setLabels in every element', async () => {
    const el = await add('<tightloop-feedback request-id="e10">x</tightloop-feedback>')
    widget.setLabels('de')
    await settle()
    expect(byName(el.shadowRoot!, 'Nicht hilfreich')).toBeTruthy()
    widget.setLabels('en')
  })
})

describe('answer text', () => {
  it('CSAT and escalation send only the response attribute, never the text around them', async () => {
    const holder = await add(
      '<div>End chat <tightloop-escalate request-id="t1"></tightloop-escalate></div>',
    )
    const el = holder.querySelector('tightloop-escalate')!
    const root = el.shadowRoot!
    byName(root, 'Talk to a person').click()
    await settle()
    const select = root.querySelector('select')!
    select.value = 'other'
    select.dispatchEvent(new Event('change', { bubbles: true }))
    await settle()
    byName(root, 'Send').click()
    await settle()
    expect(client.of('escalate')[0]!.args.response).toBeUndefined()
  })
})
