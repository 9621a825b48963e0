import { EVENT_ID_PATTERN } from '@tightloop/schema/limits'
import { describe, expect, it } from 'vitest'
import { createEventIds } from './event-id.ts'

describe('createEventIds', () => {
  it('makes ids the collector accepts, unique and in creation order', () => {
    let ms = 1_700_000_000_000
    const nextId = createEventIds(() => ms, Math.random)
    const ids: string[] = []
    for (let i = 0; i < 10_000; i++) {
      if (i % 7 === 0) ms += 1
      ids.push(nextId())
    }
    for (const id of ids) expect(id).toMatch(EVENT_ID_PATTERN)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual(ids)
  })

  it('keeps increasing when the clock stands still or steps back', () => {
    const times = [5_000, 5_000, 4_000, 4_000, 6_000]
    const nextId = createEventIds(
      () => times.shift()!,
      () => 0.5,
    )
    const ids = Array.from({ length: 5 }, nextId)
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(5)
  })

  it('starts with the time, so ids of later milliseconds sort later', () => {
    let ms = 1_000
    const nextId = createEventIds(
      () => ms,
      () => 0.99,
    )
    const early = nextId()
    ms = 1_001
    const late = createEventIds(
      () => ms,
      () => 0,
    )()
    expect(early < late).toBe(true)
    expect(early.slice(0, 12)).toBe((1_000).toString(16).padStart(12, '0'))
  })

  it('stays fixed-width past 65,536 ids in one millisecond', () => {
    const nextId = createEventIds(
      () => 42,
      () => 0,
    )
    let previous = ''
    let broken = 0
    for (let i = 0; i < 70_000; i++) {
      const id = nextId()
      if (id.length !== 36 || id <= previous) broken++
      previous = id
    }
    expect(broken).toBe(0)
  })
})
