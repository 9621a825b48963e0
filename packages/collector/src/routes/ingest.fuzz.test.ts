// 10,000+ generated malformed requests: each gets a 4xx JSON error, stored rows never change.
import { connect } from 'node:net'
import { seededRandom } from '@tightloop/pipeline'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { makeEvent, startTestCollector, type TestCollector } from '../testing.ts'

let collector: TestCollector
let port: number

beforeAll(async () => {
  collector = await startTestCollector({
    project: { allowedOrigins: ['https://shop.example'] },
    requestTimeoutMs: 1_000,
  })
  port = collector.port
})
afterAll(() => collector.close())

interface RawAnswer {
  statuses: number[]
  bodies: string[]
}

const RAW_TIMEOUT_MS = 5_000

/** Sends raw bytes and collects every HTTP answer until the server closes the socket. */
function raw(bytes: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new Error(`no close within ${RAW_TIMEOUT_MS} ms for ${bytes.subarray(0, 120).toString()}`),
      )
    }, RAW_TIMEOUT_MS)
    socket.on('data', (d) => chunks.push(d))
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      const text = Buffer.concat(chunks).toString('latin1')
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]))
      const bodies = text
        .split(/HTTP\/1\.1 \d{3}[^\r]*\r\n/)
        .slice(1)
        .map((part) => {
          const [head = '', ...rest] = part.split('\r\n\r\n')
          const body = rest.join('\r\n\r\n')
          return /transfer-encoding: chunked/i.test(head) ? dechunk(body) : body
        })
      resolve({ statuses, bodies })
    })
    socket.end(bytes)
  })
}

function dechunk(body: string): string {
  let out = ''
  let rest = body
  for (;;) {
    const line = rest.indexOf('\r\n')
    if (line < 0) return out
    const size = Number.parseInt(rest.slice(0, line), 16)
    if (!size) return out
    out += rest.slice(line + 2, line + 2 + size)
    rest = rest.slice(line + 2 + size + 2)
  }
}

