import { hashEntry, ZERO_HASH } from './entry-hash';

/** A stored audit entry as the tests build it. */
export type SampleEntry = Record<string, unknown> & { seq: number; prevHash: string; hash: string };

/**
 * A valid, chained log of `count` realistic entries (test data only).
 *
 * @example
 * const log = sampleLog(10);
 * log[9]!.seq; // 10
 */
export function sampleLog(count: number, org = 'acme'): SampleEntry[] {
  const entries: SampleEntry[] = [];
  let prevHash = ZERO_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const from = (seq * 5) % 100;
    const body = {
      seq,
      id: `01J${seq.toString(36).padStart(23, '0')}`,
      at: 1732400000000 + seq * 1000,
      org,
      actor: { type: 'member', id: 'mem_8f3a2c', email: 'sarah@acme.com' },
      actions: ['flags:UpdateFlagConfig'],
      resource: `fw:${org}:project/checkout:env/production:flag/checkout-v2`,
      project: 'checkout',
      environment: 'production',
      summary: `rollout changed checkout-v2 ${from}% → ${from + 5}% in production`,
      before: { on: true, rollout: from * 1000 },
      after: { on: true, rollout: (from + 5) * 1000 },
      outcome: 'applied',
      requestId: `req_${(seq * 7919).toString(16)}`,
      ip: '203.0.113.7',
      prevHash,
    };
    const hash = hashEntry(body);
    entries.push({ ...body, hash });
    prevHash = hash;
  }
  return entries;
}
