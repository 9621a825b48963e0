// Public API of @tightloop/schema: the wire protocol v1, once.

export * from './answers.ts'
export * from './errors.ts'
export * from './events.ts'
export * from './limits.ts'
export * from './signals.ts'
