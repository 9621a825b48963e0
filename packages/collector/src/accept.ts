// A fast yes for the common event: valid, and exactly what zod would hand back. Built from the
// zod schema itself at first use, so the schema stays the one place the rules are written.
// zod copies every event field by field (two objects a field): about 1 µs an event on the
// HTTP thread, for events that nothing in validation would change.

import { feedbackEventSchema } from '@tightloop/schema'

/** The parts of a zod 4 schema or check this module reads (`schema._zod`). */
interface Zod {
  _zod: {
    def: Def
    /** Present on checks, and on schemas that are checks themselves (string formats, z.int). */
    check?: (payload: Payload) => unknown
  }
}
interface Def {
  type?: string
  check?: string
  coerce?: boolean
  checks?: Zod[]
  when?: (payload: Payload) => boolean
  shape?: Record<string, Zod>
  innerType?: Zod
  in?: Zod
  out?: Zod
  values?: unknown[]
  options?: Zod[]
  discriminator?: string
  catchall?: Zod
}
/** What zod hands its checks: the value, and the list they add their complaints to. */
interface Payload {
  value: unknown
  issues: unknown[]
}

type Test = (value: unknown) => boolean

/**
 * The generated source of one test and the values it refers to by name. Generated, as zod's
 * own objects are: named property reads and one call site per check keep V8's caches
 * monomorphic, where a loop over fields and checks was slower than zod itself.
 */
class Source {
  readonly names: string[] = []
  readonly values: unknown[] = []
  /** A name in the generated code for `value`. */
  ref(value: unknown): string {
    const name = `r${this.names.length}`
    this.names.push(name)
    this.values.push(value)
    return name
  }
}

/**
 * Writes code that leaves the function with `false` unless `schema` accepts the value in `v`
 * and would hand back the same value; false when the schema uses a type or check this module
 * does not know (the caller then leaves such events to zod). Only the type test is written
 * here; every check (lengths, patterns, formats, refinements) is zod's own, run as zod runs
 * it, so its meaning cannot drift from the schema's.
 */
function writeField(schema: Zod, out: Source, lines: string[]): boolean {
  const def = schema._zod.def
  if (def.coerce) return false
  switch (def.type) {
    case 'pipe':
      // A pipe of two schemas that change nothing: the value must pass both.
      return (
        !!def.in && !!def.out && writeField(def.in, out, lines) && writeField(def.out, out, lines)
      )
    case 'string':
      lines.push(`if (typeof v !== 'string') return no()`)
      break
    case 'number':
      lines.push(`if (typeof v !== 'number' || !Number.isFinite(v)) return no()`)
      break
    case 'literal':
      lines.push(`if (!${out.ref(new Set(def.values))}.has(v)) return no()`)
      break
    default:
      return false
  }
  const checks = [...(def.checks ?? [])]
  if (schema._zod.check) checks.unshift(schema) // a format schema checks itself first
  if (checks.length > 0) lines.push('p.value = v')
  for (const check of checks) {
    const run = check._zod.check
    // An `overwrite` check (trim, toLowerCase) changes the value: zod's copy would differ.
    if (!run || check._zod.def.check === 'overwrite') return false
    const when = check._zod.def.when
    // A check answers undefined; a promise means an async check, which zod's safeParse refuses.
    const call = `if (${out.ref(run)}(p) !== undefined || p.issues.length > 0) return no()`
    lines.push(when ? `if (${out.ref(when)}(p)) ${call}` : call)
  }
  return true
}

/** The test of one object schema: every present key passes, required keys are there, no other. */
function objectTest(schema: Zod): Test {
  const def = schema._zod.def
  if (def.type !== 'object' || def.catchall || def.checks?.length) return () => false
  const out = new Source()
  const lines: string[] = []
  for (const [key, field] of Object.entries(def.shape ?? {})) {
    const optional = field._zod.def.type === 'optional'
    const inner = optional ? field._zod.def.innerType! : field
    // JSON has no undefined: a parsed body's undefined is an absent key.
    lines.push(`v = e[${JSON.stringify(key)}]`)
    lines.push(optional ? 'if (v !== undefined) {' : 'if (v === undefined) return no(); {')
    const fieldLines: string[] = []
    // A field only zod can check (metadata, a format not known here) leaves the event to zod.
    lines.push(...(writeField(inner, out, fieldLines) ? fieldLines : ['return no()']), 'n++', '}')
  }
  // No key besides the shape's: zod would drop nothing. (A key set to undefined by code rather
  // than JSON is counted here and not above, so it is left to zod too.)
  lines.push('let keys = 0', 'for (const _ in e) keys++', 'return n === keys')
  const source = [
    'const p = { value: undefined, issues: [] }',
    'const no = () => { p.value = undefined; p.issues.length = 0; return false }',
    `return (e) => { let v, n = 0\n${lines.join('\n')}\n}`,
  ].join('\n')
  return new Function(...out.names, source)(...out.values) as Test
}

let accept: Test | undefined

/**
 * True when `raw` is a feedback event that `feedbackEventSchema` accepts and hands back as it
 * is: every key known and valid, none dropped, nothing transformed. Then `raw` can serve as the
 * parsed event without zod's copy. False says nothing either way: ask zod.
 *
 * @example const event = acceptsAsIs(raw) ? raw : feedbackEventSchema.parse(raw)
 */
export function acceptsAsIs(raw: unknown): boolean {
  accept ??= compileEvents()
  return accept(raw)
}

function compileEvents(): Test {
  const def = (feedbackEventSchema as unknown as Zod)._zod.def
  const key = def.discriminator
  if (def.type !== 'union' || !key) return () => false
  const bySignal = new Map<unknown, Test>()
  for (const option of def.options ?? []) {
    const tag = option._zod.def.shape?.[key]?._zod.def
    if (tag?.type !== 'literal' || !tag.values) return () => false
    const test = objectTest(option)
    for (const value of tag.values) bySignal.set(value, test)
  }
  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false
    const test = bySignal.get((raw as Record<string, unknown>)[key])
    return test?.(raw) === true
  }
}
