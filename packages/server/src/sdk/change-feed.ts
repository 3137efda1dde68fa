import { sql } from 'kysely';
import pg from 'pg';
import type { Store } from '../db/database';

/**
 * An applied change that may affect the rulesets of a project, as announced to every server process.
 * `environment` is absent for changes of a project or of a flag in all its environments.
 */
export interface RulesetChange {
  org: string;
  project: string;
  environment?: string;
  flag?: string;
  seq: number;
  hash: string;
}

/** Where a change feed reports what it hears. */
export interface ChangeFeedLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** Who listens to a change feed. */
export interface ChangeFeedSubscriber {
  /** A change was committed (by this process or, through PostgreSQL, by another one). */
  change(change: RulesetChange): void;
  /**
   * Changes may have been missed (the feed has just (re)connected): every follower must compare its
   * state with the database.
   */
  resync(): void;
}

/**
 * Carries committed changes to every server process sharing the database. This is the one place
 * where the SDK's change propagation differs between SQLite (one process: in-process fan-out) and
 * PostgreSQL (`NOTIFY` on commit, `LISTEN` on a dedicated connection in each process).
 */
export interface ChangeFeed {
  /** Announces a committed change (to this process at once, and to the others where there are any). */
  publish(change: RulesetChange): void;
  subscribe(subscriber: ChangeFeedSubscriber): () => void;
  /** Starts listening to other processes, if any; idempotent and lazy (called when SDKs connect). */
  start(): void;
  setLogger(logger: ChangeFeedLogger): void;
  close(): Promise<void>;
}

/** Parses a change announced by another process; undefined when the payload is not one. */
export function parseRulesetChange(payload: string): RulesetChange | undefined {
  try {
    const value = JSON.parse(payload) as Partial<RulesetChange>;
    if (
      typeof value?.org !== 'string' ||
      typeof value.project !== 'string' ||
      typeof value.seq !== 'number' ||
      typeof value.hash !== 'string' ||
      (value.environment !== undefined && typeof value.environment !== 'string') ||
      (value.flag !== undefined && typeof value.flag !== 'string')
    ) {
      return undefined;
    }
    return value as RulesetChange;
  } catch {
    return undefined;
  }
}

const silent: ChangeFeedLogger = { warn: () => undefined, info: () => undefined };

/** The feed of a single process (SQLite): committed changes go straight to the local subscribers. */
export class InProcessChangeFeed implements ChangeFeed {
  protected readonly subscribers = new Set<ChangeFeedSubscriber>();
  protected logger: ChangeFeedLogger = silent;

  publish(change: RulesetChange): void {
    this.deliver(change);
  }

  subscribe(subscriber: ChangeFeedSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  start(): void {}

  setLogger(logger: ChangeFeedLogger): void {
    this.logger = logger;
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }

  protected deliver(change: RulesetChange): void {
    for (const subscriber of this.subscribers) {
      try {
        subscriber.change(change);
      } catch (error) {
        this.logger.warn({ err: error }, 'an SDK change subscriber failed');
      }
    }
  }

  protected resyncAll(): void {
    for (const subscriber of this.subscribers) {
      try {
        subscriber.resync();
      } catch (error) {
        this.logger.warn({ err: error }, 'an SDK change subscriber failed to resync');
      }
    }
  }
}

/** The PostgreSQL channel every Flagward process listens on. */
export const CHANGE_CHANNEL = 'flagward_changes';

/** NOTIFYs sent in one statement at most. */
const NOTIFY_BATCH = 100;

export interface PostgresChangeFeedOptions {
  /** First reconnection delay of the LISTEN connection (doubles up to maxReconnectDelayMs). */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

/**
 * The feed of processes sharing one PostgreSQL database. `publish` delivers locally at once and sends
 * `NOTIFY flagward_changes` with the change as JSON; a dedicated connection `LISTEN`s and hands other
 * processes' changes (and this process's own, which followers recognize by `seq`) to the subscribers.
 * When that connection drops it reconnects with backoff and asks every follower to resync, since
 * notifications sent meanwhile are lost.
 */
export class PostgresChangeFeed extends InProcessChangeFeed {
  private client: pg.Client | undefined;
  private readonly outbox: string[] = [];
  private started = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private readonly reconnectDelayMs: number;
  private readonly maxReconnectDelayMs: number;

  constructor(
    private readonly store: Store,
    private readonly databaseUrl: string,
    options: PostgresChangeFeedOptions = {},
  ) {
    super();
    this.reconnectDelayMs = options.reconnectDelayMs ?? 100;
    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? 5_000;
  }

  override publish(change: RulesetChange): void {
    this.deliver(change);
    if (this.closed) return;
    // Changes committed in the same turn of the event loop share one round trip.
    this.outbox.push(JSON.stringify(change));
    if (this.outbox.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const payloads = this.outbox.splice(0, NOTIFY_BATCH);
    if (this.outbox.length > 0) setImmediate(() => this.flush());
    if (payloads.length === 0 || this.closed) return;
    const notifies = sql.join(payloads.map((payload) => sql`pg_notify(${CHANGE_CHANNEL}, ${payload})`));
    sql`select ${notifies}`.execute(this.store.db).catch((error: unknown) => {
      // The changes are committed; a process that misses them catches up at its next change or resync.
      this.logger.warn(
        { err: error, changes: payloads.length },
        'could not announce changes to other processes',
      );
    });
  }

  override start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.connect();
  }

  /** Whether the LISTEN connection is currently established (for tests and readiness). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Terminates the LISTEN connection as a network failure would (tests use it to prove resync). */
  async dropListenConnectionForTest(): Promise<void> {
    const client = this.client;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5_000 });
    let failed = false;
    const fail = (error?: unknown) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (!this.closed) {
        if (error) this.logger.warn({ err: error }, 'the PostgreSQL LISTEN connection failed; reconnecting');
        this.scheduleReconnect();
      }
    };
    client.on('error', (error) => fail(error));
    client.on('end', () => fail());
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL || message.payload === undefined) return;
      const change = parseRulesetChange(message.payload);
      if (change) this.deliver(change);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      fail(error);
      return;
    }
    if (this.closed || failed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    // Whatever was committed before LISTEN took effect was not announced to us: compare now.
    this.resyncAll();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = Math.min(this.maxReconnectDelayMs, this.reconnectDelayMs * 2 ** this.attempt);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(
      () => {
        this.reconnectTimer = undefined;
        void this.connect();
      },
      delay * (0.5 + Math.random() / 2),
    );
    this.reconnectTimer.unref();
  }

  override async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
    await super.close();
  }
}

/** The change feed for a store: PostgreSQL LISTEN/NOTIFY, or in-process for SQLite. */
export function createChangeFeed(store: Store, databaseUrl: string | undefined): ChangeFeed {
  return store.dialect === 'postgres' && databaseUrl
    ? new PostgresChangeFeed(store, databaseUrl)
    : new InProcessChangeFeed();
}
