import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type EvaluationContext,
  type EvaluationErrorCode,
  type EvaluationReason,
  evaluateAll,
  FlagwardError,
  type JsonValue,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { AuditEntry } from '../audit/audit.types';
import type { EnvironmentRepository } from '../environments/environment.repository';
import { hashSecret } from '../security/secrets';
import { type ChangeFeed, type ChangeFeedLogger, createChangeFeed } from './change-feed';
import { type EnvironmentRuleset, RulesetCache } from './ruleset.cache';
import { RulesetRepository } from './ruleset.repository';
import { SseConnection } from './sse.connection';

/** One result of `POST /sdk/v1/evaluate` (OpenFeature resolution details). */
export interface SdkEvaluation {
  value?: JsonValue;
  variant?: string;
  reason: EvaluationReason;
  errorCode?: EvaluationErrorCode;
  errorMessage?: string;
  flagMetadata: { version: number; auditHash?: string; ruleId?: string; ruleIndex?: number };
}

export interface SdkServiceOptions {
  /** Interval of the comment lines that keep idle streams open (default 15 s). */
  heartbeatMs?: number;
  /** Replaces the change feed chosen from the store (tests). */
  feed?: ChangeFeed;
}

/** An authenticated SDK caller: the environment of its server key, and that key's SHA-256. */
export interface SdkCaller {
  environment: EnvironmentRuleset;
  keyHash: string;
}

const unknownKey = () => new FlagwardError('unauthenticated', 'unknown or rotated server key');

const HEARTBEAT_MS = 15_000;
const KEY_PATTERN = /^(?:Bearer\s+)?(\S+)$/i;

/**
 * The SDK endpoints' logic: authentication by an environment's server key, rulesets, server-side
 * evaluation and change streams. Rulesets are served from a compiled per-environment cache that
 * follows committed changes (this process's through `governed.onCommitted`, other processes' through
 * the change feed), so evaluation never reads the database.
 */
export class SdkService {
  readonly feed: ChangeFeed;
  readonly rulesets: RulesetCache;
  private readonly heartbeatMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly streams = new Set<SseConnection>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(deps: ServiceDeps, environments: EnvironmentRepository, options: SdkServiceOptions = {}) {
    this.feed = options.feed ?? createChangeFeed(deps.store, deps.config.databaseUrl);
    this.rulesets = new RulesetCache(deps.store.db, new RulesetRepository(), environments, this.feed);
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.unsubscribe = deps.governed.onCommitted((entry) => this.committed(entry));
  }

  setLogger(logger: ChangeFeedLogger): void {
    this.feed.setLogger(logger);
    this.rulesets.setLogger(logger);
  }

  /**
   * The environment of the server key in an `Authorization` header (`<key>` or `Bearer <key>`).
   *
   * @throws FlagwardError `unauthenticated` for a missing, malformed, unknown or rotated key.
   */
  async authenticate(authorization: string | undefined): Promise<SdkCaller> {
    const match = authorization === undefined ? null : KEY_PATTERN.exec(authorization.trim());
    if (!match) {
      throw new FlagwardError(
        'unauthenticated',
        'send the environment server key in the Authorization header ("<key>" or "Bearer <key>")',
      );
    }
    const keyHash = hashSecret(match[1]!);
    const environment = await this.rulesets.authenticate(keyHash);
    if (environment === undefined) throw unknownKey();
    return { environment, keyHash };
  }

  /** The serialized ruleset document of `GET /sdk/v1/ruleset`. */
  ruleset(environment: EnvironmentRuleset): string {
    return environment.document();
  }

  /** Evaluates flags (all by default) for one context from the cached ruleset; errors are results. */
  evaluate(
    environment: EnvironmentRuleset,
    context: EvaluationContext,
    flags?: readonly string[],
  ): Record<string, SdkEvaluation> {
    const results = evaluateAll(environment.compiled, context, flags);
    const out: Record<string, SdkEvaluation> = {};
    for (const [key, result] of Object.entries(results)) {
      const auditHash = environment.flags.get(key)?.auditHash;
      const evaluation: SdkEvaluation = {
        reason: result.reason,
        flagMetadata: auditHash === undefined ? result.flagMetadata : { ...result.flagMetadata, auditHash },
      };
      if (result.value !== undefined) evaluation.value = result.value;
      if (result.variant !== undefined) evaluation.variant = result.variant;
      if (result.errorCode !== undefined) evaluation.errorCode = result.errorCode;
      if (result.errorMessage !== undefined) evaluation.errorMessage = result.errorMessage;
      Object.defineProperty(out, key, {
        value: evaluation,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  /**
   * Turns a response into a change stream: a `put` of the whole ruleset (after catching up with the
   * database), then a `patch` per changed flag and a comment line every heartbeat.
   *
   * Every connection starts with a `put`, whatever `Last-Event-ID` it sends: a client whose last event
   * is older than the ruleset's version thereby never misses a change, and one that is current merely
   * receives what it has.
   */
  async openStream(
    { environment, keyHash }: SdkCaller,
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
  ): Promise<void> {
    await this.rulesets.catchUp(environment);
    if (this.closed) throw new FlagwardError('unavailable', 'the server is shutting down');
    // The key may have been rotated (or the environment deleted) while the stream was being opened.
    if (environment.evicted || environment.keyHash !== keyHash) throw unknownKey();
    const connection = new SseConnection(response, keyHash);
    request.socket.setKeepAlive(true);
    connection.open(requestId);
    connection.send('put', environment.document(), environment.version);
    environment.streams.add(connection);
    this.streams.add(connection);
    connection.onClose(() => {
      environment.streams.delete(connection);
      this.streams.delete(connection);
      if (this.streams.size === 0) this.stopHeartbeat();
    });
    this.startHeartbeat();
  }

  /** Number of open streams (tests, metrics). */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Closes every stream and the change feed; the server calls it before closing the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.stopHeartbeat();
    for (const stream of [...this.streams]) stream.close();
    this.rulesets.close();
    await this.feed.close();
  }

  private committed(entry: AuditEntry): void {
    if (this.closed || entry.outcome !== 'applied' || entry.project === undefined) return;
    this.feed.publish({
      org: entry.org,
      project: entry.project,
      ...(entry.environment === undefined ? {} : { environment: entry.environment }),
      ...(entry.flag === undefined ? {} : { flag: entry.flag }),
      seq: entry.seq,
      hash: entry.hash,
    });
  }

  private startHeartbeat(): void {
    if (this.heartbeat || this.closed) return;
    this.heartbeat = setInterval(() => {
      for (const stream of this.streams) stream.comment('heartbeat');
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
