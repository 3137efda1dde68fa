import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { FlagwardError } from '../errors/flagward-error';
import { base64ToBytes, bytesToBase64, bytesToHex } from './byte-encoding';
import { HASH_SIZE } from './merkle-tree';

/** A tree head: the statement a checkpoint signs (C2SP tlog-checkpoint). */
export interface Checkpoint {
  /** Names the log (for Flagward: the organization's log). */
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

/** One signature line of a signed note. */
export interface NoteSignature {
  keyName: string;
  /** 8 lowercase hex digits. */
  keyId: string;
  signature: Uint8Array;
}

/** A parsed, NOT yet verified checkpoint note. */
export interface ParsedCheckpoint extends Checkpoint {
  /** Optional C2SP extension lines after the root hash (Flagward never writes any). */
  extensionLines: string[];
  /** The signed text: everything before the blank line, final newline included. */
  body: string;
  signatures: NoteSignature[];
}

/** Why a checkpoint was not accepted: unreadable, not signed by the key, or signed wrongly. */
export type CheckpointFailure = 'malformed-note' | 'signature-missing' | 'signature-invalid';

export type CheckpointVerification =
  | { ok: true; checkpoint: Checkpoint }
  | { ok: false; failure: CheckpointFailure; message: string };

/** A parsed verifier key (C2SP vkey). */
export interface VerifierKey {
  name: string;
  keyId: string;
  publicKey: Uint8Array;
}

const ED25519_TYPE = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
// Enough for any real checkpoint; bounds the work an oversized input can cause.
const MAX_NOTE_LENGTH = 1024 * 1024;
const MAX_SIGNATURES = 100;
// DER framing of an Ed25519 key: RFC 8410 PKCS#8 private key and SPKI public key, raw key appended.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const KEY_ID_PATTERN = /^[0-9a-f]{8}$/;
const SIZE_PATTERN = /^(?:0|[1-9][0-9]*)$/;

/**
 * A new Ed25519 signer key in the C2SP/Go `note` text form
 * `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>`. Keep it secret (a key file outside the
 * database); publish {@link vkeyFromSkey} of it. Throws `validation-failed` for an invalid key name
 * (empty, or containing spaces, `+` or control characters).
 *
 * @example
 * const skey = generateSignerKey('flagward.example/acme');
 */
export function generateSignerKey(name: string): string {
  requireKeyName(name);
  const seed = randomBytes(32);
  const keyId = computeKeyId(name, publicKeyOf(privateKeyFromSeed(seed)));
  return `PRIVATE+KEY+${name}+${keyId}+${bytesToBase64(Buffer.concat([Buffer.of(ED25519_TYPE), seed]))}`;
}

/**
 * The verifier key `<name>+<key id>+<base64(0x01 ‖ public key)>` of a signer key. Throws
 * `validation-failed` for a malformed signer key.
 *
 * @example
 * vkeyFromSkey(generateSignerKey('flagward.example/acme')); // 'flagward.example/acme+1a2b3c4d+Ab…'
 */
export function vkeyFromSkey(skey: string): string {
  const signer = parseSignerKey(skey);
  return `${signer.name}+${signer.keyId}+${bytesToBase64(Buffer.concat([Buffer.of(ED25519_TYPE), signer.publicKey]))}`;
}

/**
 * Parses and checks a verifier key (the key id must match the name and public key). Throws
 * `validation-failed` when malformed.
 *
 * @example
 * parseVerifierKey(vkey).name; // 'flagward.example/acme'
 */
export function parseVerifierKey(vkey: string): VerifierKey {
  const parts = splitKey(vkey.trim(), 3);
  if (parts === undefined) throw keyError('vkey', 'expected <name>+<key id>+<base64 key>');
  const [name = '', keyId = '', encoded = ''] = parts;
  const publicKey = decodeTypedKey(encoded, 'vkey');
  return { name, keyId: checkKeyId(name, keyId, publicKey, 'vkey'), publicKey };
}

/**
 * Signs a checkpoint and returns the note text: the body `<origin>\n<size>\n<base64 root>\n`, a blank
 * line, and the signature line `— <key name> <base64(key id ‖ signature)>\n`. Throws
 * `validation-failed` for a malformed key, an origin that is empty or has control characters, a size
 * that is not a non-negative safe integer or a root hash that is not 32 bytes.
 *
 * @example
 * const note = signCheckpoint({ origin: 'flagward.example/acme', size: 42, rootHash: frontier.root() }, skey);
 */
export function signCheckpoint(checkpoint: Checkpoint, skey: string): string {
  const { origin, size, rootHash } = checkpoint;
  if (
    origin.length === 0 ||
    hasControlCharacter(origin) ||
    origin.includes('\n') ||
    LONE_SURROGATE.test(origin)
  ) {
    throw FlagwardError.validation([{ path: 'origin', message: 'must be one non-empty line of text' }]);
  }
  if (!Number.isSafeInteger(size) || size < 0) {
    throw FlagwardError.validation([{ path: 'size', message: 'must be a non-negative safe integer' }]);
  }
  if (rootHash.length !== HASH_SIZE) {
    throw FlagwardError.validation([{ path: 'rootHash', message: `must be ${HASH_SIZE} bytes` }]);
  }
  return signNote(`${origin}\n${size}\n${bytesToBase64(rootHash)}\n`, skey);
}

/**
 * Signs any note text (C2SP signed-note, Ed25519): `text ‖ "\n" ‖ "— <name> <base64(key id ‖ sig)>\n"`.
 * {@link signCheckpoint} is this over a checkpoint body. Throws `validation-failed` for a malformed
 * key or a text that is empty, lacks its final newline, or has control characters.
 *
 * @example
 * signNote('hello\n', skey); // 'hello\n\n— flagward.example/acme AbCd…=\n'
 */
export function signNote(text: string, skey: string): string {
  const signer = parseSignerKey(skey);
  if (!text.endsWith('\n') || hasControlCharacter(text) || LONE_SURROGATE.test(text)) {
    throw FlagwardError.validation([
      { path: 'text', message: 'must end with a newline and contain no control characters but newlines' },
    ]);
  }
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  const blob = Buffer.concat([Buffer.from(signer.keyId, 'hex'), signature]);
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${bytesToBase64(blob)}\n`;
}

/**
 * Parses a checkpoint note WITHOUT verifying any signature (use {@link verifyCheckpoint} before
 * trusting it). Throws `validation-failed` describing the first malformation.
 *
 * @example
 * parseCheckpoint(note).size; // 42
 */
export function parseCheckpoint(noteText: string): ParsedCheckpoint {
  if (noteText.length > MAX_NOTE_LENGTH) throw malformed(`longer than ${MAX_NOTE_LENGTH} characters`);
  if (hasControlCharacter(noteText)) throw malformed('contains a control character other than newline');
  if (LONE_SURROGATE.test(noteText)) throw malformed('is not well-formed Unicode');
  const split = noteText.lastIndexOf('\n\n');
  if (split < 0) throw malformed('has no blank line separating the text from the signatures');
  const body = noteText.slice(0, split + 1);
  const signatureBlock = noteText.slice(split + 2);
  if (!signatureBlock.endsWith('\n')) throw malformed('signature lines must end with a newline');
  const signatureLines = signatureBlock.slice(0, -1).split('\n');
  if (signatureLines.length > MAX_SIGNATURES) throw malformed(`has more than ${MAX_SIGNATURES} signatures`);
  const signatures = signatureLines.map(parseSignatureLine);

  const lines = body.slice(0, -1).split('\n');
  const [origin = '', sizeText = '', rootText = '', ...extensionLines] = lines;
  if (lines.length < 3) throw malformed('a checkpoint needs an origin, a tree size and a root hash line');
  if (lines.some((line) => line.length === 0)) throw malformed('checkpoint lines must not be empty');
  if (!SIZE_PATTERN.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw malformed(`tree size "${sizeText}" is not a decimal number without leading zeros`);
  }
  const rootHash = decodeBase64(rootText);
  if (rootHash?.length !== HASH_SIZE) throw malformed(`root hash must be base64 of ${HASH_SIZE} bytes`);
  return { origin, size: Number(sizeText), rootHash, extensionLines, body, signatures };
}

/**
 * Verifies a checkpoint note against one verifier key and returns the tree head it signs, or why it
 * is not acceptable: `malformed-note` (unreadable), `signature-missing` (no signature by this key
 * name and id; signatures by other keys are ignored, as C2SP requires) or `signature-invalid` (a
 * signature by this key does not verify). Throws `validation-failed` only for a malformed vkey, which
 * is configuration, not input.
 *
 * @example
 * const result = verifyCheckpoint(note, vkey);
 * if (result.ok) verifier.checkCheckpoint(result.checkpoint);
 */
export function verifyCheckpoint(noteText: string, vkey: string): CheckpointVerification {
  const key = parseVerifierKey(vkey);
  let parsed: ParsedCheckpoint;
  try {
    parsed = parseCheckpoint(noteText);
  } catch (error) {
    if (error instanceof FlagwardError)
      return { ok: false, failure: 'malformed-note', message: error.message };
    throw error;
  }
  const mine = parsed.signatures.filter((s) => s.keyName === key.name && s.keyId === key.keyId);
  if (mine.length === 0) {
    const present = parsed.signatures.map((s) => `${s.keyName}+${s.keyId}`).join(', ');
    return {
      ok: false,
      failure: 'signature-missing',
      message: `the checkpoint is not signed by ${key.name}+${key.keyId} (signed by: ${present})`,
    };
  }
  const publicKey = publicKeyFromRaw(key.publicKey);
  const body = Buffer.from(parsed.body, 'utf8');
  for (const { signature } of mine) {
    if (signature.length !== 64 || !verify(null, body, publicKey, signature)) {
      return {
        ok: false,
        failure: 'signature-invalid',
        message: `the signature by ${key.name}+${key.keyId} does not verify: the checkpoint was altered or forged`,
      };
    }
  }
  return { ok: true, checkpoint: { origin: parsed.origin, size: parsed.size, rootHash: parsed.rootHash } };
}

interface SignerKey {
  name: string;
  keyId: string;
  privateKey: KeyObject;
  publicKey: Buffer;
}

function parseSignerKey(skey: string): SignerKey {
  const parts = splitKey(skey.trim(), 5);
  if (parts === undefined || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
    throw keyError('skey', 'expected PRIVATE+KEY+<name>+<key id>+<base64 key>');
  }
  const [, , name = '', keyId = '', encoded = ''] = parts;
  const privateKey = privateKeyFromSeed(decodeTypedKey(encoded, 'skey'));
  const publicKey = publicKeyOf(privateKey);
  return { name, keyId: checkKeyId(name, keyId, publicKey, 'skey'), privateKey, publicKey };
}

/** Splits at the first `count - 1` plus signs: the base64 key at the end may itself contain '+'. */
function splitKey(text: string, count: number): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 1; i < count; i++) {
    const plus = text.indexOf('+', start);
    if (plus < 0) return undefined;
    parts.push(text.slice(start, plus));
    start = plus + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('a signature line must start with "— "');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const keyName = space < 0 ? '' : rest.slice(0, space);
  if (keyNameProblem(keyName) !== undefined) throw malformed(`bad key name in signature line "${line}"`);
  const blob = decodeBase64(rest.slice(space + 1));
  if (blob === undefined || blob.length < 5) throw malformed(`bad signature in signature line "${line}"`);
  return { keyName, keyId: bytesToHex(blob.subarray(0, 4)), signature: blob.subarray(4) };
}

function decodeTypedKey(encoded: string, path: string): Buffer {
  const bytes = decodeBase64(encoded);
  if (bytes?.length !== 33 || bytes[0] !== ED25519_TYPE) {
    throw keyError(path, 'the key must be base64 of 0x01 followed by 32 bytes (Ed25519)');
  }
  return bytes.subarray(1);
}

function checkKeyId(name: string, keyId: string, publicKey: Uint8Array, path: string): string {
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw keyError(path, `key name ${problem}`);
  if (!KEY_ID_PATTERN.test(keyId)) throw keyError(path, 'the key id must be 8 lowercase hex digits');
  if (computeKeyId(name, publicKey) !== keyId)
    throw keyError(path, 'the key id does not match the name and key');
  return keyId;
}

function computeKeyId(name: string, publicKey: Uint8Array): string {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.of(0x0a, ED25519_TYPE))
    .update(publicKey)
    .digest();
  return bytesToHex(digest.subarray(0, 4));
}

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyOf(privateKey: KeyObject): Buffer {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32);
}

function publicKeyFromRaw(publicKey: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
    format: 'der',
    type: 'spki',
  });
}

/** Whether the text has an ASCII control character other than newline (the signed-note rule). */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

function keyNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (/[\s+]/u.test(name) || hasControlCharacter(name) || LONE_SURROGATE.test(name)) {
    return 'must not contain spaces, "+" or control characters';
  }
  return undefined;
}

function requireKeyName(name: string): void {
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw FlagwardError.validation([{ path: 'name', message: problem }]);
}

function decodeBase64(text: string): Buffer | undefined {
  try {
    return base64ToBytes(text);
  } catch {
    return undefined;
  }
}

function malformed(message: string): FlagwardError {
  return new FlagwardError('validation-failed', `malformed checkpoint note: ${message}`);
}

function keyError(path: string, message: string): FlagwardError {
  return FlagwardError.validation([{ path, message }]);
}
