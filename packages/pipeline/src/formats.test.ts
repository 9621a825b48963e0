import { describe, expect, it } from 'vitest'
import {
  EXPORT_FORMATS,
  formatRow,
  serializeRow,
  toDpoRecord,
  toKtoRecords,
  toNativeRecord,
  toNdjsonLine,
  toOpenAiPreferenceRecord,
} from './formats.ts'
import type { TrainingRow } from './training-row.ts'

const pair: TrainingRow = {
  prompt: 'How do I reset my password?',
  preferred: 'Use the Forgot password link.',
  rejected: 'Open Settings.',
  weight: 0.9,
  source: 'explicit_correction',
  event_hash: 'ab'.repeat(32),
  row_id: 'cd'.repeat(32),
}
const negative: TrainingRow = { ...pair, preferred: null, weight: 0.5, source: 'thumbs_down' }

describe('native', () => {
  it('writes the documented fields in order', () => {
    expect(Object.keys(toNativeRecord({ ...pair }))).toEqual([
      'prompt',
      'preferred',
      'rejected',
      'weight',
      'source',
      'event_hash',
      'row_id',
    ])
    expect(JSON.parse(toNdjsonLine(toNativeRecord(negative))).preferred).toBeNull()
  })
})

describe('TRL DPO', () => {
  it('writes pairs as prompt/chosen/rejected and skips rejected-only rows', () => {
    expect(toDpoRecord(pair)).toEqual({
      prompt: pair.prompt,
      chosen: pair.preferred,
      rejected: pair.rejected,
    })
    expect(toDpoRecord(negative)).toBeNull()
  })
})

describe('TRL KTO', () => {
  it('writes a correction as a desirable and an undesirable completion', () => {
    expect(toKtoRecords(pair)).toEqual([
      { prompt: pair.prompt, completion: pair.preferred, label: true },
      { prompt: pair.prompt, completion: pair.rejected, label: false },
    ])
  })
  it('writes a rejected-only row as one undesirable completion', () => {
    expect(toKtoRecords(negative)).toEqual([
      { prompt: pair.prompt, completion: pair.rejected, label: false },
    ])
  })
})

describe('OpenAI preference fine-tuning', () => {
  it('writes input.messages, preferred_output and non_preferred_output for pairs only', () => {
    expect(toOpenAiPreferenceRecord(pair)).toEqual({
      input: { messages: [{ role: 'user', content: pair.prompt }] },
      preferred_output: [{ role: 'assistant', content: pair.preferred }],
      non_preferred_output: [{ role: 'assistant', content: pair.rejected }],
    })
    expect(toOpenAiPreferenceRecord(negative)).toBeNull()
  })
})

describe('NDJSON', () => {
  it('gives the expected number of records per format', () => {
    const counts = EXPORT_FORMATS.map((f) => [
      f,
      formatRow(pair, f).length,
      formatRow(negative, f).length,
    ])
    expect(counts).toEqual([
      ['native', 1, 1],
      ['dpo', 1, 0],
      ['kto', 2, 1],
      ['openai', 1, 0],
      ['sft', 1, 0],
    ])
  })
  it('keeps each record on one line, even with newlines and U+2028 in the text', () => {
    const tricky = { ...pair, prompt: 'line one\nline two\r\n\u2028\u2029 end' }
    for (const format of EXPORT_FORMATS) {
      const out = serializeRow(tricky, format)
      const lines = out.split('\n').filter(Boolean)
      expect(lines).toHaveLength(formatRow(tricky, format).length)
      expect(out).not.toMatch(/[\u2028\u2029\r]/)
      for (const line of lines) expect(JSON.stringify(JSON.parse(line))).toBeTruthy()
    }
    expect(JSON.parse(toNdjsonLine(toNativeRecord(tricky))).prompt).toBe(tricky.prompt)
  })
  it('writes nothing for a row a pairs-only format cannot hold', () => {
    expect(serializeRow(negative, 'dpo')).toBe('')
  })
})

describe('logged conversations and SFT', () => {
  const messages = [
    { role: 'system' as const, content: 'You are the bank bot.' },
    { role: 'user' as const, content: 'My card?' },
    { role: 'assistant' as const, content: 'Which card?' },
    { role: 'user' as const, content: 'How do I reset my password?' },
  ]
  it('uses the logged messages as OpenAI input.messages when present', () => {
    expect(toOpenAiPreferenceRecord({ ...pair, messages })?.input.messages).toEqual(messages)
    expect(toOpenAiPreferenceRecord(pair)?.input.messages).toEqual([
      { role: 'user', content: pair.prompt },
    ])
  })
  it('turns a correction into one SFT example ending with the correction, and skips the rest', () => {
    expect(formatRow({ ...pair, messages }, 'sft')).toEqual([
      { messages: [...messages, { role: 'assistant', content: pair.preferred }] },
    ])
    expect(formatRow(pair, 'sft')).toEqual([
      {
        messages: [
          { role: 'user', content: pair.prompt },
          { role: 'assistant', content: pair.preferred },
        ],
      },
    ])
    expect(formatRow(negative, 'sft')).toEqual([])
  })
})
