// Reads OTLP/JSON trace requests and turns GenAI spans into answer-log entries (semantic conventions).
import { CHAT_ROLES, type ChatMessage } from '@tightloop/schema'
import { CollectorError } from '../errors.ts'

/** One span of a request, its attributes decoded to plain values. */
export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId: string
  attributes: Map<string, unknown>
  startNs?: bigint | undefined
  endNs?: bigint | undefined
}

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

/** Why a span gave no answer: not a GenAI span at all, or a GenAI span that cannot be logged. */
export type SpanSkip = 'not_genai' | 'no_content' | 'no_prompt' | 'no_response' | 'no_request_id'

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

const badShape = (where: string) =>
  new CollectorError(400, 'invalid_body', `Not an OTLP/JSON trace request: ${where}`)

/**
 * Every span of an OTLP/JSON `ExportTraceServiceRequest`, or 400 when the envelope is not one.
 *
 * @example readOtlpSpans({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] })
 */
export function readOtlpSpans(body: unknown): OtlpSpan[] {
  if (!isObject(body)) throw badShape('the body is not an object')
  const spans: OtlpSpan[] = []
  for (const resource of list(body.resourceSpans, 'resourceSpans')) {
    if (!isObject(resource)) throw badShape('a resourceSpans entry is not an object')
    for (const scope of list(resource.scopeSpans, 'scopeSpans')) {
      if (!isObject(scope)) throw badShape('a scopeSpans entry is not an object')
      for (const span of list(scope.spans, 'spans')) {
        if (!isObject(span)) throw badShape('a span is not an object')
        spans.push({
          traceId: optionalString(span.traceId, 'traceId'),
          spanId: optionalString(span.spanId, 'spanId'),
          parentSpanId: optionalString(span.parentSpanId, 'parentSpanId'),
          attributes: readAttributes(span.attributes),
          startNs: readNanos(span.startTimeUnixNano),
          endNs: readNanos(span.endTimeUnixNano),
        })
      }
    }
  }
  return spans
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
  if (!response) return { skip: 'no_response' }
  return { content: { prompt, response, messages } }
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

function readAttributes(value: unknown): Map<string, unknown> {
  const attributes = new Map<string, unknown>()
  for (const kv of list(value, 'attributes')) {
    if (!isObject(kv) || typeof kv.key !== 'string')
      throw badShape('an attribute has no string key')
    attributes.set(kv.key, anyValue(kv.value))
  }
  return attributes
}

/** An OTLP `AnyValue` as a plain value: arrays and key-value lists become arrays and objects. */
export function anyValue(value: unknown, depth = 0): unknown {
  if (!isObject(value) || depth > 32) return undefined
  if ('stringValue' in value) return value.stringValue
  if ('boolValue' in value) return value.boolValue
  if ('intValue' in value) return Number(value.intValue)
  if ('doubleValue' in value) return Number(value.doubleValue)
  if (isObject(value.arrayValue)) {
    const values = value.arrayValue.values
    return Array.isArray(values) ? values.map((v) => anyValue(v, depth + 1)) : []
  }
  if (isObject(value.kvlistValue)) {
    const values = value.kvlistValue.values
    const object: Record<string, unknown> = {}
    if (Array.isArray(values)) {
      for (const kv of values) {
        if (isObject(kv) && typeof kv.key === 'string')
          object[kv.key] = anyValue(kv.value, depth + 1)
      }
    }
    return object
  }
  return undefined
}

/** `startTimeUnixNano` as OTLP/JSON writes it: a decimal string (or a number from some encoders). */
function readNanos(value: unknown): bigint | undefined {
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value)
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return BigInt(Math.trunc(value))
  }
  if (value === undefined || value === null) return undefined
  throw badShape('a span time is not a number of nanoseconds')
}

function list(value: unknown, name: string): unknown[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw badShape(`${name} is not an array`)
  return value
}

function optionalString(value: unknown, name: string): string {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw badShape(`${name} is not a string`)
  return value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
