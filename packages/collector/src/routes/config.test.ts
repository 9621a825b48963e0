import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCollector, type TestCollector } from '../testing.ts'

let collector: TestCollector

beforeAll(async () => {
  collector = await startTestCollector({
    project: {
      allowedOrigins: ['https://shop.example'],
      escalationReasons: ['wrong_answer', 'billing'],
    },
  })
})
afterAll(() => collector.close())

const get = (key: string | null, headers: Record<string, string> = {}) =>
  fetch(`${collector.url}/v1/config${key ? `?key=${key}` : ''}`, { headers })

describe('GET /v1/config', () => {
  it('answers the project reasons to an allowed origin and echoes it', async () => {
    const res = await get(collector.publicKey, { origin: 'https://shop.example' })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    expect(res.headers.get('cache-control')).toBe('public, max-age=300')
    expect(await res.json()).toEqual({ escalationReasons: ['wrong_answer', 'billing'] })
  })

  it('answers without an Origin header (same origin, server side)', async () => {
    const res = await get(collector.publicKey)
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('refuses another origin with a 403 that page can read (no project data in it)', async () => {
    const res = await get(collector.publicKey, { origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect(res.headers.get('access-control-allow-origin')).toBe('https://evil.example')
    expect((await res.json()).error.code).toBe('origin_not_allowed')
  })

  it('needs a known key', async () => {
    expect((await get(null)).status).toBe(401)
    expect((await get('pk_nope')).status).toBe(401)
  })

  it('tells nothing else about the project', async () => {
    const body = await (await get(collector.publicKey)).json()
    expect(Object.keys(body)).toEqual(['escalationReasons'])
  })
})
