// The JSX declarations type-check (tsc -b runs over this file) and reject what they should.
import './preact.ts'
import { describe, expect, it } from 'vitest'

describe('JSX declarations', () => {
  it('accept the elements with their attributes in Preact JSX', () => {
    const bar = <tightloop-feedback request-id="req_1" prompt="How?" editable="false" />
    const escalate = <tightloop-escalate request-id="req_1" agent onEscalate={(r) => r.length} />
    // @ts-expect-error request-id is required
    const missing = <tightloop-csat theme="dark" />
    // @ts-expect-error theme is a closed set
    const wrong = <tightloop-csat request-id="r" theme="blue" />
    expect([bar, escalate, missing, wrong].map((node) => node.type)).toEqual([
      'tightloop-feedback',
      'tightloop-escalate',
      'tightloop-csat',
      'tightloop-csat',
    ])
  })
})
