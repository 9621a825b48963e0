// Reads a request body under a byte limit enforced while reading, whatever Content-Length says.
import { CollectorError } from './errors.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/**
 * Reads at most `limit` bytes of `request`'s body and decodes them as strict UTF-8.
 * A declared `Content-Length` over the limit fails before reading; a chunked body or a
 * lying `Content-Length` fails as soon as the bytes read pass the limit.
 *
 * @example const text = await readBodyText(c.req.raw, 256 * 1024)
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get('content-length')
  if (declared !== null) {
    const length = Number(declared)
    if (!/^\d+$/.test(declared.trim()) || !Number.isSafeInteger(length)) {
      throw new CollectorError(400, 'invalid_body', 'Content-Length is not a number')
    }
    if (length > limit) throw tooLarge(limit)
  }
  if (!request.body) throw new CollectorError(400, 'invalid_body', 'The request has no body')

  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>
    try {
      next = await reader.read()
    } catch (cause) {
      // The client went away mid-body (or the server cut it off): bad input, not our failure.
      throw new CollectorError(400, 'invalid_body', 'The request body ended early', { cause })
    }
    const { done, value } = next
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge(limit)
    }
    chunks.push(value)
  }
  const bytes = chunks.length === 1 ? chunks[0]! : concat(chunks, size)
  try {
    return utf8.decode(bytes)
  } catch {
    throw new CollectorError(400, 'invalid_encoding', 'The body is not valid UTF-8')
  }
}

// The rest of the body is never read, so the connection cannot carry another request.
function tooLarge(limit: number) {
  return new CollectorError(413, 'payload_too_large', `The body is over ${limit} bytes`, {
    headers: { Connection: 'close' },
  })
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
