// Who is calling, by network address: the socket peer, or X-Forwarded-For behind trusted proxies.
import type { Context } from 'hono'

const socketAddress = (c: Context): string | undefined =>
  (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
    ?.remoteAddress

/**
 * Reads the client address. With `trustProxy` = n, the collector sits behind n proxies that
 * each append the address they saw to `X-Forwarded-For`, so the client is the n-th entry from
 * the right; entries further left were written by the client and prove nothing. Without
 * `trustProxy` the header is ignored: anyone can send it.
 *
 * @example readClientAddress(c, 1) // the address your load balancer saw
 */
export function readClientAddress(c: Context, trustProxy = 0): string | undefined {
  if (trustProxy > 0) {
    const forwarded = c.req.header('x-forwarded-for')
    if (forwarded) {
      const hops = forwarded
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
      const client = hops[Math.max(0, hops.length - trustProxy)]
      if (client) return client
    }
  }
  return socketAddress(c)
}

/**
 * The unit one address limit counts: an IPv4 address, or the /64 prefix of an IPv6 one (a
 * single subscriber usually holds a whole /64, so counting full addresses is trivial to evade).
 *
 * @example addressUnit('::ffff:10.0.0.1') // '10.0.0.1'; addressUnit('2001:db8::1') // '2001:db8:0:0::/64'
 */
export function addressUnit(address: string): string {
  const bare = address.replace(/^\[|\](:\d+)?$/g, '').replace(/%.*$/, '')
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)
  if (mapped) return mapped[1]!
  if (!bare.includes(':')) return bare
  const [head = '', tail] = bare.toLowerCase().split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
