// Which browser origins may send a project's events: exact origins, subdomain patterns
// (`https://*.example.com`) and `*` (any site). One parser for the environment, the CLI and
// the API, so a pattern one accepts is one the others match.

/** Why `value` is not an origin or pattern, or undefined when it is one. */
export function originProblem(value: string): string | undefined {
  if (value === '*') return undefined
  const match = /^(https?):\/\/(\*\.)?([^/\s:*]+)(:\d{1,5})?$/i.exec(value)
  if (!match) {
    return `"${value}" is not an origin: write https://support.example.com (no path), https://*.example.com for its subdomains, or * for any site`
  }
  if (match[2] && !match[3]!.includes('.')) {
    return `"${value}" would match subdomains of a top-level domain: name a site, like https://*.example.com`
  }
  return undefined
}

/**
 * True when the browser `origin` (as a browser sends it: `scheme://host[:port]`) is allowed by
 * one of `allowed`: the same origin, `*`, or `scheme://*.domain[:port]`, which matches any
 * subdomain of `domain` at any depth, not `domain` itself, with the same scheme and port.
 *
 * @example originMatches(['https://*.example.com'], 'https://help.example.com') // true
 */
export function originMatches(allowed: readonly string[], origin: string): boolean {
  const lower = origin.toLowerCase()
  for (const pattern of allowed) {
    if (pattern === '*' || pattern.toLowerCase() === lower) return true
    const star = pattern.indexOf('://*.')
    if (star < 0) continue
    const scheme = pattern.slice(0, star + 3).toLowerCase() // "https://"
    const suffix = `.${pattern.slice(star + 5).toLowerCase()}` // ".example.com[:port]"
    const host = lower.slice(scheme.length)
    if (lower.startsWith(scheme) && host.endsWith(suffix) && host.length > suffix.length) {
      if (!host.slice(0, -suffix.length).includes(':')) return true
    }
  }
  return false
}
