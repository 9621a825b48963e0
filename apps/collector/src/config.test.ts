// Settings from the environment: defaults, each variable, and a readable message per mistake.
import { describe, expect, it } from 'vitest'
import { ConfigError, limitsFrom, readConfig } from './config.ts'

const read = (env: Record<string, string>) => readConfig(env, '/srv/app')

describe('readConfig', () => {
  it('has the documented defaults', () => {
    const config = read({})
    expect(config).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      database: '/srv/app/data/tightloop.db',
      ratePerAddress: 1200,
      ratePerKey: 120000,
      eventsPerMinute: 0,
      trustProxy: 0,
    })
    expect(config.publicKey).toBeUndefined()
  })

  it('reads keys, origins, reasons, limits and a postgres URL', () => {
    const config = read({
      PORT: '9000',
      TIGHTLOOP_DATABASE: 'postgres://u@127.0.0.1:5432/db',
      TIGHTLOOP_PUBLIC_KEY: 'pk_abcdefgh1234',
      TIGHTLOOP_SECRET_KEY: 'sk_abcdefgh1234',
      TIGHTLOOP_ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443, https://*.c.example',
      TIGHTLOOP_ESCALATION_REASONS: 'billing,refund',
      TIGHTLOOP_TRUST_PROXY: '1',
      TIGHTLOOP_ADDRESS_SECRET: 'a-shared-secret-of-the-cluster',
      TIGHTLOOP_EVENTS_PER_MINUTE: '5000',
    })
    expect(config.port).toBe(9000)
    expect(config.database).toBe('postgres://u@127.0.0.1:5432/db')
    expect(config.allowedOrigins).toEqual([
      'https://a.example',
      'https://b.example:8443',
      'https://*.c.example',
    ])
    expect(config.escalationReasons).toEqual(['billing', 'refund'])
    expect(limitsFrom(config)).toEqual({
      perAddress: { max: 1200, windowMs: 60_000 },
      perKey: { max: 120000, windowMs: 60_000 },
      eventsPerProject: { max: 5000, windowMs: 60_000 },
      trustProxy: 1,
      addressSecret: 'a-shared-secret-of-the-cluster',
    })
  })

  it('turns a limit off with 0', () => {
    const limits = limitsFrom(
      read({ TIGHTLOOP_RATE_PER_ADDRESS: '0', TIGHTLOOP_RATE_PER_KEY: '0' }),
    )
    expect(limits).toEqual({})
  })

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number from 0 to 65535, not "eighty"/],
    [{ PORT: '70000' }, /PORT must be a whole number/],
    [{ TIGHTLOOP_DATABASE: 'mysql://x/y' }, /file path or a postgres:\/\/ URL/],
    [{ TIGHTLOOP_ALLOWED_ORIGINS: 'https://a.example/path' }, /no path/],
    [{ TIGHTLOOP_ALLOWED_ORIGINS: 'https://*.com' }, /top-level domain/],
    [{ TIGHTLOOP_PUBLIC_KEY: 'abc' }, /TIGHTLOOP_PUBLIC_KEY must look like pk_/],
    [{ TIGHTLOOP_PUBLIC_KEY: 'pk_abcdefgh1234', TIGHTLOOP_SECRET_KEY: 'pk_x' }, /sk_/],
    [{ TIGHTLOOP_SECRET_KEY: 'sk_abcdefgh1234' }, /needs TIGHTLOOP_PUBLIC_KEY/],
    [{ TIGHTLOOP_TRUST_PROXY: '-1' }, /TIGHTLOOP_TRUST_PROXY must be a whole number from 0 to 10/],
    [{ TIGHTLOOP_ADDRESS_SECRET: 'short' }, /at least 16 characters/],
  ])('rejects %j with a readable message', (env, message) => {
    expect(() => read(env as Record<string, string>)).toThrow(ConfigError)
    expect(() => read(env as Record<string, string>)).toThrow(message)
  })
})
