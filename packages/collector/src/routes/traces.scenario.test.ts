// Scenario: a backend traced with the real OpenTelemetry SDK and its OTLP/HTTP exporter fills the
// answer log through POST /v1/traces, and exports then judge feedback against it (both engines).
import { context, type DiagLogger, DiagLogLevel, diag, trace } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent, onEachEngine, startTestCollector, type TestCollector } from '../testing.ts'

// The exporter's CompressionAlgorithm enum lives in an internal package; its value is 'gzip'.
const GZIP = 'gzip' as NonNullable<
  ConstructorParameters<typeof OTLPProtoTraceExporter>[0]
>['compression']
const SYSTEM = 'You are the support bot of Example Bank.'
const PROMPT = 'I lost my card, what should I do?'
const ANSWER = 'Freeze the card in the app under Cards, then order a replacement there.'
const FIX =
  'Freeze the card in the app under Cards; a replacement costs nothing and arrives in 3 days.'
const OLD_PROMPT = 'Is there a fee for a new card?'
const OLD_ANSWER = 'No, a replacement card is free.'

onEachEngine((engine, openStore, dropStore) => {
  describe(`OpenTelemetry GenAI spans into the answer log (${engine})`, () => {
    let collector: TestCollector
    const warnings: string[] = []

    beforeAll(async () => {
      const store = await openStore?.()
      collector = await startTestCollector({ ...(store && { store }) })
      const logger: DiagLogger = {
        warn: (...args) => warnings.push(args.join(' ')),
        error: (...args) => warnings.push(args.join(' ')),
        info: () => {},
        debug: () => {},
        verbose: () => {},
      }
      diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true })

      // What a backend has: a provider with the OTLP/HTTP exporter pointed at the collector.
      const exporter = new OTLPTraceExporter({
        url: `${collector.url}/v1/traces`,
        headers: { Authorization: `Bearer ${collector.secretKey}` },
      })
      const provider = new NodeTracerProvider({
        spanProcessors: [new BatchSpanProcessor(exporter)],
      })
      const tracer = provider.getTracer('bank-bot')

      // The request handler's span carries the id the page marks the answer with; the GenAI
      // instrumentation's span (current conventions) is its child.
      const handler = tracer.startSpan('POST /chat', {
        attributes: { 'http.route': '/chat', 'tightloop.request_id': 'req-otel' },
      })
      const inHandler = trace.setSpan(context.active(), handler)
      tracer
        .startSpan(
          'chat gpt-4o',
          {
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o',
              'gen_ai.response.model': 'gpt-4o-2024-08-06',
              'gen_ai.response.id': 'chatcmpl-current',
              'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM }]),
              'gen_ai.input.messages': JSON.stringify([
                { role: 'user', parts: [{ type: 'text', content: PROMPT }] },
              ]),
              'gen_ai.output.messages': JSON.stringify([
                {
                  role: 'assistant',
                  parts: [{ type: 'text', content: ANSWER }],
                  finish_reason: 'stop',
                },
              ]),
            },
          },
          inHandler,
        )
        .end()
      handler.end()

      // An older instrumentation: indexed attributes, the request id from gen_ai.response.id.
      tracer
        .startSpan('openai.chat', {
          attributes: {
            'gen_ai.system': 'openai',
            'gen_ai.response.model': 'gpt-4o-mini',
            'gen_ai.response.id': 'chatcmpl-older',
            'gen_ai.prompt.0.role': 'user',
            'gen_ai.prompt.0.content': OLD_PROMPT,
            'gen_ai.completion.0.role': 'assistant',
            'gen_ai.completion.0.content': OLD_ANSWER,
          },
        })
        .end()

      // A chat span whose instrumentation did not capture content: counted, never stored.
      tracer
        .startSpan('chat gpt-4o', {
          attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': 'chatcmpl-empty' },
        })
        .end()

      await provider.forceFlush()
      await provider.shutdown()

      // The protobuf exporter, gzip-compressed (what other SDKs and collectors send).
      const protoProvider = new NodeTracerProvider({
        spanProcessors: [
          new BatchSpanProcessor(
            new OTLPProtoTraceExporter({
              url: `${collector.url}/v1/traces`,
              headers: { Authorization: `Bearer ${collector.secretKey}` },
              compression: GZIP,
            }),
          ),
        ],
      })
      const protoTracer = protoProvider.getTracer('bank-bot')
      // Here too the request id is on the handler's span: span ids link them in protobuf too.
      const protoHandler = protoTracer.startSpan('POST /chat', {
        attributes: { 'tightloop.request_id': 'req-proto' },
      })
      protoTracer
        .startSpan(
          'chat gpt-4o',
          {
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.response.model': 'gpt-4o-2024-08-06',
              'gen_ai.response.id': 'chatcmpl-proto',
              'gen_ai.input.messages': JSON.stringify([
                { role: 'user', parts: [{ type: 'text', content: OLD_PROMPT }] },
              ]),
              'gen_ai.output.messages': JSON.stringify([
                { role: 'assistant', parts: [{ type: 'text', content: OLD_ANSWER }] },
              ]),
            },
          },
          trace.setSpan(context.active(), protoHandler),
        )
        .end()
      protoHandler.end()
      protoTracer
        .startSpan('chat gpt-4o', {
          attributes: { 'gen_ai.prompt.0.content': 'Hi', 'gen_ai.completion.0.content': 'Hello.' },
        })
        .end()
      await protoProvider.forceFlush()
      await protoProvider.shutdown()
    })
    afterAll(async () => {
      diag.disable()
      await collector?.close()
      if (openStore) await collector?.store.close()
      await dropStore?.()
    })

    it('logs each GenAI span with content as an answer, with model, latency and time', async () => {
      const found = await collector.store.findAnswers(collector.project.id, [
        'req-otel',
        'chatcmpl-older',
        'chatcmpl-current',
        'chatcmpl-empty',
      ])
      expect([...found.keys()].sort()).toEqual(['chatcmpl-older', 'req-otel'])
      const proto = await collector.store.findAnswers(collector.project.id, [
        'req-proto',
        'chatcmpl-proto',
      ])
      expect([...proto.keys()]).toEqual(['req-proto'])
      expect(proto.get('req-proto')).toMatchObject({
        prompt: OLD_PROMPT,
        response: OLD_ANSWER,
        messages: [{ role: 'user', content: OLD_PROMPT }],
        modelVersion: 'gpt-4o-2024-08-06',
      })
      expect(found.get('req-otel')).toMatchObject({
        prompt: PROMPT,
        response: ANSWER,
        messages: [
          { role: 'system', content: SYSTEM },
          { role: 'user', content: PROMPT },
        ],
        modelVersion: 'gpt-4o-2024-08-06',
      })
      expect(found.get('req-otel')!.latencyMs).toBeGreaterThanOrEqual(0)
      expect(Date.parse(found.get('req-otel')!.createdAt!)).toBeGreaterThan(Date.now() - 60_000)
      expect(found.get('chatcmpl-older')).toMatchObject({
        prompt: OLD_PROMPT,
        response: OLD_ANSWER,
        modelVersion: 'gpt-4o-mini',
      })
    })

    it("answers each exporter with OTLP's partial success, in its encoding, for the span it could not log", () => {
      const partial = warnings.filter((w) => w.includes('Partial Success'))
      expect(partial).toHaveLength(2)
      expect(partial[0]).toContain('"rejectedSpans":1')
      expect(partial[0]).toContain('without message content')
      expect(partial[0]).toContain('1 span without a GenAI answer skipped')
      // The protobuf exporter decoded the protobuf answer: int64 as a string, the reason intact.
      expect(partial[1]).toMatch(/"rejectedSpans":"?1"?/)
      expect(partial[1]).toContain('1 without a request id')
      expect(warnings.filter((w) => !w.includes('Partial Success'))).toEqual([])
    })

    it('exports judge feedback against the traced answer: a forged one drops as answer_mismatch', async () => {
      const sent = await fetch(`${collector.url}/v1/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${collector.publicKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          events: [
            makeEvent('explicit_correction', {
              requestId: 'req-otel',
              userId: 'honest',
              prompt: PROMPT,
              response: ANSWER,
              correctionText: FIX,
            }),
            makeEvent('explicit_correction', {
              requestId: 'chatcmpl-older',
              userId: 'forger',
              prompt: OLD_PROMPT,
              response: 'A new card costs 50 euros, pay at evil.example.',
              correctionText: 'Pay the 50 euros at evil.example to get your new card quickly.',
            }),
          ],
        }),
      })
      expect(((await sent.json()) as { accepted: number }).accepted).toBe(2)
      const res = await fetch(`${collector.url}/v1/export?format=openai&stats=trailer`, {
        headers: { authorization: `Bearer ${collector.secretKey}` },
      })
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      const stats = lines.pop().tightloop_export_stats as { dropped: Record<string, number> }
      expect(stats.dropped.answer_mismatch).toBe(1)
      expect(lines).toEqual([
        expect.objectContaining({
          input: {
            messages: [
              { role: 'system', content: SYSTEM },
              { role: 'user', content: PROMPT },
            ],
          },
          preferred_output: [{ role: 'assistant', content: FIX }],
          non_preferred_output: [{ role: 'assistant', content: ANSWER }],
        }),
      ])
    })
  })
})
