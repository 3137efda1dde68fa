import {
  type CompiledFlag,
  type FlagMetadata as CoreFlagMetadata,
  compileRulesetFlag,
  type EvaluationContext,
  type EvaluationErrorCode,
  type EvaluationReason,
  type EvaluationResult,
  evaluate as evaluateCompiled,
  type JsonValue,
  type Ruleset,
  type RulesetFlag,
} from '@flagward/core';
import { type ServerSentEvent, SseParser } from './sse.parser';

/**
 * A flag of a ruleset as the server streams it: the core ruleset entry plus `auditHash`, the hash of
 * the audit entry of the flag's latest change in the environment.
 *
 * @example
 * const flag: FlagwardRulesetFlag = { ...rulesetFlag, auditHash: '9f2c…' };
 */
export interface FlagwardRulesetFlag extends RulesetFlag {
  auditHash?: string;
}

/**
 * The ruleset of one environment (`GET /sdk/v1/ruleset`, the stream's `put`), usable as `bootstrap`.
 *
 * @example
 * const ruleset: FlagwardRuleset = { environment: 'production', version: 42, flags: {} };
 */
export interface FlagwardRuleset extends Ruleset {
  flags: Record<string, FlagwardRulesetFlag>;
}

/**
 * The evaluation context: `key` identifies the subject (OpenFeature's `targetingKey` is accepted
 * instead); other properties are attributes for rules. Dates are ISO-8601 strings or epoch milliseconds.
 *
 * @example
 * const context: FlagwardContext = { key: 'user-42', email: 'ann@acme.com', plan: 'pro' };
 */
export type FlagwardContext = EvaluationContext;

/**
 * Error codes of an evaluation that served the caller's default (OpenFeature's error codes).
 *
 * @example
 * const code: FlagwardErrorCode = 'FLAG_NOT_FOUND';
 */
export type FlagwardErrorCode = EvaluationErrorCode | 'PROVIDER_NOT_READY';

/**
 * What produced a value: the configuration `version` and `auditHash`, the hash of the audit entry of
 * the flag's latest change, so every evaluation traces to an audited change; `ruleId`/`ruleIndex`
 * when a rule decided.
 *
 * @example
 * const metadata: FlagwardFlagMetadata = { version: 7, auditHash: '9f2c…', ruleId: 'beta', ruleIndex: 0 };
 */
export interface FlagwardFlagMetadata {
  readonly version: number;
  readonly auditHash?: string;
  readonly ruleId?: string;
  readonly ruleIndex?: number;
}

/**
 * An evaluation's outcome, shaped like OpenFeature's evaluation details. When `errorCode` is set,
 * `value` is the default the caller gave and `reason` is `ERROR`.
 *
 * @example
 * const details: EvaluationDetails<boolean> = client.evaluate('checkout-v2', { key: 'user-1' }, false);
 * if (details.errorCode) console.warn(details.errorCode, details.errorMessage);
 */
export interface EvaluationDetails<T> {
  readonly value: T;
  readonly variant?: string;
  readonly reason: EvaluationReason;
  readonly errorCode?: FlagwardErrorCode;
  readonly errorMessage?: string;
  readonly flagMetadata: FlagwardFlagMetadata;
}

/**
 * Where the client logs (a `console` or a pino logger fits).
 *
 * @example
 * createClient({ url, serverKey, logger: console });
 */
