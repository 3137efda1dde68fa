/*
 * A small seeded pseudo-random generator (mulberry32), so the synthetic organization and the request
 * mix are the same on every run and every machine.
 */

/**
 * A deterministic random source.
 *
 * @example
 * const r = createRandom(42);
 * r.int(10); // 0..9, the same on every run
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks an item with the given relative weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** Up to `n` distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[];
  shuffle<T>(items: T[]): T[];
}

/**
 * A mulberry32 generator seeded with `seed`.
 *
 * @example
 * createRandom(1).pick(['a', 'b']);
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const shuffle = <T>(items: T[]): T[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  };
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)]!,
    weighted: (items) => {
      const total = items.reduce((n, [, w]) => n + w, 0);
      let x = next() * total;
      for (const [item, w] of items) {
        x -= w;
        if (x < 0) return item;
      }
      return items.at(-1)![0];
    },
    sample: (items, n) => shuffle([...items]).slice(0, Math.min(n, items.length)),
    shuffle,
  };
}
