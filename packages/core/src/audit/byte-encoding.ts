import { FlagwardError } from '../errors/flagward-error';

const LOWER_HEX = /^(?:[0-9a-f]{2})*$/;

/**
 * Lowercase hex of some bytes.
 *
 * @example
 * bytesToHex(new Uint8Array([0, 255])); // '00ff'
 */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Bytes of a lowercase hex string; throws `validation-failed` for anything else (uppercase included,
 * because every hex value Flagward publishes is lowercase and a second spelling would be a second
 * identity for the same hash).
 *
 * @example
 * hexToBytes('00ff'); // Uint8Array [0, 255]
 */
export function hexToBytes(hex: string): Buffer {
  if (!LOWER_HEX.test(hex)) {
    throw new FlagwardError(
      'validation-failed',
      'expected lowercase hexadecimal with an even number of digits',
    );
  }
  return Buffer.from(hex, 'hex');
}

/**
 * Standard (RFC 4648 §4) padded base64 of some bytes.
 *
 * @example
 * bytesToBase64(new Uint8Array([1, 2, 3])); // 'AQID'
 */
export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Bytes of a standard padded base64 string, strictly: Node's decoder silently skips invalid characters
 * and accepts missing padding, so the value is re-encoded and must round-trip exactly. Throws
 * `validation-failed` otherwise.
 *
 * @example
 * base64ToBytes('AQID'); // Uint8Array [1, 2, 3]
 */
export function base64ToBytes(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) {
    throw new FlagwardError('validation-failed', 'expected standard padded base64');
  }
  return bytes;
}

/**
 * Whether two byte arrays are equal. Not constant-time: everything compared here is public.
 *
 * @example
 * bytesEqual(new Uint8Array([1]), new Uint8Array([1])); // true
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
