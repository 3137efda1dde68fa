import { createHash } from 'node:crypto';
export const ZERO_HASH = '0'.repeat(64);
export function hashEntry(e: object): string {
  const { hash: _h, ...rest } = e as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}
export class MerkleFrontier {
  n = 0;
  static fromJSON(j: { n: number }) {
    const f = new MerkleFrontier();
    f.n = j.n ?? 0;
    return f;
  }
  append(_b: Buffer) {
    this.n++;
  }
  toJSON() {
    return { n: this.n };
  }
}
