// Export formats: one training row to the records of native, TRL DPO, TRL KTO or OpenAI
// preference fine-tuning, and a record to one NDJSON line.
import type { ChatMessage } from '@tightloop/schema'
import type { TrainingRow } from './training-row.ts'

/**
 * Every export format `GET /v1/export?format=` accepts.
 *
 * @example EXPORT_FORMATS.includes(query.format) // validate ?format=
 */
export const EXPORT_FORMATS = ['native', 'dpo', 'kto', 'openai', 'sft'] as const

/** An export format name. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** TRL `DPOTrainer` preference record (standard format, explicit prompt). */
export interface DpoRecord {
  prompt: string
  chosen: string
  rejected: string
}

/** TRL `KTOTrainer` unpaired preference record: `label` true for a desired completion. */
export interface KtoRecord {
  prompt: string
  completion: string
  label: boolean
}

/** A chat message of the OpenAI fine-tuning format. */
export type OpenAiMessage = ChatMessage

/** One supervised fine-tuning example (OpenAI chat format): the conversation, then the correction. */
export interface SftRecord {
  messages: OpenAiMessage[]
}

/** One line of an OpenAI preference (DPO) fine-tuning file. */
export interface OpenAiPreferenceRecord {
  input: { messages: OpenAiMessage[] }
  preferred_output: OpenAiMessage[]
  non_preferred_output: OpenAiMessage[]
}

/** Any record an export line can hold. */
export type ExportRecord = TrainingRow | DpoRecord | KtoRecord | OpenAiPreferenceRecord | SftRecord

/**
 * The native record: the row itself with its fields in the documented order
 * `{prompt, preferred, rejected, weight, source, event_hash, row_id}`.
 *
 * @example toNativeRecord(row) // { prompt, preferred, rejected, weight, source, event_hash, row_id }
 */
export function toNativeRecord(row: TrainingRow): TrainingRow {
  return {
    prompt: row.prompt,
    preferred: row.preferred,
    rejected: row.rejected,
    weight: row.weight,
    source: row.source,
    ...(row.reliability !== undefined && { reliability: row.reliability }),
    event_hash: row.event_hash,
    row_id: row.row_id,
  }
}

/**
 * TRL DPO record, pairs only: `null` for rejected-only rows (DPO needs a chosen answer).
 *
 * @example toDpoRecord(correctionRow) // { prompt, chosen: correction, rejected: answer }
 */
export function toDpoRecord(row: TrainingRow): DpoRecord | null {
  if (row.preferred === null) return null
  return { prompt: row.prompt, chosen: row.preferred, rejected: row.rejected }
}

/**
 * TRL KTO records: a correction gives two (the correction labelled true, the answer it
 * replaced labelled false); a rejected-only row gives one, labelled false.
 *
 * @example toKtoRecords(thumbsDownRow) // [{ prompt, completion: answer, label: false }]
 */
export function toKtoRecords(row: TrainingRow): KtoRecord[] {
  const rejected: KtoRecord = { prompt: row.prompt, completion: row.rejected, label: false }
  if (row.preferred === null) return [rejected]
  return [{ prompt: row.prompt, completion: row.preferred, label: true }, rejected]
}

/**
 * OpenAI preference fine-tuning record, pairs only: `null` for rejected-only rows.
 *
 * @example toOpenAiPreferenceRecord(correctionRow)
 * // { input: { messages: [{ role: 'user', content: prompt }] }, preferred_output: [...], non_preferred_output: [...] }
 */
export function toOpenAiPreferenceRecord(row: TrainingRow): OpenAiPreferenceRecord | null {
  if (row.preferred === null) return null
  return {
    input: { messages: inputMessages(row) },
    preferred_output: [{ role: 'assistant', content: row.preferred }],
    non_preferred_output: [{ role: 'assistant', content: row.rejected }],
  }
}

/**
 * Supervised fine-tuning example, corrections only: the conversation the model was sent (the
 * logged `messages`, or the prompt as one user turn), then the correction as the assistant's
 * answer. `null` for rejected-only rows.
 *
 * @example toSftRecord(correctionRow) // { messages: [{ role: 'user', … }, { role: 'assistant', content: correction }] }
 */
export function toSftRecord(row: TrainingRow): SftRecord | null {
  if (row.preferred === null) return null
  return { messages: [...inputMessages(row), { role: 'assistant', content: row.preferred }] }
}

/** The logged conversation when there is one (multi-turn), else the prompt as one user turn. */
function inputMessages(row: TrainingRow): OpenAiMessage[] {
  return row.messages?.length ? row.messages : [{ role: 'user', content: row.prompt }]
}

/**
 * The records one row gives in a format: zero (a rejected-only row in a pairs-only format),
 * one, or two (a correction in KTO).
 *
 * @example formatRow(row, 'dpo') // [] or [{ prompt, chosen, rejected }]
 */
export function formatRow(row: TrainingRow, format: ExportFormat): ExportRecord[] {
  switch (format) {
    case 'native':
      return [toNativeRecord(row)]
    case 'dpo': {
      const record = toDpoRecord(row)
      return record ? [record] : []
    }
    case 'kto':
      return toKtoRecords(row)
    case 'openai': {
      const record = toOpenAiPreferenceRecord(row)
      return record ? [record] : []
    }
    case 'sft': {
      const record = toSftRecord(row)
      return record ? [record] : []
    }
  }
}

const HAS_LINE_SEPARATOR = /[\u2028\u2029]/
const LINE_SEPARATORS = /[\u2028\u2029]/g

/**
 * One NDJSON line (with its `\n`). `JSON.stringify` already escapes `\n` inside strings;
 * U+2028/U+2029 are escaped too, because Python's `str.splitlines()` splits on them.
 *
 * @example toNdjsonLine({ a: 1 }) // '{"a":1}\n'
 */
export function toNdjsonLine(record: ExportRecord): string {
  const json = JSON.stringify(record)
  if (!HAS_LINE_SEPARATOR.test(json)) return `${json}\n`
  return `${json.replace(LINE_SEPARATORS, escapeSeparator)}\n`
}

/**
 * All NDJSON lines one row gives in a format, concatenated (`''` when it gives none).
 *
 * @example serializeRow(row, 'kto') // two lines for a correction
 */
export function serializeRow(row: TrainingRow, format: ExportFormat): string {
  let out = ''
  for (const record of formatRow(row, format)) out += toNdjsonLine(record)
  return out
}

function escapeSeparator(char: string): string {
  return char === '\u2028' ? '\\u2028' : '\\u2029'
}
