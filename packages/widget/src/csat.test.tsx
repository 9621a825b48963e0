// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Csat } from './csat.tsx'
import { LANGUAGES } from './languages.ts'
import { byName, memoryLocalStorage, recordingClient, settle } from './test-support.ts'
import { createWidget } from './widget.ts'

let host: HTMLElement
let client: ReturnType<typeof recordingClient>
let storage: ReturnType<typeof memoryLocalStorage>
const mount = (lang?: string) =>
  render(
    <Csat
      widget={createWidget({ client, key: 'pk_test', storage, lang, languages: LANGUAGES })}
      answer={{ requestId: 'conv_1' }}
    />,
    host,
  )

beforeEach(() => {
  client = recordingClient()
  storage = memoryLocalStorage()
  host = document.body.appendChild(document.createElement('div'))
})
afterEach(() => host.remove())

describe('Csat', () => {
  it('asks the question as the group name and offers five named scores', () => {
    mount()
    expect(host.querySelector('legend')!.textContent).toBe(
      'How satisfied are you with this conversation?',
    )
    const names = [...host.querySelectorAll('button')].map((b) => b.getAttribute('aria-label'))
    expect(names).toEqual([
      '1: Very dissatisfied',
      '2: Dissatisfied',
      '3: Neutral',
      '4: Satisfied',
      '5: Very satisfied',
    ])
  })

  it('sends one csat event with the score, then holds the rating', async () => {
    mount()
    byName(host, '4: Satisfied').click()
    await settle()
    expect(client.of('csat')).toEqual([
      {
        method: 'csat',
        args: { requestId: 'conv_1', prompt: undefined, response: undefined, score: 4 },
      },
    ])
    expect(byName(host, '4: Satisfied').getAttribute('aria-pressed')).toBe('true')
    expect(byName(host, '2: Dissatisfied').getAttribute('aria-disabled')).toBe('true')
    expect(host.querySelector('[role=status]')!.textContent).toBe('Thanks for rating us')
    byName(host, '2: Dissatisfied').click()
    await settle()
    expect(client.of('csat')).toHaveLength(1)
  })

  it('shows the rating after a reload', async () => {
    mount()
    byName(host, '1: Very dissatisfied').click()
    await settle()
    render(null, host)
    mount()
    expect(byName(host, '1: Very dissatisfied').getAttribute('aria-pressed')).toBe('true')
  })

  it('is translated', () => {
    mount('de')
    expect(byName(host, '5: Sehr zufrieden')).toBeTruthy()
  })
})
