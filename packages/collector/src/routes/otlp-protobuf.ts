// OTLP/HTTP protobuf for traces: requests decoded into the OTLP/JSON shape, responses encoded.
import protobuf from 'protobufjs/light.js'
import { CollectorError } from '../errors.ts'

// The fields of opentelemetry/proto/{collector/trace,trace,common}/v1 that the answer log reads,
// with their field numbers; a decoder skips every other field. Names are the OTLP/JSON ones,
// so a decoded request reads like a JSON one.
const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id })
const OTLP_TRACES = protobuf.Root.fromJSON({
  nested: {
    ExportTraceServiceRequest: { fields: { resourceSpans: repeated('ResourceSpans', 1) } },
    ResourceSpans: { fields: { scopeSpans: repeated('ScopeSpans', 2) } },
    ScopeSpans: { fields: { spans: repeated('Span', 2) } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: repeated('KeyValue', 9),
      },
    },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    AnyValue: {
      oneofs: {
        value: {
          oneof: [
            'stringValue',
            'boolValue',
            'intValue',
            'doubleValue',
            'arrayValue',
            'kvlistValue',
            'bytesValue',
          ],
        },
      },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: repeated('AnyValue', 1) } },
    KeyValueList: { fields: { values: repeated('KeyValue', 1) } },
    ExportTraceServiceResponse: {
      fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } },
    },
    ExportTracePartialSuccess: {
      fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
    },
  },
})
const Request = OTLP_TRACES.lookupType('ExportTraceServiceRequest')
const Response = OTLP_TRACES.lookupType('ExportTraceServiceResponse')

/**
 * An OTLP/HTTP protobuf `ExportTraceServiceRequest` as the object its JSON encoding parses to
 * (ids in base64 rather than hex: they only link spans), or 400 when the bytes are not one.
 *
 * @example readOtlpSpans(decodeTraceRequest(bytes))
 */
export function decodeTraceRequest(bytes: Uint8Array): unknown {
  try {
    return Request.toObject(Request.decode(bytes), { longs: String, bytes: String })
  } catch (cause) {
    throw new CollectorError(400, 'invalid_body', 'Not an OTLP/protobuf trace request', { cause })
  }
}

/**
 * An `ExportTraceServiceResponse` in protobuf, for a request that came in protobuf.
 *
 * @example encodeTraceResponse({ partialSuccess: { rejectedSpans: 1, errorMessage: '…' } })
 */
export function encodeTraceResponse(response: {
  partialSuccess?: { rejectedSpans: number; errorMessage: string }
}): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Response.encode(Response.fromObject(response)).finish())
}
