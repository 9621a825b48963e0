// The GenAI span mapping: both generations of the conventions, JSON-string and structured values.
import { describe, expect, it } from 'vitest'
import { spanAnswers } from './otlp-genai.ts'
import { readOtlpSpans } from './otlp-spans.ts'

type Value = string | number | boolean | Value[] | { [key: string]: Value }

/** A value in OTLP/JSON `AnyValue` form, as an exporter writes it. */
function otlp(value: Value): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value }
  if (typeof value === 'boolean') return { boolValue: value }
  if (typeof value === 'number')
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(otlp) } }
  return {
    kvlistValue: { values: Object.entries(value).map(([key, v]) => ({ key, value: otlp(v) })) },
  }
}

function request(...spans: Record<string, unknown>[]) {
  return {
    resourceSpans: [
      { resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans }] },
    ],
  }
}

function span(attributes: Record<string, Value>, extra: Record<string, unknown> = {}) {
  return {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name: 'chat gpt-4o',
    startTimeUnixNano: '1765000000000000000',
    endTimeUnixNano: '1765000001250000000',
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: otlp(value) })),
    ...extra,
  }
}

const answersOf = (...spans: Record<string, unknown>[]) =>
  spanAnswers(readOtlpSpans(request(...spans)))

const INPUT = [
  { role: 'user', parts: [{ type: 'text', content: 'How do I reset my PIN?' }] },
  { role: 'assistant', parts: [{ type: 'text', content: 'Which card?' }] },
  { role: 'user', parts: [{ type: 'text', content: 'The debit card.' }] },
]
const OUTPUT = [
  {
    role: 'assistant',
    parts: [{ type: 'text', content: 'Open Settings, then Security, then Reset PIN.' }],
    finish_reason: 'stop',
  },
]