function request(
  body: Buffer | string,
  opts: {
    key?: string
    type?: string
    headers?: string[]
    length?: number | null
    chunked?: boolean
  } = {},
): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body) : body
  const key = opts.key ?? collector.publicKey
  const head = [
    `POST /v1/events?key=${encodeURIComponent(key)} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    `Content-Type: ${opts.type ?? 'application/json'}`,
    ...(opts.headers ?? []),
  ]
  if (opts.chunked) {
    head.push('Transfer-Encoding: chunked')
    const parts: Buffer[] = [Buffer.from(`${head.join('\r\n')}\r\n\r\n`)]
    for (let i = 0; i < payload.length; i += 8192) {
      const piece = payload.subarray(i, i + 8192)
      parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'))
    }
    parts.push(Buffer.from('0\r\n\r\n'))
    return Buffer.concat(parts)
  }
  if (opts.length !== null) head.push(`Content-Length: ${opts.length ?? payload.length}`)
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), payload])
}

type Case = { kind: string; bytes: Buffer }

function generate(random: () => number, n: number): Case[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!
  const valid = () => JSON.stringify({ events: [makeEvent(), makeEvent('csat', { csat: 4 })] })
  const makers: Record<string, () => Buffer> = {
    brokenJson: () => {
      const text = valid()
      return request(text.slice(0, Math.floor(random() * (text.length - 1))))
    },
    garbage: () =>
      request(
        Buffer.from(
          Array.from(
            { length: 1 + Math.floor(random() * 200) },
            () => 32 + Math.floor(random() * 90),
          ),
        ),
      ),
    wrongEnvelopeTypes: () =>
      request(
        pick([
          '{"events": "many"}',
          '{"events": {"0": {}}}',
          '{"events": null}',
          '{"events": []}',
          `{"events": [${valid().slice(11, -2)}], "sentAt": 5}`,
          `{"events": [{}], "client": {"dropped": "lots"}}`,
          `{"events": [{}], "client": {"dropped": -3}}`,
          '[]',
          '42',
          'null',
          '"events"',
          'true',
        ]),
      ),
    tooManyEvents: () =>
      request(
        JSON.stringify({
          events: Array.from({ length: 101 + Math.floor(random() * 50) }, () => ({})),
        }),
      ),
    hugeString: () =>
      request(
        JSON.stringify({
          events: [
            makeEvent('thumbs_down', {
              comment: 'x'.repeat(262_144 + Math.floor(random() * 10_000)),
            }),
          ],
        }),
      ),
    deepNesting: () => {
      const depth = 1_000 + Math.floor(random() * 100_000)
      return request(`${'['.repeat(depth)}${']'.repeat(depth)}`)
    },
    protoKeys: () =>
      request(
        pick([
          `{"__proto__": {"events": [${JSON.stringify(makeEvent())}]}}`,
          `{"constructor": {"prototype": {"events": [1]}}}`,
          `{"__proto__": null}`,
        ]),
      ),
    invalidUtf8: () => {
      const text = Buffer.from(valid())
      const at = 10 + Math.floor(random() * (text.length - 20))
      return request(
        Buffer.concat([
          text.subarray(0, at),
          Buffer.from(
            pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]),
          ),
          text.subarray(at),
        ]),
      )
    },
    lyingLengthShort: () => {
      const text = valid()
      return request(text, { length: Math.floor(random() * (text.length - 1)) })
    },
    missingLength: () => request(valid(), { length: null }),
    oversizedDeclared: () => request('{}', { length: 262_145 + Math.floor(random() * 1e9) }),
    badLength: () =>
      request(valid(), { headers: [], length: pick([-1, 1.5, Number.NaN, 1e30]) as number }),
    chunkedOversized: () =>
      request(' '.repeat(262_145 + Math.floor(random() * 100_000)), { chunked: true }),
    unknownKey: () =>
      request(valid(), {
        key: pick(['pk_nope12345678', 'nope', '', 'sk_stolen123456789', `pk_${'a'.repeat(200)}`]),
      }),
    wrongOrigin: () =>
      request(valid(), {
        headers: [
          `Origin: ${pick(['https://evil.example', 'null', 'http://shop.example', 'https://shop.example.evil.com'])}`,
        ],
      }),
    wrongType: () =>
      request(valid(), {
        type: pick([
          'application/xml',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
          'image/png',
        ]),
      }),
  }
  const kinds = Object.keys(makers)
  return Array.from({ length: n }, (_, i) => {
    const kind = kinds[i % kinds.length]!
    return { kind, bytes: makers[kind]!() }
  })
}

async function snapshot(): Promise<string[]> {
  const rows: string[] = []
  for await (const e of collector.store.streamEvents(collector.project.id))
    rows.push(JSON.stringify(e))
  return rows
}

it('answers 10,000+ malformed requests with a 4xx JSON error and changes nothing stored', async () => {
  const seed = Number(process.env.TIGHTLOOP_FUZZ_SEED ?? 7)
  const random = seededRandom(seed)
  const seedRes = await fetch(`${collector.url}/v1/events?key=${collector.publicKey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: Array.from({ length: 20 }, () => makeEvent()) }),
  })
  expect(seedRes.status).toBe(200)
  const before = await snapshot()
  expect(before).toHaveLength(20)

  const cases = generate(random, 10_240)
  const failures: string[] = []
  const byKind = new Map<string, Map<number, number>>()
  let next = 0
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!
      const answer = await raw(c.bytes)
      const counts = byKind.get(c.kind) ?? new Map<number, number>()
      byKind.set(c.kind, counts)
      if (answer.statuses.length === 0) {
        failures.push(`${c.kind}: no answer`)
        continue
      }
      answer.statuses.forEach((status, i) => {
        counts.set(status, (counts.get(status) ?? 0) + 1)
        let code: unknown
        try {
          code = JSON.parse(answer.bodies[i] ?? '').error?.code
        } catch {}
        if (status < 400 || status >= 500 || typeof code !== 'string') {
          failures.push(`${c.kind}: ${status} ${answer.bodies[i]?.slice(0, 120)}`)
        }
      })
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))

  console.log(
    JSON.stringify(Object.fromEntries([...byKind].map(([k, v]) => [k, Object.fromEntries(v)]))),
  )
  expect(failures.slice(0, 10)).toEqual([])
  expect(cases.length).toBeGreaterThanOrEqual(10_000)
  // Every kind of malformation was really exercised and answered.
  expect(byKind.size).toBe(16)
  expect(await snapshot()).toEqual(before)
  // The server still works.
  const after = await fetch(`${collector.url}/healthz`)
  expect(after.status).toBe(200)
}, 180_000)
