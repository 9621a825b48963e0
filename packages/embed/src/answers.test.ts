// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type AnswerWatcher, watchAnswers } from './answers.ts'

let page: HTMLElement
let watcher: AnswerWatcher
let theme: string | undefined
// Bars mount in slices, one per task: a few turns of the event loop let them all land.
const tick = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}
const barsOf = (el: Element) => [...el.children].filter((c) => c.localName === 'tightloop-feedback')

beforeEach(() => {
  theme = undefined
  page = document.body.appendChild(document.createElement('main'))
  page.innerHTML = `
    <div id="a" data-tightloop-request-id="r1" data-tightloop-prompt="Fees?">The fee is 2 %.</div>
    <div id="b">no answer here</div>`
  watcher = watchAnswers(page, { theme: () => theme })
})
afterEach(() => {
  watcher.disconnect()
  page.remove()
})

describe('watchAnswers', () => {
  it('gives each marked answer one bar carrying its request id and prompt, at once', () => {
    const bar = barsOf(page.querySelector('#a')!)
    expect(bar).toHaveLength(1)
    expect(bar[0]!.getAttribute('request-id')).toBe('r1')
    expect(bar[0]!.getAttribute('prompt')).toBe('Fees?')
    expect(bar[0]!.getAttribute('response')).toBe('The fee is 2 %.')
    expect(barsOf(page.querySelector('#b')!)).toHaveLength(0)
  })

  it('bars answers appended after load, nested ones too, each once', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = document.createElement('article')
      answer.setAttribute('data-tightloop-request-id', `late_${i}`)
      answer.setAttribute('data-tightloop-response', `raw ${i}`)
      answer.textContent = `Answer ${i}`
      page.append(answer)
    }
    const wrapper = document.createElement('section')
    wrapper.innerHTML = '<p data-tightloop-request-id="nested">deep</p>'
    page.append(wrapper)
    await tick()
    const late = page.querySelectorAll('[data-tightloop-request-id^=late_]')
    expect(late).toHaveLength(5)
    for (const [i, answer] of [...late].entries()) {
      expect(barsOf(answer)).toHaveLength(1)
      expect(barsOf(answer)[0]!.getAttribute('response')).toBe(`raw ${i}`)
    }
    expect(barsOf(wrapper.firstElementChild!)).toHaveLength(1)
    watcher.refresh()
    expect(barsOf(late[0]!)).toHaveLength(1)
  })

  it('follows attribute changes and marks added to existing elements', async () => {
    const a = page.querySelector('#a')!
    a.setAttribute('data-tightloop-request-id', 'r2')
    a.removeAttribute('data-tightloop-prompt')
    const b = page.querySelector('#b')!
    b.setAttribute('data-tightloop-request-id', 'r3')
    await tick()
    expect(barsOf(a)[0]!.getAttribute('request-id')).toBe('r2')
    expect(barsOf(a)[0]!.hasAttribute('prompt')).toBe(false)
    expect(barsOf(b)[0]!.getAttribute('request-id')).toBe('r3')
  })

  it('puts the bar back when the host re-renders the answer content', async () => {
    const a = page.querySelector('#a')!
    a.textContent = 'The fee is 3 %.' // removes every child, the bar included
    await tick()
    expect(barsOf(a)).toHaveLength(1)
    expect(a.textContent).toBe('The fee is 3 %.')
  })

  it('sets the theme on new bars and on refresh', async () => {
    theme = 'dark'
    const answer = document.createElement('div')
    answer.setAttribute('data-tightloop-request-id', 'r9')
    page.append(answer)
    await tick()
    expect(barsOf(answer)[0]!.getAttribute('theme')).toBe('dark')
    expect(barsOf(page.querySelector('#a')!)[0]!.hasAttribute('theme')).toBe(false)
    watcher.refresh()
    expect(barsOf(page.querySelector('#a')!)[0]!.getAttribute('theme')).toBe('dark')
  })

  it('mounts a long page in slices of a few milliseconds, every answer in the end', async () => {
    const many = Array.from(
      { length: 400 },
      (_, i) => `<div data-tightloop-request-id="m${i}">Answer ${i}</div>`,
    ).join('')
    page.insertAdjacentHTML('beforeend', many)
    const barred = () =>
      page.querySelectorAll('[data-tightloop-request-id^=m] > tightloop-feedback')
    const turn = () => new Promise((resolve) => setTimeout(resolve, 0))
    while (barred().length === 0) await turn()
    const firstSlice = barred().length
    for (let i = 0; i < 400 && barred().length < 400; i++) await turn()
    expect(barred()).toHaveLength(400)
    expect(firstSlice).toBeLessThan(400) // not all in one task
  })

  it('stops after disconnect', async () => {
    watcher.disconnect()
    const answer = document.createElement('div')
    answer.setAttribute('data-tightloop-request-id', 'r10')
    page.append(answer)
    await tick()
    expect(barsOf(answer)).toHaveLength(0)
  })

  it('sends a FAQ card as its clean rendered text: no repeated heading, no raw indentation', async () => {
    const card = document.createElement('article')
    card.setAttribute('data-tightloop-request-id', 'faq-card-lost')
    card.setAttribute('data-tightloop-prompt', 'I lost my card')
    card.innerHTML = `
          <h3>I lost my card</h3>
          <p>Freeze it in the app under <b>Cards</b>.</p>
          <p>Then   order a replacement.</p><script>track()</script>`
    page.append(card)
    await tick()
    const bar = barsOf(card)[0]!
    expect(bar.getAttribute('response')).toBe(
      'Freeze it in the app under Cards. Then order a replacement.',
    )
    // Text streaming in later is read again; the page's own attribute wins.
    card.querySelector('p')!.append(' Call us if it was stolen.')
    await tick()
    expect(bar.getAttribute('response')).toContain('under Cards. Call us if it was stolen. Then')
    card.setAttribute('data-tightloop-response', 'The answer as the bot sent it.')
    await tick()
    expect(bar.getAttribute('response')).toBe('The answer as the bot sent it.')
  })
})
