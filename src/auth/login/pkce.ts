import { createHash, randomBytes } from 'node:crypto';

/** A PKCE pair: the secret verifier and its S256 challenge (RFC 7636). */
export interface Pkce {
  verifier: string;
  challenge: string;
}

/**
 * A fresh PKCE pair: 64 random bytes as base64url (86 characters, within RFC 7636's 43–128) and
 * `BASE64URL(SHA-256(verifier))`.
 */
export function createPkce(): Pkce {
  const verifier = randomBytes(64).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A random, unguessable `state` (32 bytes, base64url). */
export function randomState(): string {
  return randomBytes(32).toString('base64url');
}
