import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanCanonicalEntry } from './canonical-entry-text';
import { canonicalJson } from './canonical-json';
import { AuditChainVerifier } from './chain-verifier';
import { hashEntry, ZERO_HASH } from './entry-hash';
import { sampleLog } from './sample-log.fixture';

const LOG = sampleLog(12);
const TEXTS = LOG.map((entry) => canonicalJson(entry));

/** Verifies texts both ways: pushText and the reference push(JSON.parse(text)). */
function bothWays(texts: readonly string[]) {
  const fast = new AuditChainVerifier({ keepLeafHashes: true });
  for (const text of texts) if (!fast.pushText(text)) break;
  const reference = new AuditChainVerifier({ keepLeafHashes: true });
  for (const text of texts) {
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      entry = text;
    }
    if (!reference.push(entry)) break;
  }
  return { fast: fast.result(), reference: reference.result() };
}

function replaceAt(texts: readonly string[], index: number, text: string): string[] {
  return texts.map((t, i) => (i === index ? text : t));
}

describe('scanCanonicalEntry', () => {
  it('recomputes hashEntry from the canonical text of a stored entry', () => {
    for (const entry of LOG) {
      const scan = scanCanonicalEntry(canonicalJson(entry));
      expect(scan).toEqual({
        seq: entry.seq,
        prevHash: entry.prevHash,
        hash: entry.hash,
        computed: entry.hash,
      });
    }
  });

  it('declines texts that are not canonical', () => {
    const text = TEXTS[3]!;
    const pretty = JSON.stringify(JSON.parse(text), null, 2);
    const reordered = JSON.stringify({ hash: LOG[3]!.hash, ...LOG[3] });
    const duplicated = text.replace('{"actions"', '{"actions":["x"],"actions"');
    for (const variant of [
      pretty,
      reordered,
      duplicated,
      ` ${text}`,
      `${text} `,
      text.replace('"seq":4', '"seq":4.0'),
    ]) {
      expect(scanCanonicalEntry(variant)).toBeUndefined();
    }
  });

  it('agrees with hashEntry on arbitrary JSON entries (hash member first, middle or last)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.string(), (rest, key) => {
        const entry: Record<string, unknown> = { ...rest, [key]: 'x', seq: 1, prevHash: ZERO_HASH };
        const withHash = { ...entry, hash: hashEntry(entry) };
        const text = canonicalJson(withHash);
        const scan = scanCanonicalEntry(text);
        // Whenever the fast path answers, it must be exactly hashEntry of the parsed text.
        if (scan !== undefined) expect(scan.computed).toBe(hashEntry(JSON.parse(text)));
      }),
      { numRuns: 300 },
    );
  });

  it('takes the fast path for escapes, non-ASCII, surrogate pairs and number forms JCS writes', () => {
    const entry = {
      seq: 1,
      prevHash: ZERO_HASH,
      a: 'tab\there "quoted" back\\slash \u0001 \u007f é → 😀',
      n: [1e21, 0.5, -3, 1.5e-7, 0, 2 ** 60],
      before: { hash: 'nested', seq: 99 },
    };
    const text = canonicalJson({ ...entry, hash: hashEntry(entry) });
    expect(scanCanonicalEntry(text)?.computed).toBe(hashEntry(entry));
  });
});

describe('AuditChainVerifier.pushText', () => {
  it('verifies a canonical log exactly as push does', () => {
    const { fast, reference } = bothWays(TEXTS);
    expect(fast).toEqual(reference);
    expect(fast.ok).toBe(true);
  });

  it('reports the same outcome, problem, message and firstBadSeq as push for every variant', () => {
    const entry = LOG[5]!;
    const variants = [
      replaceAt(TEXTS, 5, TEXTS[5]!.replace('sarah@acme.com', 'mallory@acme.com')),
      replaceAt(TEXTS, 5, canonicalJson({ ...entry, extra: 1 })),
      replaceAt(TEXTS, 5, canonicalJson({ ...entry, seq: 7 })),
      replaceAt(TEXTS, 5, canonicalJson({ ...entry, prevHash: ZERO_HASH })),
      replaceAt(TEXTS, 5, canonicalJson({ ...entry, hash: 'AB' })),
      replaceAt(TEXTS, 5, canonicalJson({ ...entry, hash: entry.hash.toUpperCase() })),
      replaceAt(TEXTS, 5, '{"seq":6'),
      replaceAt(TEXTS, 5, '[]'),
      TEXTS.filter((_, i) => i !== 5),
    ];
    // Non-canonical but equivalent texts verify as before (JSON.parse keeps the last duplicate).
    const equivalent = [
      replaceAt(TEXTS, 5, JSON.stringify(JSON.parse(TEXTS[5]!), null, 1)),
      replaceAt(TEXTS, 5, TEXTS[5]!.replace('{"actions"', '{"actions":["x"],"actions"')),
    ];
    for (const texts of equivalent) {
      const { fast, reference } = bothWays(texts);
      expect(fast).toEqual(reference);
      expect(fast.ok).toBe(true);
    }
    for (const texts of variants) {
      const { fast, reference } = bothWays(texts);
      expect(fast).toEqual(reference);
      expect(fast.ok).toBe(false);
    }
  });
});