export interface FlagwardLogger {
  debug?(...args: unknown[]): void;
  info?(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * Options of {@link createClient}.
 *
 * @example
 * const options: FlagwardClientOptions = { url: 'http://127.0.0.1:4242', serverKey: process.env.FLAGWARD_SERVER_KEY! };
 */
export interface FlagwardClientOptions {
  /** The Flagward server, e.g. `http://127.0.0.1:4242` (not needed offline). */
  url?: string;
  /** The environment's server key (`GET …/environments/{e}/sdk-keys`; not needed offline). */
  serverKey?: string;
  /** A ruleset to serve until (or, offline, instead of) the server's. */
  bootstrap?: FlagwardRuleset;
  /** Serve `bootstrap` only, without any network access. */
  offline?: boolean;
  logger?: FlagwardLogger;
  /** First reconnection delay; doubles (with jitter) up to `maxRetryDelayMs`. Default 500 ms. */
  initialRetryDelayMs?: number;
  /** Default 30 s. */
  maxRetryDelayMs?: number;
  /** A stream silent this long (the server sends a heartbeat every 15 s) is reconnected. Default 45 s. */
  streamIdleTimeoutMs?: number;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: typeof fetch;
}

/**
 * The client's events: `ready` once a ruleset is available, `change` with the keys of flags whose
 * configuration changed, `connected`/`disconnected` as the stream comes and goes, `error` for
 * problems worth reporting (a refused key, a malformed event).
 *
 * @example
 * const events: Array<keyof FlagwardClientEvents> = ['ready', 'change'];
 */
export interface FlagwardClientEvents {
  ready: () => void;
  change: (keys: string[]) => void;
  connected: () => void;
  disconnected: () => void;
  error: (error: Error) => void;
}

interface FlagState {
  readonly entry: FlagwardRulesetFlag;
  readonly fingerprint: string;
  readonly compiled: CompiledFlag;
  readonly auditHash: string | undefined;
  readonly baseMetadata: CoreFlagMetadata;
  readonly metadata: FlagwardFlagMetadata;
  readonly details: WeakMap<EvaluationResult, EvaluationDetails<JsonValue | undefined>>;
}

const EMPTY_CONTEXT: FlagwardContext = Object.freeze({});
/** Rule metadata merged with the audit hash, once per core metadata object (they are shared and frozen). */
const mergedMetadata = new WeakMap<CoreFlagMetadata, FlagwardFlagMetadata>();

function flagStateOf(key: string, entry: FlagwardRulesetFlag, previous: FlagState | undefined): FlagState {
  const fingerprint = JSON.stringify(entry);
  if (previous !== undefined && previous.fingerprint === fingerprint) return previous;
  const { auditHash, ...rulesetFlag } = entry;
  const compiled = compileRulesetFlag(key, rulesetFlag);
  const baseMetadata = Object.freeze({ version: compiled.version }) as CoreFlagMetadata;
  const metadata: FlagwardFlagMetadata = Object.freeze(
    auditHash === undefined ? { version: compiled.version } : { version: compiled.version, auditHash },
  );
  return { entry, fingerprint, compiled, auditHash, baseMetadata, metadata, details: new WeakMap() };
}

function metadataOf(flag: FlagState, core: CoreFlagMetadata): FlagwardFlagMetadata {
  if (core.ruleId === undefined) return flag.metadata;
  let merged = mergedMetadata.get(core);
  if (merged === undefined) {
    merged = Object.freeze(
      flag.auditHash === undefined ? { ...core } : { ...core, auditHash: flag.auditHash },
    );
    mergedMetadata.set(core, merged);
  }
  return merged;
}

function jsonType(value: unknown): string {
  return value === null ? 'object' : typeof value;
}

function isRuleset(value: unknown): value is FlagwardRuleset {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FlagwardRuleset).flags === 'object' &&
    (value as FlagwardRuleset).flags !== null &&
    typeof (value as FlagwardRuleset).version === 'number'
  );
}

class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/**
 * A Flagward SDK client: it loads the environment's ruleset, follows the change stream, and
 * evaluates flags locally with the core evaluator (no network call per evaluation). While the server
 * is unreachable it keeps serving the last ruleset it received and reconnects with exponential
 * backoff and jitter; every (re)connection starts with the whole ruleset, so it never misses a change.
 * Create it with {@link createClient}.
 *
 * @example
 * const client = createClient({ url: 'http://127.0.0.1:4242', serverKey: process.env.FLAGWARD_SERVER_KEY! });
 * await client.waitForReady(5_000);
 * if (client.boolean('checkout-v2', { key: 'user-42' }, false)) showNewCheckout();
 */
export class FlagwardClient {
  private flags = new Map<string, FlagState>();
  private currentVersion = 0;
  private environmentKey: string | undefined;
  private isReady = false;
  private isClosed = false;
  private isConnected = false;
  private readonly listeners: { [E in keyof FlagwardClientEvents]: Set<FlagwardClientEvents[E]> } = {
    ready: new Set(),
    change: new Set(),
    connected: new Set(),
    disconnected: new Set(),
    error: new Set(),
  };
  private controller: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private attempt = 0;
  private readonly fetcher: typeof fetch;
  private readonly initialRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly idleTimeoutMs: number;

  /**
   * Use {@link createClient}, which is the same.
   *
   * @example
   * const client = new FlagwardClient({ url: 'http://127.0.0.1:4242', serverKey });
   */
  constructor(private readonly options: FlagwardClientOptions) {
    this.fetcher = options.fetch ?? fetch;
    this.initialRetryDelayMs = options.initialRetryDelayMs ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.idleTimeoutMs = options.streamIdleTimeoutMs ?? 45_000;
    if (!options.offline && (!options.url || !options.serverKey)) {
      throw new TypeError('createClient needs url and serverKey (or offline: true with a bootstrap ruleset)');
    }
    if (options.bootstrap !== undefined) {
      if (!isRuleset(options.bootstrap))
        throw new TypeError('bootstrap must be a ruleset {environment, version, flags}');
      this.applyRuleset(options.bootstrap);
    }
    if (!options.offline) void this.run();
  }

