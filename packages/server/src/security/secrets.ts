import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

/** A new high-entropy secret with a readable prefix, e.g. `fw_pat_…` for personal API tokens. */
export function newSecret(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/**
 * SHA-256 of a high-entropy secret, hex. Tokens are random, so a fast hash is enough to make a
 * stolen database useless; passwords use Argon2id instead.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

// OWASP's Argon2id baseline (m=19 MiB, t=2, p=1).
// algorithm 2 is Argon2id (the package's const enum cannot be imported under isolated modules).
const argon2Options = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, argon2Options);
}

// Verifying against this keeps a failed login for an unknown email as slow as for a known one.
let dummyHash: Promise<string> | undefined;

/** Verifies a password; with no stored hash it still spends the same time and returns false. */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (storedHash === null) {
    dummyHash ??= hashPassword('flagward-timing-equalizer');
    await argon2Verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return argon2Verify(storedHash, password).catch(() => false);
}
