interface Waiting<K, V> {
  key: K;
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

/**
 * Loads asked for in the same turn of the event loop, made by one query. The changes of a batch that
 * run side by side (see CommitBatcher) each ask for their own rows at about the same moment; gathered,
 * they cost one statement instead of one each (and, on PostgreSQL, one round trip).
 *
 * @example
 * const flags = new GatheredLoad((keys: string[]) => loadFlags(keys), (key) => key);
 * const [a, b] = await Promise.all([flags.get('checkout'), flags.get('search')]); // one query
 */
export class GatheredLoad<K, V> {
  private waiting: Array<Waiting<K, V>> = [];

  constructor(
    /** Loads the rows of `keys`; the result maps each found key's `idOf` to its value. */
    private readonly load: (keys: K[]) => Promise<ReadonlyMap<string, V>>,
    private readonly idOf: (key: K) => string,
  ) {}

  /** The value of `key`, or undefined when it does not exist. */
  get(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      // After the current callbacks and promise continuations: every change that is about to ask has.
      if (this.waiting.length === 1) process.nextTick(() => void this.run());
    });
  }

  private async run(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    try {
      const found = await this.load(batch.map((w) => w.key));
      for (const w of batch) w.resolve(found.get(this.idOf(w.key)));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