  /**
   * Whether a ruleset is available (from the server or the bootstrap).
   *
   * @example
   * if (!client.ready) console.warn('serving defaults');
   */
  get ready(): boolean {
    return this.isReady;
  }

  /**
   * Whether the change stream is currently connected.
   *
   * @example
   * metrics.gauge('flagward_stream_connected', client.connected ? 1 : 0);
   */
  get connected(): boolean {
    return this.isConnected;
  }

  /**
   * The version of the ruleset served (the organization's audit head when it was read; 0 before any).
   *
   * @example
   * console.log(`flags as of audit entry ${client.version}`);
   */
  get version(): number {
    return this.currentVersion;
  }

  /**
   * A snapshot of the ruleset served (usable as a `bootstrap` for another client).
   *
   * @example
   * fs.writeFileSync('flags.json', JSON.stringify(client.ruleset()));
   */
  ruleset(): FlagwardRuleset {
    return {
      environment: this.environmentKey ?? '',
      version: this.currentVersion,
      flags: Object.fromEntries([...this.flags].map(([key, state]) => [key, state.entry])),
    };
  }

  /**
   * Resolves once a ruleset is available; rejects after `timeoutMs` (default 10 s) or if the client closes.
   *
   * @example
   * await client.waitForReady(5_000);
   */
  waitForReady(timeoutMs = 10_000): Promise<void> {
    if (this.isReady) return Promise.resolve();
    if (this.isClosed) return Promise.reject(new Error('the Flagward client is closed'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new TimeoutError(`the Flagward client was not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on('ready', () => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /**
   * Subscribes to an event; returns the function that unsubscribes.
   *
   * @example
   * const off = client.on('change', (keys) => console.log('changed:', keys.join(', ')));
   * off();
   */
  on<E extends keyof FlagwardClientEvents>(event: E, listener: FlagwardClientEvents[E]): () => void {
    this.listeners[event].add(listener);
    return () => this.off(event, listener);
  }

  /**
   * Unsubscribes a listener added with {@link FlagwardClient.on}.
   *
   * @example
   * client.off('change', onChange);
   */
  off<E extends keyof FlagwardClientEvents>(event: E, listener: FlagwardClientEvents[E]): void {
    this.listeners[event].delete(listener);
  }

  /**
   * Evaluates a flag for a context and returns OpenFeature-style details. Never throws: an unknown
   * flag (FLAG_NOT_FOUND), a value of another type than `defaultValue` (TYPE_MISMATCH), a client
   * without a ruleset yet (PROVIDER_NOT_READY) or an evaluation error (TARGETING_KEY_MISSING,
   * PARSE_ERROR…) serve `defaultValue` with reason ERROR and the error code.
   *
   * @example
   * const details = client.evaluate('checkout-v2', { key: 'user-42' }, false);
   * details.value;                    // true
   * details.reason;                   // 'SPLIT'
   * details.flagMetadata.auditHash;   // the audit entry of the change that set the rollout
   */
  evaluate<T extends JsonValue>(
    key: string,
    context: FlagwardContext,
    defaultValue: T,
  ): EvaluationDetails<T> {
    if (!this.isReady) {
      return {
        value: defaultValue,
        reason: 'ERROR',
        errorCode: 'PROVIDER_NOT_READY',
        errorMessage: 'the Flagward client has no ruleset yet',
        flagMetadata: { version: 0 },
      };
    }
    const flag = this.flags.get(key);
    if (flag === undefined) {
      return {
        value: defaultValue,
        reason: 'ERROR',
        errorCode: 'FLAG_NOT_FOUND',
        errorMessage: `no flag "${key}" in the ruleset`,
        flagMetadata: { version: 0 },
      };
    }
    const result: EvaluationResult = evaluateCompiled(flag.compiled, context ?? EMPTY_CONTEXT);
    if (result.errorCode !== undefined) {
      return {
        value: defaultValue,
        reason: 'ERROR',
        errorCode: result.errorCode,
        ...(result.errorMessage === undefined ? {} : { errorMessage: result.errorMessage }),
        flagMetadata: flag.metadata,
      };
    }
    if (jsonType(result.value) !== jsonType(defaultValue)) {
      return {
        value: defaultValue,
        reason: 'ERROR',
        errorCode: 'TYPE_MISMATCH',
        errorMessage: `flag "${key}" served a ${jsonType(result.value)}, the default is a ${jsonType(defaultValue)}`,
        flagMetadata: flag.metadata,
      };
    }
    // Core results are immutable and shared, so their details are built once per result.
    let details = flag.details.get(result);
    if (details === undefined) {
      details = Object.freeze(
        result.variant === undefined
          ? {
              value: result.value,
              reason: result.reason,
              flagMetadata: metadataOf(flag, result.flagMetadata),
            }
          : {
              value: result.value,
              variant: result.variant,
              reason: result.reason,
              flagMetadata: metadataOf(flag, result.flagMetadata),
            },
      );
      flag.details.set(result, details);
    }
    return details as EvaluationDetails<T>;
  }

  /**
   * A boolean flag's value, or `defaultValue` when it cannot be served as a boolean.
   *
   * @example
   * if (client.boolean('checkout-v2', { key: 'user-42' }, false)) showNewCheckout();
   */
  boolean(key: string, context: FlagwardContext, defaultValue: boolean): boolean {
    const value = this.value(key, context);
    return typeof value === 'boolean' ? value : defaultValue;
  }

  /**
   * A string flag's value, or `defaultValue` when it cannot be served as a string.
   *
   * @example
   * const theme = client.string('theme', { key: 'user-42' }, 'light');
   */
  string(key: string, context: FlagwardContext, defaultValue: string): string {
    const value = this.value(key, context);
    return typeof value === 'string' ? value : defaultValue;
  }

  /**
   * A number flag's value, or `defaultValue` when it cannot be served as a number.
   *
   * @example
   * const pageSize = client.number('page-size', { key: 'user-42' }, 20);
   */
  number(key: string, context: FlagwardContext, defaultValue: number): number {
    const value = this.value(key, context);
    return typeof value === 'number' ? value : defaultValue;
  }

  /**
   * A json flag's value (an object, array or null), or `defaultValue` when it cannot be served as one.
   *
   * @example
   * const limits = client.json('limits', { key: 'user-42' }, { requestsPerMinute: 60 });
   */
  json<T extends JsonValue>(key: string, context: FlagwardContext, defaultValue: T): T {
    const value = this.value(key, context);
    return value !== undefined && jsonType(value) === jsonType(defaultValue) ? (value as T) : defaultValue;
  }

  /**
   * Stops following the server and releases timers and connections. The last ruleset stays
   * available to evaluations.
   *
   * @example
   * process.on('SIGTERM', () => client.close());
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.controller?.abort();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    this.setConnected(false);
  }

  private value(key: string, context: FlagwardContext): JsonValue | undefined {
    const flag = this.flags.get(key);
    return flag === undefined ? undefined : evaluateCompiled(flag.compiled, context ?? EMPTY_CONTEXT).value;
  }

  private emit<E extends keyof FlagwardClientEvents>(
    event: E,
    ...args: Parameters<FlagwardClientEvents[E]>
  ): void {
    for (const listener of [...this.listeners[event]]) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        this.options.logger?.error('flagward: a listener failed', error);
      }
    }
  }

  private applyRuleset(ruleset: FlagwardRuleset): void {
    const next = new Map<string, FlagState>();
    const changed: string[] = [];
    for (const [key, entry] of Object.entries(ruleset.flags)) {
      const previous = this.flags.get(key);
      const state = flagStateOf(key, entry, previous);
      next.set(key, state);
      if (state !== previous) changed.push(key);
    }
    for (const key of this.flags.keys()) if (!next.has(key)) changed.push(key);
    this.flags = next;
    this.currentVersion = ruleset.version;
    this.environmentKey = ruleset.environment;
    this.becomeReady(changed);
  }

  private applyPatch(patch: {
    key: string;
    flag?: FlagwardRulesetFlag;
    deleted?: boolean;
    version?: number;
  }): void {
    const previous = this.flags.get(patch.key);
    let changed = false;
    if (patch.deleted === true || patch.flag === undefined) {
      if (previous !== undefined) {
        const next = new Map(this.flags);
        next.delete(patch.key);
        this.flags = next;
        changed = true;
      }
    } else {
      const state = flagStateOf(patch.key, patch.flag, previous);
      if (state !== previous) {
        const next = new Map(this.flags);
        next.set(patch.key, state);
        this.flags = next;
        changed = true;
      }
    }
    if (typeof patch.version === 'number' && patch.version > this.currentVersion)
      this.currentVersion = patch.version;
    if (changed && this.isReady) this.emit('change', [patch.key]);
  }

  private becomeReady(changed: string[]): void {
    if (!this.isReady) {
      this.isReady = true;
      this.emit('ready');
      return;
    }
    if (changed.length > 0) this.emit('change', changed);
  }

  private setConnected(connected: boolean): void {
    if (this.isConnected === connected) return;
    this.isConnected = connected;
    this.emit(connected ? 'connected' : 'disconnected');
  }

  private retryDelay(): number {
    const ceiling = Math.min(this.maxRetryDelayMs, this.initialRetryDelayMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  private async run(): Promise<void> {
    while (!this.isClosed) {
      let refused = false;
      try {
        refused = await this.follow();
      } catch (error) {
        if (this.isClosed) break;
        this.options.logger?.warn?.('flagward: the change stream failed; reconnecting', String(error));
      }
      if (this.isClosed) break;
      this.setConnected(false);
      const delay = refused ? this.maxRetryDelayMs : this.retryDelay();
      await new Promise<void>((resolve) => {
        this.wakeRetry = resolve;
        this.retryTimer = setTimeout(resolve, delay);
      });
      this.wakeRetry = undefined;
      this.retryTimer = undefined;
    }
  }

  /** Follows one stream connection until it ends; returns true when the server refused the key. */
  private async follow(): Promise<boolean> {
    const controller = new AbortController();
    this.controller = controller;
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () => controller.abort(new Error('the stream was silent too long')),
        this.idleTimeoutMs,
      );
    };
    try {
      armIdle();
      const url = new URL('/sdk/v1/stream', this.options.url).toString();
      const response = await this.fetcher(url, {
        headers: {
          authorization: this.options.serverKey!,
          accept: 'text/event-stream',
          ...(this.isReady && this.currentVersion > 0
            ? { 'last-event-id': String(this.currentVersion) }
            : {}),
        },
        signal: controller.signal,
      });
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel().catch(() => undefined);
        const error = new Error(`the Flagward server refused the server key (${response.status})`);
        this.options.logger?.error('flagward:', error.message);
        this.emit('error', error);
        return true;
      }
      if (!response.ok || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        throw new Error(`the stream answered ${response.status}`);
      }
      let malformed = false;
      const parser = new SseParser({
        onEvent: (event) => {
          if (!this.handle(event)) malformed = true;
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        armIdle();
        parser.push(decoder.decode(chunk, { stream: true }));
        if (malformed) {
          // Something may be missing: reconnect, which starts with the whole ruleset.
          controller.abort(new Error('malformed event'));
          break;
        }
      }
      return false;
    } finally {
      if (idleTimer) clearTimeout(idleTimer);
      if (this.controller === controller) this.controller = undefined;
      controller.abort();
    }
  }

  /** Applies one event; false when it was malformed. */
  private handle(event: ServerSentEvent): boolean {
    if (event.event !== 'put' && event.event !== 'patch') return true;
    let payload: unknown;
    try {
      payload = JSON.parse(event.data);
    } catch {
      payload = undefined;
    }
    if (event.event === 'put') {
      if (!isRuleset(payload)) return this.malformed(event);
      this.applyRuleset(payload);
      this.attempt = 0;
      this.setConnected(true);
      return true;
    }
    const patch = payload as
      | { key?: unknown; flag?: unknown; deleted?: unknown; version?: unknown }
      | undefined;
    if (
      typeof patch !== 'object' ||
      patch === null ||
      typeof patch.key !== 'string' ||
      (patch.deleted !== true && (typeof patch.flag !== 'object' || patch.flag === null))
    ) {
      return this.malformed(event);
    }
    this.applyPatch(
      patch as { key: string; flag?: FlagwardRulesetFlag; deleted?: boolean; version?: number },
    );
    return true;
  }

  private malformed(event: ServerSentEvent): false {
    const error = new Error(`flagward: ignoring a malformed ${event.event} event`);
    this.options.logger?.warn(error.message);
    this.emit('error', error);
    return false;
  }
}

/**
 * Creates a client and starts following the server (or serves `bootstrap` when `offline`).
 *
 * @example
 * import { createClient } from '@flagward/sdk';
 *
 * const flags = createClient({ url: 'http://127.0.0.1:4242', serverKey: process.env.FLAGWARD_SERVER_KEY! });
 * await flags.waitForReady(5_000);
 * flags.on('change', (keys) => console.log('changed', keys));
 * const enabled = flags.boolean('checkout-v2', { key: 'user-42', plan: 'pro' }, false);
 *
 * // Offline, e.g. in tests: no network at all.
 * const offline = createClient({ offline: true, bootstrap: savedRuleset });
 */
export function createClient(options: FlagwardClientOptions): FlagwardClient {
  return new FlagwardClient(options);
}
