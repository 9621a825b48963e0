// Regression tests for Hono's past body-limit bypasses, through the real server on raw sockets.
//
// The advisories and bugs these cases come from:
// - GHSA-9vqf-7f2p-gf9v (CVE-2026-44456): `bodyLimit()` in hono <= 4.12.15 did not enforce
//   `maxSize` for chunked / unknown-length bodies; fixed in 4.12.16.
// - GHSA-rv63-4mwf-qqc2 (CVE-2026-54288): `bodyLimit()` bypass through an understated
//   `Content-Length` (seen on the AWS Lambda adapter), hono <= 4.12.24; fixed in 4.12.25.
// - honojs/hono#5278: the `Content-Length` fast path trusts `parseInt`, so `Content-Length: abc`
//   (NaN) skips the limit. Closed unmerged: the maintainers rely on the HTTP server refusing
//   such a header, which node's parser does; the cases below hold it to that.
// - Conflicting `Content-Length` + `Transfer-Encoding` (request smuggling, RFC 9112 §6.1): the
//   pre-4.12.16 fast path trusted `Content-Length` even when the body was chunked.
//
// We pin hono 4.13.19, later than both fixes (its body-limit middleware checks
// `transfer-encoding` before trusting `Content-Length`). The collector does not rely on that
// middleware: `readBodyText` counts bytes as it reads them. These cases hold our own reader,
// and node's HTTP parser in front of it, to the same attacks: each gets a 4xx JSON answer and
// nothing is stored.
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { makeEvent, startTestCollector, type TestCollector } from '@tightloop/collector/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const LIMIT = 256 * 1024
const REQUEST_TIMEOUT_MS = 1_000
const SOCKET_DEADLINE_MS = 10_000 // every exchange ends well before this; it only bounds a hang

let collector: TestCollector
const unexpected: unknown[] = []

beforeAll(async () => {
  collector = await startTestCollector({
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    log: (_message, err) => unexpected.push(err),
  })
})
afterAll(() => collector.close())

interface Answer {
  status: number
  body: string
}

/**
 * Writes `bytes` on a fresh connection and collects every HTTP answer until the server closes
 * it. `end: false` keeps our side open after writing, as a client still "sending" would.
 */
function exchange(bytes: Buffer, end = true): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(collector.port, '127.0.0.1')
    const chunks: Buffer[] = []
    const deadline = setTimeout(() => {
      socket.destroy()
      reject(new Error('the server neither answered nor closed the connection'))
    }, SOCKET_DEADLINE_MS)
    socket.on('data', (d) => chunks.push(d))
    socket.on('error', () => {}) // a reset after the answer is fine; the answer is what counts
    socket.on('close', () => {
      clearTimeout(deadline)
      resolve(parseAnswers(Buffer.concat(chunks).toString('latin1')))
    })
    if (end) socket.end(bytes)
    else socket.write(bytes)
  })
}

function parseAnswers(text: string): Answer[] {
  const answers: Answer[] = []
  let rest = text
  for (let i = 0; i < 10 && rest.startsWith('HTTP/1.1 '); i++) {
    const headEnd = rest.indexOf('\r\n\r\n')
    const head = rest.slice(0, headEnd)
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0)
    answers.push({
      status: Number(head.slice(9, 12)),
      body: rest.slice(headEnd + 4, headEnd + 4 + length),
    })
    rest = rest.slice(headEnd + 4 + length)
  }
  return answers
}

