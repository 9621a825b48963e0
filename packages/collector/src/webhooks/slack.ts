// Slack incoming-webhook messages: `text` (the notification's fallback) and one mrkdwn section.
import type { WebhookEvent } from './event.ts'

/** A Slack incoming-webhook message body. */
export interface SlackMessage {
  text: string
  blocks: { type: 'section'; text: { type: 'mrkdwn'; text: string } }[]
}

const MAX_QUOTE_CHARS = 500 // a Slack section holds 3,000 characters; quotes stay short
// With the title (300), project (100) and request (200), the section stays under 2,300.
const MAX_DETAIL_CHARS = 300

/** Slack's three control characters, escaped as its docs require. */
const escapeMrkdwn = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/** Escaped, then cut to `max` characters with an ellipsis, never inside an entity. */
function clip(value: string, max: number): string {
  const escaped = escapeMrkdwn(value)
  if (escaped.length <= max) return escaped
  return `${escaped.slice(0, max - 1).replace(/&[a-z]*$/, '')}…`
}

const quote = (label: string, value: unknown) =>
  typeof value === 'string' && value !== '' ? `\n*${label}:* ${clip(value, MAX_QUOTE_CHARS)}` : ''

const TITLES: Record<WebhookEvent['type'], string> = {
  alert: 'Alert',
  escalation: 'A user asked for a person',
  low_csat: 'Low satisfaction score',
  user_flagged: 'A user was flagged',
  review_pending: 'Reviews are waiting',
}

/**
 * The Slack message of a webhook event.
 *
 * @example toSlackMessage(event).text // 'tightloop: A user asked for a person (wrong_answer)'
 */
export function toSlackMessage(event: WebhookEvent): SlackMessage {
  const d = event.data as Record<string, unknown>
  const detail =
    event.type === 'escalation'
      ? ` (${clip(String(d.reason), MAX_DETAIL_CHARS)})`
      : event.type === 'low_csat'
        ? ` (${String(d.csat)}/5)`
        : typeof d.message === 'string'
          ? `: ${clip(d.message, MAX_DETAIL_CHARS)}`
          : ''
  const text = `tightloop: ${TITLES[event.type]}${detail}`
  const body =
    `*${TITLES[event.type]}*${detail}\nProject \`${clip(event.projectId, 100)}\`` +
    (typeof d.requestId === 'string' ? `, request \`${clip(d.requestId, 200)}\`` : '') +
    quote('Comment', d.comment) +
    quote('Prompt', d.prompt) +
    quote('Answer', d.response)
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: body } }] }
}
