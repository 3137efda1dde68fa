import { sha256OfCanonicalJson, sha256WithCanonicalJson } from './canonical-json';

/** The `prevHash` of the first entry (seq 1) of every organization's log: 64 hex zeros. */
export const ZERO_HASH = '0'.repeat(64);

const ENTRY_HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The `hash` of an audit entry: lowercase hex SHA-256(0x00 ‖ UTF-8(JCS(entry without `hash`))).
 * The same 32 bytes are the entry's RFC 6962 leaf hash, so the 0x00 prefix is the RFC 6962 leaf
 * domain separator. A `hash` member on the object is ignored, so a stored entry can be passed as is.
 * Throws `validation-failed` when the entry holds a value with no JSON meaning.
 *
 * @example
 * const entry = { seq: 1, prevHash: ZERO_HASH, summary: 'enabled checkout-v2 in production' };
 * const stored = { ...entry, hash: hashEntry(entry) };
 * hashEntry(stored) === stored.hash; // true
 */
export function hashEntry(entryWithoutHash: object): string {
  return sha256OfCanonicalJson(entryWithoutHash, 'hash', 0x00);
}

/**
 * Seals an entry: its `hash` (as `hashEntry`) and the canonical JSON of the entry with that hash, which
 * is what the log stores, both from one serialization.
 *
 * @example
 * const entry = { seq: 1, prevHash: ZERO_HASH, summary: 'enabled checkout-v2 in production' };
 * const { hash, canonical } = sealEntry(entry);
 * canonical === canonicalJson({ ...entry, hash }); // true
 */
export function sealEntry(entryWithoutHash: object): { hash: string; canonical: string } {
  const { digest, text } = sha256WithCanonicalJson(entryWithoutHash, 'hash', 0x00);
  return { hash: digest, canonical: text };
}

/**
 * Whether a value is a well-formed entry hash (64 lowercase hex digits).
 *
 * @example
 * isEntryHash(ZERO_HASH); // true
 * isEntryHash('ABC');     // false
 */
export function isEntryHash(value: unknown): value is string {
  return typeof value === 'string' && ENTRY_HASH_PATTERN.test(value);
}
