// axe-core in a page under test. The pages send a strict Content-Security-Policy, which refuses
// an injected <script>, so axe's source is evaluated through the DevTools protocol instead.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url))

interface AxeResult {
  violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[]
}

/** Runs axe-core in the page (open shadow roots included) and returns its violations. */
export async function axeViolations(page: Page) {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.evaluate(readFileSync(AXE, 'utf8'))
  }
  return page.evaluate(async () => {
    type Axe = { run: (context: unknown, options: unknown) => Promise<AxeResult> }
    const { axe } = window as unknown as { axe: Axe }
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }))
  })
}
