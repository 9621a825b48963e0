// Reads an OTLP/JSON trace request (ExportTraceServiceRequest) into spans with plain attribute values.
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
    const object: Record<string, unknown> = Object.create(null) // a key "__proto__" stays a key
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
  if (typeof value === 'number' && value >= 0 && value < 2 ** 64) {
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
