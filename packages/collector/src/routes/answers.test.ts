// POST /v1/answers on the real collector: idempotent logging, and bad input that stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCollector, type TestCollector } from '../testing.ts'

let collector: TestCollector
beforeAll(async () => {
  collector = await startTestCollector()
})
afterAll(async () => collector.close())

const answer = (requestId: string, fields: Record<string, unknown> = {}) => ({
  requestId,
  prompt: 'How do I reset my PIN?',
  response: 'Open Settings, then Security, then Reset PIN.',
  ...fields,
})

function post(body: unknown, key = collector.secretKey) {
  return fetch(`${collector.url}/v1/answers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

describe('POST /v1/answers', () => {
  it('logs answers once: a retry is a duplicate, other texts for a logged request a conflict', async () => {
    const messages = [{ role: 'user', content: 'How do I reset my PIN?' }]
    const first = await post({
      answers: [answer('a1', { messages, modelVersion: 'm-1', latencyMs: 812 }), answer('a2')],
    })
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] })
    const again = await post({
      answers: [answer('a1', { messages }), answer('a2', { response: 'Forged.' }), answer('a3')],
    })
    expect(await again.json()).toEqual({
      accepted: 1,
      duplicates: 1,
      rejected: [{ index: 1, requestId: 'a2', error: 'conflict' }],
    })
    const found = await collector.store.findAnswers(collector.project.id, ['a2'])
    expect(found.get('a2')?.response).toBe(answer('a2').response)
  })

  it.each([
    [
      '101 answers',
      { answers: Array.from({ length: 101 }, (_, i) => answer(`b${i}`)) },
      400,
      'too_many_events',
    ],
    [
      'a body of 1 MiB + 1',
      `{"answers":[${JSON.stringify(answer('big', { response: 'x'.repeat(1024 * 1024) }))}]}`,
      413,
      'payload_too_large',
    ],
    [
      'a missing requestId',
      { answers: [answer('ok-1'), { prompt: 'p', response: 'r' }] },
      400,
      'invalid_body',
    ],
    ['a non-string response', { answers: [answer('ok-2', { response: 42 })] }, 400, 'invalid_body'],
    ['no answers', { answers: [] }, 400, 'invalid_body'],
    ['broken JSON', '{"answers": [', 400, 'invalid_json'],
  ] as const)('refuses %s with a JSON 4xx and stores nothing', async (_, body, status, code) => {
    const before = await collector.store.countAnswers(collector.project.id)
    const res = await post(body)
    expect(res.status).toBe(status)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code)
    expect(await collector.store.countAnswers(collector.project.id)).toBe(before)
  })

  it('refuses the public key (403) and no key (401), storing nothing', async () => {
    const before = await collector.store.countAnswers(collector.project.id)
    const res = await post({ answers: [answer('pk-1')] }, collector.publicKey)
    expect(res.status).toBe(403)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden')
    const none = await fetch(`${collector.url}/v1/answers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: [answer('pk-2')] }),
    })
    expect(none.status).toBe(401)
    expect(await collector.store.countAnswers(collector.project.id)).toBe(before)
  })
})
