import { describe, expect, it } from 'vitest';
import {
  generateSignerKey,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifyCheckpoint,
  vkeyFromSkey,
} from './checkpoint-note';
import { leafHash } from './merkle-tree';

// The example key and note of golang.org/x/mod/sumdb/note, the reference implementation of the
// format (Ed25519 is deterministic, so the signature must match byte for byte).
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

const ORIGIN = 'flagward.example/acme';
const SKEY = generateSignerKey(ORIGIN);
const VKEY = vkeyFromSkey(SKEY);
const ROOT = leafHash(Buffer.from('root'));
const NOTE = signCheckpoint({ origin: ORIGIN, size: 42, rootHash: ROOT }, SKEY);

describe('keys', () => {
  it('match the Go reference key encoding and key id', () => {
    expect(vkeyFromSkey(GO_SKEY)).toBe(GO_VKEY);
    expect(parseVerifierKey(GO_VKEY)).toMatchObject({ name: 'PeterNeumann', keyId: 'c74f20a3' });
  });

  it('generates keys in the documented text forms', () => {
    expect(SKEY).toMatch(/^PRIVATE\+KEY\+flagward\.example\/acme\+[0-9a-f]{8}\+A[Q-Za-f][A-Za-z0-9+/]{42}$/);
    expect(VKEY).toMatch(/^flagward\.example\/acme\+[0-9a-f]{8}\+A[Q-Za-f][A-Za-z0-9+/]{42}$/);
    expect(VKEY.split('+')[1]).toBe(SKEY.split('+')[3]);
  });

  it('rejects invalid key names and malformed keys', () => {
    for (const name of ['', 'a b', 'a+b', 'a\nb', 'a\u00a0b']) {
      expect(() => generateSignerKey(name), JSON.stringify(name)).toThrow(
        expect.objectContaining({ code: 'validation-failed' }),
      );
    }
    const [name = '', id = ''] = VKEY.split('+');
    // The base64 key may itself contain '+'.
    const key = VKEY.slice(name.length + id.length + 2);
    const otherId = id === '00000000' ? '00000001' : '00000000';
    for (const bad of [
      '',
      'x',
      `${name}+${id}`,
      `${name}+${otherId}+${key}`,
      `${name}+${id}+AAAA`,
      `other+${id}+${key}`,
    ]) {
      expect(() => parseVerifierKey(bad), bad).toThrow(
        expect.objectContaining({ code: 'validation-failed' }),
      );
    }
    expect(() => vkeyFromSkey(VKEY)).toThrow(expect.objectContaining({ code: 'validation-failed' }));
    expect(() => vkeyFromSkey(SKEY.replace('PRIVATE', 'PUBLIC'))).toThrow(/PRIVATE\+KEY/);
  });
});

describe('signed notes', () => {
  it('signs exactly like the Go reference implementation', () => {
    expect(signNote(GO_TEXT, GO_SKEY)).toBe(GO_NOTE);
  });

  it('refuses text that is not a note text', () => {
    expect(() => signNote('no final newline', SKEY)).toThrow(/newline/);
    expect(() => signNote('tab\there\n', SKEY)).toThrow(/control/);
  });
});

