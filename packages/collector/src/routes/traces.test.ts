// POST /v1/traces on the real collector: OTLP responses, and bad input that stores nothing.
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCollector, type TestCollector } from '../testing.ts'

let collector: TestCollector
beforeAll(async () => {
  collector = await startTestCollector()
})
afterAll(async () => collector.close())

const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } })

/** An OTLP/JSON request of GenAI spans in the older indexed form, one per request id. */
function traces(...requestIds: (string | null)[]) {
  const spans = requestIds.map((id, i) => ({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: `b7ad6b716920333${i}`,
    name: 'openai.chat',
    attributes: [
      ...(id === null ? [] : [attribute('tightloop.request_id', id)]),
      attribute('gen_ai.prompt.0.content', 'How do I reset my PIN?'),
      attribute('gen_ai.completion.0.content', `Open Settings, then Security (${id}).`),
    ],
  }))
  return { resourceSpans: [{ scopeSpans: [{ spans }] }] }
}

function post(
  body: unknown,
  headers: Record<string, string> = {},
  key: 'secret' | 'public' | 'none' = 'secret',
) {
  const keys = { secret: collector.secretKey, public: collector.publicKey, none: undefined }
  return fetch(`${collector.url}/v1/traces`, {
    method: 'POST',
    headers: {
      ...(keys[key] && { authorization: `Bearer ${keys[key]}` }),
      'content-type': 'application/json',
      ...headers,
    },
    body:
      typeof body === 'string' || body instanceof Uint8Array
        ? (body as BodyInit)
        : JSON.stringify(body),
  })
}

describe('POST /v1/traces', () => {
  it('answers {} when every GenAI span is logged, and a retry is harmless', async () => {
    const first = await post(traces('t1', 't2'))
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({})
    expect(await (await post(traces('t1'))).json()).toEqual({})
    const found = await collector.store.findAnswers(collector.project.id, ['t1', 't2'])
    expect(found.size).toBe(2)
  })

  it('counts spans it cannot log in partialSuccess, and still logs the rest', async () => {
    const body = traces('t3', null)
    // A conflict: other texts under a logged request id.
    const conflict = traces('t1').resourceSpans[0]!.scopeSpans[0]!.spans[0]!
    conflict.attributes[2] = attribute('gen_ai.completion.0.content', 'Something else.')
    body.resourceSpans[0]!.scopeSpans[0]!.spans.push(conflict, {
      ...conflict,
      attributes: [attribute('http.route', '/chat')],
    })
    const res = await post(body)
    expect(res.status).toBe(200)
    const { partialSuccess } = (await res.json()) as {
      partialSuccess: { rejectedSpans: number; errorMessage: string }
    }
    expect(partialSuccess.rejectedSpans).toBe(2)
    expect(partialSuccess.errorMessage).toContain('1 without a request id')
    expect(partialSuccess.errorMessage).toContain('(conflict)')
    expect(partialSuccess.errorMessage).toContain('1 span without a GenAI answer skipped')
    expect(partialSuccess.errorMessage).not.toContain('PIN')
    expect((await collector.store.findAnswers(collector.project.id, ['t3'])).size).toBe(1)
    const t1 = await collector.store.findAnswers(collector.project.id, ['t1'])
    expect(t1.get('t1')?.response).toBe('Open Settings, then Security (t1).')
  })

  it('rejects a span whose answer is not valid (a prompt over 16 KiB) and names the field', async () => {
    const body = traces('t4')
    body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes[1] = attribute(
      'gen_ai.prompt.0.content',
      'x'.repeat(17 * 1024),
    )
    const { partialSuccess } = (await (await post(body)).json()) as {
      partialSuccess: { rejectedSpans: number; errorMessage: string }
    }
    expect(partialSuccess.rejectedSpans).toBe(1)
    expect(partialSuccess.errorMessage).toContain('prompt')
    expect((await collector.store.findAnswers(collector.project.id, ['t4'])).size).toBe(0)
  })

  it('takes a gzip body, and answers protobuf in protobuf', async () => {
    const gzipped = await post(gzipSync(JSON.stringify(traces('g1'))), {
      'content-encoding': 'gzip',
    })
    expect(await gzipped.json()).toEqual({})
    expect((await collector.store.findAnswers(collector.project.id, ['g1'])).size).toBe(1)
    // An empty protobuf request is valid: no spans, and an empty protobuf answer.
    const empty = await post(new Uint8Array(0), { 'content-type': 'application/x-protobuf' })
    expect(empty.status).toBe(200)
    expect(empty.headers.get('content-type')).toBe('application/x-protobuf')
    expect((await empty.arrayBuffer()).byteLength).toBe(0)
  })

  it.each([
    ['plain text', traces('p1'), { 'content-type': 'text/plain' }, 415, 'unsupported_media_type'],
    ['brotli', traces('p2'), { 'content-encoding': 'br' }, 415, 'unsupported_media_type'],
    ['broken gzip', 'not gzip', { 'content-encoding': 'gzip' }, 400, 'invalid_body'],
    [
      'a gzip body of 1 MiB + 1 once inflated',
      gzipSync(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) })),
      { 'content-encoding': 'gzip' },
      413,
      'payload_too_large',
    ],
    [
      'broken protobuf',
      new Uint8Array([0x0a, 0xff]),
      { 'content-type': 'application/x-protobuf' },
      400,
      'invalid_body',
    ],
    ['broken JSON', '{"resourceSpans": [', {}, 400, 'invalid_json'],
    ['not an OTLP request', { resourceSpans: 'spans' }, {}, 400, 'invalid_body'],
    [
      'a body of 1 MiB + 1',
      JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }),
      {},
      413,
      'payload_too_large',
    ],
    ['the public key', traces('p3'), { key: 'public' }, 403, 'forbidden'],
    ['no key', traces('p4'), { key: 'none' }, 401, 'unauthorized'],
  ] as const)(
    'refuses %s with a JSON 4xx and stores nothing',
    async (_, body, options, status, code) => {
      const before = await collector.store.countAnswers(collector.project.id)
      const { key, ...headers } = options as Record<string, string>
      const res = await post(body, headers, key as 'public' | 'none' | undefined)
      expect(res.status).toBe(status)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code)
      expect(await collector.store.countAnswers(collector.project.id)).toBe(before)
    },
  )
})