describe('spanAnswers', () => {
  it('reads the current convention from JSON strings, with system instructions, model and times', () => {
    const [outcome] = answersOf(
      span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.response.id': 'chatcmpl-1',
        'tightloop.request_id': 'req-42',
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be brief.' }]),
        'gen_ai.input.messages': JSON.stringify(INPUT),
        'gen_ai.output.messages': JSON.stringify(OUTPUT),
      }),
    )
    expect(outcome).toEqual({
      answer: {
        requestId: 'req-42',
        prompt: 'The debit card.',
        response: 'Open Settings, then Security, then Reset PIN.',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'How do I reset my PIN?' },
          { role: 'assistant', content: 'Which card?' },
          { role: 'user', content: 'The debit card.' },
        ],
        modelVersion: 'gpt-4o-2024-08-06',
        createdAt: '2025-12-06T05:46:41.250Z',
        latencyMs: 1250,
      },
    })
  })

  it('reads the current convention from structured values (arrayValue/kvlistValue) the same way', () => {
    const [fromString] = answersOf(
      span({
        'gen_ai.response.id': 'r1',
        'gen_ai.input.messages': JSON.stringify(INPUT),
        'gen_ai.output.messages': JSON.stringify(OUTPUT),
      }),
    )
    const [structured] = answersOf(
      span({
        'gen_ai.response.id': 'r1',
        'gen_ai.input.messages': INPUT,
        'gen_ai.output.messages': OUTPUT,
      }),
    )
    expect(structured).toEqual(fromString)
    expect(structured).toMatchObject({ answer: { requestId: 'r1', prompt: 'The debit card.' } })
  })

  it('reads the older indexed gen_ai.prompt.N.* / gen_ai.completion.N.* attributes in index order', () => {
    const [outcome] = answersOf(
      span({
        'gen_ai.system': 'openai',
        'gen_ai.response.id': 'chatcmpl-9',
        'gen_ai.response.model': 'gpt-4o-mini',
        'gen_ai.prompt.10.role': 'user',
        'gen_ai.prompt.10.content': 'And the credit card?',
        'gen_ai.prompt.0.role': 'system',
        'gen_ai.prompt.0.content': 'Be brief.',
        'gen_ai.prompt.1.role': 'user',
        'gen_ai.prompt.1.content': '[{"type":"text","text":"How do I reset my PIN?"}]',
        'gen_ai.prompt.2.role': 'assistant',
        'gen_ai.prompt.2.content': 'In Settings.',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': 'The same way, under Cards.',
        'gen_ai.completion.0.finish_reason': 'stop',
      }),
    )
    expect(outcome).toMatchObject({
      answer: {
        requestId: 'chatcmpl-9',
        prompt: 'And the credit card?',
        response: 'The same way, under Cards.',
        modelVersion: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'How do I reset my PIN?' },
          { role: 'assistant', content: 'In Settings.' },
          { role: 'user', content: 'And the credit card?' },
        ],
      },
    })
  })

  it('keeps a user message that merely looks like JSON as text', () => {
    const [outcome] = answersOf(
      span({
        'gen_ai.response.id': 'r',
        'gen_ai.prompt.0.content': '[1, 2]',
        'gen_ai.completion.0.content': 'A list.',
      }),
    )
    expect(outcome).toMatchObject({ answer: { prompt: '[1, 2]', response: 'A list.' } })
  })

  it('takes tightloop.request_id from an ancestor in the same request before gen_ai.response.id', () => {
    const parent = span(
      { 'tightloop.request_id': 'req-page', 'http.route': '/chat' },
      { spanId: 'aaaaaaaaaaaaaaaa' },
    )
    const child = span(
      {
        'gen_ai.response.id': 'chatcmpl-2',
        'gen_ai.prompt.0.content': 'Hi',
        'gen_ai.completion.0.content': 'Hello.',
      },
      { spanId: 'bbbbbbbbbbbbbbbb', parentSpanId: 'aaaaaaaaaaaaaaaa' },
    )
    const outcomes = answersOf(child, parent)
    expect(outcomes[0]).toMatchObject({ answer: { requestId: 'req-page' } })
    expect(outcomes[1]).toEqual({ skip: 'not_genai' })
  })

  it('skips a span without any request id, and says why', () => {
    expect(
      answersOf(span({ 'gen_ai.prompt.0.content': 'Hi', 'gen_ai.completion.0.content': 'Hello.' })),
    ).toEqual([{ skip: 'no_request_id' }])
  })

  it('tells spans without GenAI content apart from chat spans whose content was not captured', () => {
    expect(
      answersOf(
        span({ 'http.route': '/chat' }),
        span({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.response.id': 'e' }),
        span({ 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': 'c' }),
        span({ 'gen_ai.response.id': 'c', 'gen_ai.input.messages': JSON.stringify(INPUT) }),
        span({ 'gen_ai.response.id': 'c', 'gen_ai.completion.0.content': 'No question asked.' }),
      ),
    ).toEqual([
      { skip: 'not_genai' },
      { skip: 'not_genai' },
      { skip: 'no_content' },
      { skip: 'no_response' },
      { skip: 'no_prompt' },
    ])
  })

  it("skips an agent's step that only called tools, in both generations", () => {
    const toolCall = [
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'c1', name: 'freeze_card', arguments: {} }],
        finish_reason: 'tool_call',
      },
    ]
    expect(
      answersOf(
        span({
          'gen_ai.response.id': 'a',
          'gen_ai.input.messages': JSON.stringify(INPUT),
          'gen_ai.output.messages': JSON.stringify(toolCall),
        }),
        span({
          'gen_ai.response.id': 'b',
          'gen_ai.prompt.0.content': 'Freeze my card.',
          'gen_ai.completion.0.finish_reason': 'tool_calls',
          'gen_ai.completion.0.tool_calls.0.name': 'freeze_card',
        }),
      ),
    ).toEqual([{ skip: 'tool_call' }, { skip: 'tool_call' }])
  })
})
