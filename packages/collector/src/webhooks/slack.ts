// Slack incoming-webhook messages: `text` (the notification's fallback) and one mrkdwn section.
import type { WebhookEvent } from './event.ts'

/** A Slack incoming-webhook message body. */
export interface SlackMessage {
  text: string
  blocks: { type: 'section'; text: { type: 'mrkdwn'; text: string } }[]
}

const MAX_QUOTE_CHARS = 500 // a Slack section holds 3,000 characters; quotes stay short

/** Slack's three control characters, escaped as its docs require. */
const escapeMrkdwn = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

const quote = (label: string, value: unknown) =>
  typeof value === 'string' && value !== ''
    ? `\n*${label}:* ${escapeMrkdwn(value.length > MAX_QUOTE_CHARS ? `${value.slice(0, MAX_QUOTE_CHARS)}…` : value)}`
    : ''

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
      ? ` (${escapeMrkdwn(String(d.reason))})`
      : event.type === 'low_csat'
        ? ` (${String(d.csat)}/5)`
        : typeof d.message === 'string'
          ? `: ${escapeMrkdwn(d.message)}`
          : ''
  const text = `tightloop: ${TITLES[event.type]}${detail}`
  const body =
    `*${TITLES[event.type]}*${detail}\nProject \`${escapeMrkdwn(event.projectId)}\`` +
    (typeof d.requestId === 'string' ? `, request \`${escapeMrkdwn(d.requestId)}\`` : '') +
    quote('Comment', d.comment) +
    quote('Prompt', d.prompt) +
    quote('Answer', d.response)
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: body } }] }
}
