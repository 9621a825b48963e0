// Serves a collector over node:http with timeouts and JSON answers even for broken HTTP.

import type { Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { serve } from '@hono/node-server'

/** Options of `startServer`. */
export interface ServerOptions {
  fetch: (request: Request, env: unknown) => Response | Promise<Response>
  port?: number
  hostname?: string
  /** A request must arrive whole within this time (slow bodies, lying Content-Length). */
  requestTimeoutMs?: number
}

/** A running server and how to stop it. */
export interface RunningServer {
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

const REQUEST_TIMEOUT_MS = 15_000 // a 256 KiB batch needs far less; a stalled one is cut off
const HEADERS_TIMEOUT_MS = 10_000
// How often node enforces the two timeouts above; its default (30 s) would let a stalled
// request outlive `requestTimeoutMs` by up to half a minute.
const TIMEOUT_CHECK_MS = 1_000

function rawJsonError(status: number, reason: string, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } })
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  )
}

/**
 * Listens on `port` (0 picks a free one) and resolves once listening.
 *
 * @example const { url, close } = await startServer({ fetch: app.fetch, port: 8787 })
 */
export function startServer(options: ServerOptions): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: options.fetch,
        serverOptions: {
          connectionsCheckingInterval: Math.min(
            TIMEOUT_CHECK_MS,
            options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
          ),
        },
        port: options.port ?? 8787,
        hostname: options.hostname ?? '127.0.0.1',
      },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          server: server as Server,
          close: () =>
            new Promise<void>((done) => {
              ;(server as Server).closeAllConnections?.()
              server.close(() => done())
            }),
        })
      },
    ) as Server
    server.once('error', reject)
    server.requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
    server.headersTimeout = Math.min(HEADERS_TIMEOUT_MS, server.requestTimeout)
    // Malformed HTTP never reaches Hono; answer it in the same JSON shape anyway.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) return socket.destroy()
      const answer =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? rawJsonError(408, 'Request Timeout', 'request_timeout', 'The request took too long')
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? rawJsonError(
                431,
                'Request Header Fields Too Large',
                'invalid_body',
                'Headers too large',
              )
            : rawJsonError(400, 'Bad Request', 'invalid_body', 'Malformed HTTP request')
      socket.end(answer)
    })
  })
}
