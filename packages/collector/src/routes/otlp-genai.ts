// Turns GenAI spans into answer-log entries, after the OpenTelemetry semantic conventions.
import { CHAT_ROLES, type ChatMessage } from '@tightloop/schema'
import { isObject, type OtlpSpan } from './otlp-spans.ts'

/** An answer read from a span, not yet validated against `loggedAnswerSchema`. */
export interface SpanAnswer {
  requestId: string
  prompt: string
  response: string
  messages?: ChatMessage[]
  modelVersion?: string
  productVersion?: string
  latencyMs?: number
  createdAt?: string
}

/**
 * Why a span gave no answer: not a GenAI span at all, an agent step that called tools instead
 * of answering, or a GenAI span that cannot be logged.
 */
export type SpanSkip =
  | 'not_genai'
  | 'tool_call'
  | 'no_content'
  | 'no_prompt'
  | 'no_response'
  | 'no_request_id'

/** The attribute that carries the id the page marks the answer with (`request-id`). */
export const REQUEST_ID_ATTRIBUTE = 'tightloop.request_id'
const PRODUCT_VERSION_ATTRIBUTE = 'tightloop.product_version'
const MAX_ANCESTORS = 64 // parent hops followed looking for tightloop.* (guards a cycle)
const NS_PER_MS = 1_000_000n
/** Operations whose spans should carry message content; others (embeddings, tools) are skipped. */
const CONTENT_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content'])
const ROLE_ALIASES: Record<string, ChatMessage['role']> = {
  model: 'assistant',
  ai: 'assistant',
  human: 'user',
}

/**
 * The answer each span logs, or why it logs none. The request id is the span's
 * `tightloop.request_id`, else the nearest ancestor's in the same request, else
 * `gen_ai.response.id`.
 *
 * @example spanAnswers(readOtlpSpans(json)) // [{ answer: {requestId, prompt, response, …} }, { skip: 'not_genai' }]
 */
export function spanAnswers(
  spans: readonly OtlpSpan[],
): ({ answer: SpanAnswer } | { skip: SpanSkip })[] {
  const byId = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]))
  const inherited = (span: OtlpSpan, key: string): unknown => {
    let current: OtlpSpan | undefined = span
    for (let hops = 0; current && hops <= MAX_ANCESTORS; hops++) {
      const value = current.attributes.get(key)
      if (typeof value === 'string' && value !== '') return value
      current = current.parentSpanId
        ? byId.get(`${current.traceId}/${current.parentSpanId}`)
        : undefined
    }
    return undefined
  }
  return spans.map((span) => {
    const read = readGenAiContent(span.attributes)
    if ('skip' in read) return read
    const requestId =
      inherited(span, REQUEST_ID_ATTRIBUTE) ?? span.attributes.get('gen_ai.response.id')
    if (typeof requestId !== 'string' || requestId === '') return { skip: 'no_request_id' }
    const answer: SpanAnswer = { requestId, ...read.content }
    const model =
      span.attributes.get('gen_ai.response.model') ?? span.attributes.get('gen_ai.request.model')
    if (typeof model === 'string' && model !== '') answer.modelVersion = model
    const productVersion = inherited(span, PRODUCT_VERSION_ATTRIBUTE)
    if (typeof productVersion === 'string') answer.productVersion = productVersion
    if (span.endNs !== undefined && span.endNs > 0n) {
      answer.createdAt = new Date(Number(span.endNs / NS_PER_MS)).toISOString()
      if (span.startNs !== undefined && span.startNs > 0n && span.endNs >= span.startNs) {
        answer.latencyMs = Number((span.endNs - span.startNs) / NS_PER_MS)
      }
    }
    return { answer }
  })
}

type Content = Pick<SpanAnswer, 'prompt' | 'response' | 'messages'>

/**
 * Prompt, answer and conversation from either generation of the GenAI conventions: the
 * current `gen_ai.input.messages` / `gen_ai.output.messages` (+ `gen_ai.system_instructions`)
 * or the older indexed `gen_ai.prompt.N.*` / `gen_ai.completion.N.*`. Text parts only.
 */
