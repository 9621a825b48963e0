import { describe, expect, it } from 'vitest'
import { originMatches, originProblem } from './origins.ts'

describe('origins', () => {
  it('accepts origins, subdomain patterns and *; refuses the rest with the fix', () => {
    for (const ok of [
      '*',
      'https://a.example.com',
      'http://localhost:5173',
      'https://*.example.com',
      'https://*.example.com:8443',
    ]) {
      expect(originProblem(ok), ok).toBeUndefined()
    }
    for (const bad of [
      'https://a.example.com/',
      'example.com',
      'https://*.com',
      'https://a.*.example.com',
      'ftp://x.y',
      'https://*example.com',
    ]) {
      expect(originProblem(bad), bad).toMatch(/origin|site/)
    }
  })

  it('matches subdomains at any depth with the same scheme and port, never the bare domain', () => {
    const allowed = ['https://*.example.com', 'http://localhost:3000']
    expect(originMatches(allowed, 'https://help.example.com')).toBe(true)
    expect(originMatches(allowed, 'https://a.b.EXAMPLE.com')).toBe(true)
    expect(originMatches(allowed, 'http://localhost:3000')).toBe(true)
    for (const no of [
      'https://example.com',
      'http://help.example.com',
      'https://help.example.com:8443',
      'https://evilexample.com',
      'https://help.example.com.evil.net',
      'http://localhost:3001',
    ]) {
      expect(originMatches(allowed, no), no).toBe(false)
    }
    expect(originMatches(['https://*.example.com:8443'], 'https://x.example.com:8443')).toBe(true)
    expect(originMatches(['*'], 'https://anything.net')).toBe(true)
  })
})
