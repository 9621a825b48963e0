// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Escalate } from './escalate.tsx'
import { LANGUAGES } from './languages.ts'
import {
  byName,
  focused,
  memoryLocalStorage,
  press,
  recordingClient,
  settle,
} from './test-support.ts'
import { createWidget, loadEscalationReasons, type WidgetOptions } from './widget.ts'

let host: HTMLElement
let client: ReturnType<typeof recordingClient>
let storage: ReturnType<typeof memoryLocalStorage>
let escalatedWith: string[]
const answer = { requestId: 'req_9', prompt: 'Refund?', response: 'No refunds.' }

const mount = (options: Partial<WidgetOptions> & { agent?: boolean } = {}) => {
  const { agent, ...rest } = options
  const widget = createWidget({ client, key: 'pk_test', storage, languages: LANGUAGES, ...rest })
  render(
    <Escalate
      widget={widget}
      answer={answer}
      agent={agent}
      onEscalate={(r) => escalatedWith.push(r)}
    />,
    host,
  )
  return widget
}
const select = () => host.querySelector('select')!
const choose = (value: string) => {
  select().value = value
  select().dispatchEvent(new Event('change', { bubbles: true }))
}

beforeEach(() => {
  client = recordingClient()
  storage = memoryLocalStorage()
  escalatedWith = []
  host = document.body.appendChild(document.createElement('div'))
})
afterEach(() => host.remove())

describe('Escalate', () => {
  it('"Talk to a person" opens the reason dropdown, focused, with the default reasons', async () => {
    mount()
    expect(select()).toBeNull()
    byName(host, 'Talk to a person').click()
    await settle()
    expect(focused()).toBe(select())
    expect(byName(host, 'Talk to a person').getAttribute('aria-expanded')).toBe('true')
    expect([...select().options].map((o) => o.value)).toEqual([
      '',
      'wrong_answer',
      'incomplete_answer',
      'needs_account_action',
      'policy_or_billing',
      'user_requested_human',
      'other',
    ])
    expect(select().closest('label')!.textContent).toContain('Why do you want to talk to a person?')
  })

  it('asks for a reason before sending', async () => {
    mount()
    byName(host, 'Talk to a person').click()
    await settle()
    byName(host, 'Send').click()
    await settle()
    expect(client.of('escalate')).toHaveLength(0)
    expect(select().getAttribute('aria-invalid')).toBe('true')
    expect(focused()).toBe(select())
  })

  it('sends agent_escalation with the reason and calls onEscalate', async () => {
    mount()
    byName(host, 'Talk to a person').click()
    await settle()
    choose('policy_or_billing')
    await settle()
    byName(host, 'Send').click()
    await settle()
    expect(client.of('escalate')).toEqual([
      { method: 'escalate', args: { ...answer, reason: 'policy_or_billing' } },
    ])
    expect(escalatedWith).toEqual(['policy_or_billing'])
    expect(host.querySelector('[role=status]')!.textContent).toBe(
      'A person will take over: A billing or policy question',
    )
  })

  it('Escape and Cancel close it with focus back on the button, sending nothing', async () => {
    mount()
    byName(host, 'Talk to a person').click()
    await settle()
    press(select(), 'Escape')
    await settle()
    expect(select()).toBeNull()
    expect(focused()).toBe(byName(host, 'Talk to a person'))
    byName(host, 'Talk to a person').click()
    await settle()
    byName(host, 'Cancel').click()
    await settle()
    expect(select()).toBeNull()
    expect(client.calls).toEqual([])
  })

  it('offers the project reasons loaded with the public key, labelled or spelled out', async () => {
    const urls: string[] = []
    const widget = mount({
      endpoint: 'https://c.example/',
      fetch: async (url) => {
        urls.push(url)
        return Response.json({ escalationReasons: ['wrong_answer', 'refund_request'] })
      },
    })
    await widget.ready
    byName(host, 'Talk to a person').click()
    await settle()
    expect(urls).toEqual(['https://c.example/v1/config?key=pk_test'])
    expect([...select().options].map((o) => o.textContent)).toEqual([
      'Choose a reason',
      'The answer was wrong',
      'refund request',
    ])
  })

  it('falls back to the default reasons when the collector cannot say', async () => {
    const failures = [
      async () => new Response('{"error":{}}', { status: 403 }),
      async () => {
        throw new TypeError('offline')
      },
      async () => Response.json({ escalationReasons: [] }),
      async () => new Response('not json'),
    ]
    for (const fetch of failures)
      expect(await loadEscalationReasons('https://c.example', 'pk_1', fetch)).toBeUndefined()
    const widget = mount({ endpoint: 'https://c.example', fetch: failures[1] })
    await widget.ready
    expect(widget.reasons.value).toContain('user_requested_human')
  })

  it('serves the agent console: the picker shows at once under its own label', async () => {
    mount({ agent: true })
    expect(() => byName(host, 'Talk to a person')).toThrow()
    expect(select().closest('label')!.textContent).toContain('Escalation reason')
    choose('wrong_answer')
    await settle()
    byName(host, 'Send').click()
    await settle()
    expect(client.of('escalate')[0]!.args.reason).toBe('wrong_answer')
  })

  it('remembers the escalation across a reload', async () => {
    mount()
    byName(host, 'Talk to a person').click()
    await settle()
    choose('other')
    await settle()
    byName(host, 'Send').click()
    await settle()
    render(null, host)
    mount({ lang: 'fr' })
    expect(host.querySelector('[role=status]')!.textContent).toBe(
      'Une personne va prendre le relais: Autre chose',
    )
  })
})