export function readGenAiContent(
  attributes: Map<string, unknown>,
): { content: Content } | { skip: SpanSkip } {
  let genAi = false
  for (const key of attributes.keys()) if (key.startsWith('gen_ai.')) genAi = true
  if (!genAi) return { skip: 'not_genai' }

  const input = attributes.has('gen_ai.input.messages')
    ? currentMessages(attributes.get('gen_ai.input.messages'))
    : indexedMessages(attributes, 'gen_ai.prompt.')
  const output = attributes.has('gen_ai.output.messages')
    ? currentMessages(attributes.get('gen_ai.output.messages'))
    : indexedMessages(attributes, 'gen_ai.completion.')
  if (input.length === 0 && output.length === 0) {
    const operation = attributes.get('gen_ai.operation.name')
    return {
      skip:
        typeof operation === 'string' && CONTENT_OPERATIONS.has(operation)
          ? 'no_content'
          : 'not_genai',
    }
  }
  const system = textOf(parse(attributes.get('gen_ai.system_instructions')))
  const messages = system ? [{ role: 'system' as const, content: system }, ...input] : input
  const prompt = messages.findLast((m) => m.role === 'user')?.content
  if (!prompt) return { skip: 'no_prompt' }
  const response = (output.find((m) => m.role === 'assistant') ?? output[0])?.content
  if (!response) return { skip: calledTools(attributes) ? 'tool_call' : 'no_response' }
  return { content: { prompt, response, messages } }
}

/** True when the model answered with tool calls only: an agent's step, not an answer to show. */
function calledTools(attributes: Map<string, unknown>): boolean {
  const output = parse(attributes.get('gen_ai.output.messages'))
  if (Array.isArray(output)) {
    return output.some(
      (m) =>
        isObject(m) &&
        Array.isArray(m.parts) &&
        m.parts.some((p) => isObject(p) && p.type === 'tool_call'),
    )
  }
  for (const [key, value] of attributes) {
    if (/^gen_ai\.completion\.\d+\.tool_calls\./.test(key)) return true
    if (/^gen_ai\.completion\.\d+\.finish_reason$/.test(key) && value === 'tool_calls') return true
  }
  return false
}

/** `[{role, parts: [{type: "text", content}]}]`, as a JSON string or a structured value. */
function currentMessages(value: unknown): ChatMessage[] {
  const parsed = parse(value)
  if (!Array.isArray(parsed)) return []
  return parsed.flatMap((m) => {
    if (!isObject(m)) return []
    const role = chatRole(m.role)
    const content = textOf(m.parts ?? m.content)
    return role && content ? [{ role, content }] : []
  })
}

/** `gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, `gen_ai.prompt.1.…` in index order. */
function indexedMessages(attributes: Map<string, unknown>, prefix: string): ChatMessage[] {
  const indexes = new Set<number>()
  for (const key of attributes.keys()) {
    if (!key.startsWith(prefix)) continue
    const index = Number(key.slice(prefix.length).split('.')[0])
    if (Number.isSafeInteger(index) && index >= 0) indexes.add(index)
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .flatMap((i) => {
      const role = chatRole(
        attributes.get(`${prefix}${i}.role`) ??
          (prefix === 'gen_ai.completion.' ? 'assistant' : 'user'),
      )
      const content = textOf(parse(attributes.get(`${prefix}${i}.content`), true))
      return role && content ? [{ role, content }] : []
    })
}

function chatRole(value: unknown): ChatMessage['role'] | undefined {
  if (typeof value !== 'string') return undefined
  const role = value.toLowerCase()
  if ((CHAT_ROLES as readonly string[]).includes(role)) return role as ChatMessage['role']
  return ROLE_ALIASES[role]
}

/** The text of a string, or of a list of parts (`{type: "text", content}` or `{type: "text", text}`). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (!Array.isArray(value)) return ''
  return value
    .map((part) => {
      if (typeof part === 'string') return part
      if (!isObject(part) || (part.type !== undefined && part.type !== 'text')) return ''
      const text = part.content ?? part.text
      return typeof text === 'string' ? text : ''
    })
    .join('')
}

/**
 * A JSON string decoded (instrumentations often serialize messages); with `partsOnly`, only a
 * string that holds a list of typed parts is decoded, so a user's text that happens to be JSON
 * stays text.
 */
function parse(value: unknown, partsOnly = false): unknown {
  if (typeof value !== 'string') return value
  const trimmed = value.trimStart()
  if (
    !(partsOnly ? trimmed.startsWith('[{') : trimmed.startsWith('[') || trimmed.startsWith('{'))
  ) {
    return value
  }
  try {
    const parsed: unknown = JSON.parse(value)
    if (
      partsOnly &&
      !(Array.isArray(parsed) && parsed.every((p) => isObject(p) && typeof p.type === 'string'))
    ) {
      return value
    }
    return parsed
  } catch {
    return value
  }
}
