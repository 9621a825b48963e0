// The Slack format against Slack's own published types (@slack/types, the Node SDK's): the
// assignment below is checked by the typecheck step, the limits here at run time.
import type { KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types'
import { describe, expect, it } from 'vitest'
import type { WebhookEvent } from './event.ts'
import { toSlackMessage } from './slack.ts'

/** Slack's limit on a section's text (SectionBlock's documentation: 1 to 3,000 characters). */
const SECTION_TEXT_MAX = 3_000

function event(type: WebhookEvent['type'], data: Record<string, unknown>): WebhookEvent {
  return { id: 'ev-1', type, projectId: 'prj_1', createdAt: '2026-12-06T00:00:00.000Z', data }
}

/** An incoming webhook's body as Slack's SDK types it: fallback text and known blocks. */
function asSlackBody(e: WebhookEvent): { text: string; blocks: KnownBlock[] } {
  return toSlackMessage(e)
}

describe('Slack messages', () => {
  it('is a text fallback and one mrkdwn section, as Slack documents an incoming webhook body', () => {
    const body = asSlackBody(
      event('escalation', { reason: 'wrong_answer', requestId: 'req-1', prompt: 'Hi <b>&' }),
    )
    expect(body.text).toBe('tightloop: A user asked for a person (wrong_answer)')
    const section = body.blocks[0] as SectionBlock
    expect(section.type).toBe('section')
    const text = section.text as MrkdwnElement
    expect(text.type).toBe('mrkdwn')
    // Slack's three control characters escaped, so user text cannot mention or link.
    expect(text.text).toContain('Hi &lt;b&gt;&amp;')
  })

  it('keeps a section within 3,000 characters whatever the user wrote', () => {
    const hostile = '<&>'.repeat(5_000)
    for (const type of ['escalation', 'low_csat'] as const) {
      const body = asSlackBody(
        event(type, {
          reason: hostile,
          csat: 1,
          comment: hostile,
          prompt: hostile,
          response: hostile,
        }),
      )
      const text = (body.blocks[0] as SectionBlock).text!.text
      expect(text.length).toBeGreaterThan(0)
      expect(text.length).toBeLessThanOrEqual(SECTION_TEXT_MAX)
      // A cut never leaves half an entity behind.
      expect(text).not.toMatch(/&(a|am|l|g|lt|gt|amp)?(?![a-z;])…/)
    }
  })

  it('names an alert and a waiting queue by their message', () => {
    const alert = asSlackBody(event('alert', { message: 'meanLength fell 2.8σ' }))
    expect(alert.text).toBe('tightloop: Alert: meanLength fell 2.8σ')
    const queue = asSlackBody(event('review_pending', { message: '40 items wait for review' }))
    expect(queue.text).toBe('tightloop: Reviews are waiting: 40 items wait for review')
  })
})
