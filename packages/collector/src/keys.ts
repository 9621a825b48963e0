// Project keys: public keys identify a project in browsers, secret keys are stored hashed.
import { createHash, randomBytes } from 'node:crypto'

/** A new public key, safe to put in a web page. */
export function generatePublicKey(): string {
  return `pk_${randomBytes(18).toString('base64url')}`
}

/** A new secret key, shown once and stored only as its SHA-256. */
export function generateSecretKey(): string {
  return `sk_${randomBytes(24).toString('base64url')}`
}

/** The stored form of a secret key. High-entropy keys need no slow password hash. */
export function hashSecretKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** True when `key` looks like a tightloop key of that kind. */
export function isKeyOf(kind: 'public' | 'secret', key: string): boolean {
  return new RegExp(`^${kind === 'public' ? 'pk' : 'sk'}_[A-Za-z0-9_-]{8,128}$`).test(key)
}