const head = (...headers: string[]) =>
  Buffer.from(
    `${[
      `POST /v1/events?key=${collector.publicKey} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      ...headers,
    ].join('\r\n')}\r\n\r\n`,
  )

function chunked(body: Buffer, chunkSize = 8_192): Buffer {
  const parts: Buffer[] = []
  for (let i = 0; i < body.length; i += chunkSize) {
    const piece = body.subarray(i, i + chunkSize)
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from('0\r\n\r\n'))
  return Buffer.concat(parts)
}

/** A valid batch whose JSON is `bytes` long (give or take a few): over the limit when asked. */
const batchOf = (bytes: number) =>
  Buffer.from(
    JSON.stringify({
      events: [makeEvent('thumbs_down', { prompt: 'p', response: 'r', metadata: { pad: '' } })],
      pad: 'x'.repeat(Math.max(0, bytes - 400)),
    }),
  )
const small = () => Buffer.from(JSON.stringify({ events: [makeEvent()] }))

async function expectRefused(answers: Answer[], status: number | 'any4xx', code?: string) {
  expect(answers.length).toBeGreaterThan(0)
  for (const a of answers) {
    expect(a.status).toBeGreaterThanOrEqual(400)
    expect(a.status).toBeLessThan(500)
    const body = JSON.parse(a.body) as { error: { code: string } }
    expect(typeof body.error.code).toBe('string')
  }
  if (status !== 'any4xx') expect(answers[0]!.status).toBe(status)
  if (code) expect(JSON.parse(answers[0]!.body).error.code).toBe(code)
}

describe('bodies over the limit without a usable Content-Length (GHSA-9vqf-7f2p-gf9v)', () => {
  it('413 for a chunked body over 256 KiB', async () => {
    const answers = await exchange(
      Buffer.concat([head('Transfer-Encoding: chunked'), chunked(batchOf(400_000))]),
    )
    await expectRefused(answers, 413, 'payload_too_large')
  })

  it('413 for a chunked body one byte over, sent as 1 KiB chunks', async () => {
    const body = Buffer.alloc(LIMIT + 1, 0x20)
    const answers = await exchange(
      Buffer.concat([head('Transfer-Encoding: chunked'), chunked(body, 1_024)]),
    )
    await expectRefused(answers, 413, 'payload_too_large')
  })
})

describe('conflicting Content-Length and Transfer-Encoding (request smuggling)', () => {
  it.each([
    [
      'a small Content-Length before chunked',
      ['Content-Length: 20', 'Transfer-Encoding: chunked'],
      chunked(batchOf(400_000)),
    ],
    [
      'a huge Content-Length after chunked',
      ['Transfer-Encoding: chunked', 'Content-Length: 999999'],
      chunked(small()),
    ],
    ['an obfuscated coding (xchunked)', ['Transfer-Encoding: xchunked'], chunked(small())],
    [
      'chunked not last (chunked, identity)',
      ['Transfer-Encoding: chunked, identity'],
      chunked(small()),
    ],
    [
      'identity beside a Content-Length',
      ['Transfer-Encoding: identity', 'Content-Length: 50'],
      small(),
    ],
    [
      'two Content-Lengths that disagree',
      ['Content-Length: 10', 'Content-Length: 400000'],
      batchOf(400_000),
    ],
  ])('400 for %s', async (_name, headers, body) => {
    await expectRefused(
      await exchange(Buffer.concat([head(...headers), body])),
      400,
      'invalid_body',
    )
  })
})

describe('a Content-Length that lies (GHSA-rv63-4mwf-qqc2, honojs/hono#5278)', () => {
  it.each(['abc', '-1', '+5', '0x10', '1e3', ''])('400 for Content-Length: %j', async (value) => {
    const answers = await exchange(
      Buffer.concat([head(`Content-Length: ${value}`), batchOf(400_000)]),
    )
    await expectRefused(answers, 400, 'invalid_body')
  })

  // The declared 1,000 bytes are a cut-off JSON text; what follows is not HTTP. Whichever of
  // the two node answers first, both are 400 and the connection is closed.
  it('4xx when it understates a 400 KB body', async () => {
    const answers = await exchange(Buffer.concat([head('Content-Length: 1000'), batchOf(400_000)]))
    await expectRefused(answers, 400)
  })

  it('413 at once when it declares more than the limit, before any body arrives', async () => {
    const answers = await exchange(head(`Content-Length: ${LIMIT + 1}`), false)
    await expectRefused(answers, 413, 'payload_too_large')
  })

  it('400 when it overstates and the client then ends the connection', async () => {
    const answers = await exchange(Buffer.concat([head('Content-Length: 10000'), small()]))
    await expectRefused(answers, 400, 'invalid_body')
  })

  it('408 when it overstates and the client goes quiet', async () => {
    const answers = await exchange(Buffer.concat([head('Content-Length: 10000'), small()]), false)
    await expectRefused(answers, 408, 'request_timeout')
  })

  it('400 when a chunk is longer than its size line says', async () => {
    const body = small().toString()
    const answers = await exchange(
      Buffer.concat([head('Transfer-Encoding: chunked'), Buffer.from(`5\r\n${body}\r\n0\r\n\r\n`)]),
    )
    await expectRefused(answers, 400, 'invalid_body')
  })
})

describe('afterwards', () => {
  it('stored nothing, logged no unexpected error, and still takes a good batch', async () => {
    expect(await collector.store.countEvents(collector.project.id)).toBe(0)
    expect(unexpected).toEqual([])
    // Our side stays open (a client that half-closes gets no answer from node's HTTP server
    // once the handler has awaited I/O); `Connection: close` makes the server end it.
    const body = small()
    const answers = await exchange(
      Buffer.concat([head(`Content-Length: ${body.length}`, 'Connection: close'), body]),
      false,
    )
    expect(answers.map((a) => a.status)).toEqual([200])
  })

  it('runs on a hono that has both advisories fixed (>= 4.12.25)', () => {
    const { version } = JSON.parse(
      readFileSync(
        new URL('../packages/collector/node_modules/hono/package.json', import.meta.url),
        'utf8',
      ),
    ) as { version: string }
    const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number)
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(4_012_025)
  })
})
