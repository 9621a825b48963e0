// Streams an async iterable as NDJSON with backpressure: rows are pulled only as fast as they leave.

const encoder = new TextEncoder()
/** Rows joined into one chunk, so tiny writes do not dominate a large export. */
const ROWS_PER_CHUNK = 256

/**
 * A `Response` body that pulls `rows` lazily and writes one JSON line each.
 *
 * @example return new Response(ndjsonStream(store.streamEvents(id)), { headers })
 */
export function ndjsonStream<T>(
  rows: AsyncIterable<T>,
  serialize: (row: T) => string = (row) => JSON.stringify(row),
): ReadableStream<Uint8Array> {
  const iterator = rows[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let text = ''
        for (let i = 0; i < ROWS_PER_CHUNK; i++) {
          const next = await iterator.next()
          if (next.done) {
            if (text) controller.enqueue(encoder.encode(text))
            controller.close()
            return
          }
          text += `${serialize(next.value)}\n`
        }
        controller.enqueue(encoder.encode(text))
      },
      async cancel() {
        await iterator.return?.()
      },
    },
    { highWaterMark: 1 },
  )
}

/** Headers of an NDJSON download. */
export const NDJSON_HEADERS = {
  'Content-Type': 'application/x-ndjson; charset=utf-8',
  'Cache-Control': 'no-store',
}