describe('checkpoints', () => {
  it('have the C2SP body and one signature line', () => {
    const lines = NOTE.split('\n');
    expect(lines.slice(0, 4)).toEqual([ORIGIN, '42', ROOT.toString('base64'), '']);
    expect(lines[4]).toMatch(new RegExp(`^\u2014 ${ORIGIN} [A-Za-z0-9+/]{91}=$`));
    expect(lines[5]).toBe('');
    expect(lines).toHaveLength(6);
  });

  it('round-trip through sign, parse and verify', () => {
    const parsed = parseCheckpoint(NOTE);
    expect(parsed).toMatchObject({ origin: ORIGIN, size: 42, extensionLines: [] });
    expect(Buffer.from(parsed.rootHash).equals(ROOT)).toBe(true);
    expect(parsed.signatures).toHaveLength(1);
    expect(parsed.signatures[0]).toMatchObject({ keyName: ORIGIN, keyId: VKEY.split('+')[1] });

    const result = verifyCheckpoint(NOTE, VKEY);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.checkpoint).toMatchObject({ origin: ORIGIN, size: 42 });
      expect(Buffer.from(result.checkpoint.rootHash).equals(ROOT)).toBe(true);
    }
  });

  it('sign the empty tree', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 0, rootHash: Buffer.alloc(32) }, SKEY);
    expect(verifyCheckpoint(note, VKEY)).toMatchObject({ ok: true, checkpoint: { size: 0 } });
  });

  it('reject a tampered body as signature-invalid', () => {
    const otherRoot = leafHash(Buffer.from('other')).toString('base64');
    for (const tampered of [
      NOTE.replace('\n42\n', '\n43\n'),
      NOTE.replace(ROOT.toString('base64'), otherRoot),
      NOTE.replace(ORIGIN, 'flagward.example/evil'),
    ]) {
      expect(verifyCheckpoint(tampered, VKEY)).toMatchObject({ ok: false, failure: 'signature-invalid' });
    }
  });

  it('reject a note signed by another key as signature-missing', () => {
    const otherSkey = generateSignerKey(ORIGIN);
    const forged = signCheckpoint({ origin: ORIGIN, size: 42, rootHash: ROOT }, otherSkey);
    const result = verifyCheckpoint(forged, VKEY);
    expect(result).toMatchObject({ ok: false, failure: 'signature-missing' });
    expect(verifyCheckpoint(NOTE, vkeyFromSkey(otherSkey))).toMatchObject({ failure: 'signature-missing' });
  });

  it('ignore signatures by unknown keys but not a bad one by the trusted key', () => {
    const witness = signNote(NOTE.slice(0, NOTE.indexOf('\n\n') + 1), generateSignerKey('witness.example'));
    const witnessLine = witness.slice(witness.indexOf('\u2014'));
    expect(verifyCheckpoint(`${NOTE}${witnessLine}`, VKEY).ok).toBe(true);

    const ownLine = NOTE.slice(NOTE.indexOf('\u2014'));
    const blob = Buffer.from(ownLine.trim().split(' ')[2]!, 'base64');
    blob[10]! ^= 0xff;
    const badLine = `\u2014 ${ORIGIN} ${blob.toString('base64')}\n`;
    expect(verifyCheckpoint(`${NOTE}${badLine}`, VKEY)).toMatchObject({
      ok: false,
      failure: 'signature-invalid',
    });
  });

  it('report malformed notes as malformed-note, and parseCheckpoint throws for them', () => {
    const [body, signatures] = NOTE.split('\n\n') as [string, string];
    const root = ROOT.toString('base64');
    const malformed = [
      '',
      body,
      `${body}\n\n`,
      `${body}\n\n${signatures.trimEnd()}`,
      `${body}\n\n- ${signatures.slice(2)}`,
      `${body}\n\n\u2014 ${ORIGIN}  ${signatures.split(' ')[2]}`,
      `${body}\n\n\u2014 ${ORIGIN} AAAA\n`,
      `${body}\n\n\u2014 ${ORIGIN} not*base64\n`,
      `${ORIGIN}\n42\n\n${signatures}`,
      `${ORIGIN}\n042\n${root}\n\n${signatures}`,
      `${ORIGIN}\n-1\n${root}\n\n${signatures}`,
      `${ORIGIN}\n9007199254740993\n${root}\n\n${signatures}`,
      `${ORIGIN}\n42\nAAAA\n\n${signatures}`,
      `${ORIGIN}\n42\n${root}\n\nextra\n\n${signatures}`,
      `\n42\n${root}\n\n${signatures}`,
      `${ORIGIN}\r\n42\n${root}\n\n${signatures}`,
      `${ORIGIN}\n42\n${root}\n\n${signatures}`.replace('\u2014', '\u2013'),
      GO_NOTE,
    ];
    for (const note of malformed) {
      expect(verifyCheckpoint(note, VKEY), JSON.stringify(note)).toMatchObject({
        ok: false,
        failure: 'malformed-note',
      });
      expect(() => parseCheckpoint(note), JSON.stringify(note)).toThrow(
        expect.objectContaining({ code: 'validation-failed' }),
      );
    }
  });

  it('accept extension lines, which the signature covers', () => {
    const note = signNote(`${ORIGIN}\n7\n${ROOT.toString('base64')}\nsome extension\n`, SKEY);
    expect(parseCheckpoint(note).extensionLines).toEqual(['some extension']);
    expect(verifyCheckpoint(note, VKEY)).toMatchObject({ ok: true, checkpoint: { size: 7 } });
  });

  it('refuse to sign an invalid checkpoint', () => {
    const bad = [
      { origin: '', size: 1, rootHash: ROOT },
      { origin: 'a\nb', size: 1, rootHash: ROOT },
      { origin: ORIGIN, size: -1, rootHash: ROOT },
      { origin: ORIGIN, size: 1.5, rootHash: ROOT },
      { origin: ORIGIN, size: 1, rootHash: new Uint8Array(31) },
    ];
    for (const checkpoint of bad) {
      expect(() => signCheckpoint(checkpoint, SKEY)).toThrow(
        expect.objectContaining({ code: 'validation-failed' }),
      );
    }
  });
});
