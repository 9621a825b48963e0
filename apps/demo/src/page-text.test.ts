// @vitest-environment happy-dom
// The demo page's own words follow the language switch.
import { expect, it } from 'vitest'
import { applyPageText, pageText } from './page-text.ts'

it('rewrites every marked element in the chosen language and keeps the controls inside labels', () => {
  document.body.innerHTML = `
    <label><span data-text="language">Language</span><select id="lang"></select></label>
    <h2 data-text="chatTitle">Chat with our assistant</h2>
    <h3 data-text="faqCardQ">I lost my card</h3>`
  applyPageText(document, 'de')
  expect(document.querySelector('h2')!.textContent).toBe('Chat mit unserem Assistenten')
  expect(document.querySelector('h3')!.textContent).toBe('Ich habe meine Karte verloren')
  expect(document.querySelector('label span')!.textContent).toBe('Sprache')
  expect(document.querySelector('label select')).not.toBeNull()
  applyPageText(document, 'fr')
  expect(document.querySelector('h2')!.textContent).toBe('Discutez avec notre assistant')
  expect(pageText('xx')).toBe(pageText('en'))
  expect(pageText('fr').stopped('origin_not_allowed')).toBe('Envoi arrêté : origin_not_allowed')
})
