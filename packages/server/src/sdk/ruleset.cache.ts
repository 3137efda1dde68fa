import {
  type CompiledFlag,
  compileRulesetFlag,
  type FlagConfiguration,
  type FlagKind,
  initialConfiguration,
  type RulesetFlag,
  toRulesetFlag,
  type Variation,
} from '@flagward/core';
import type { Db } from '../db/database';
import type { EnvironmentRepository } from '../environments/environment.repository';
import type { EnvironmentRow } from '../projects/project.repository';
import type { ChangeFeed, ChangeFeedLogger, ChangeFeedSubscriber, RulesetChange } from './change-feed';
import type {
  EnvironmentScope,
  FlagInEnvironmentRow,
  RulesetChangeRow,
  RulesetRepository,
} from './ruleset.repository';
import type { SseConnection } from './sse.connection';

/** A flag of an SDK ruleset: the core ruleset entry plus the hash of the audit entry that produced it. */
export interface SdkRulesetFlag extends RulesetFlag {
  auditHash?: string;
}

/** A `patch` of one flag, as streamed. */
export type FlagPatch = { key: string; flag: SdkRulesetFlag } | { key: string; deleted: true };

/** Above this many changes at once, a stream gets a fresh `put` instead of one patch per flag. */
const MAX_PATCHES = 200;
/** Environments without streams that nobody asked for in this long are dropped from the cache. */
const IDLE_EVICTION_MS = 10 * 60 * 1000;
/** How long to wait before retrying a refresh that failed (the database was unreachable). */
const RETRY_REFRESH_MS = 1_000;

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The ruleset entry of a flag row (a malformed row compiles to a PARSE_ERROR flag; it never throws). */
export function rulesetFlagOf(row: FlagInEnvironmentRow, auditHash: string | undefined): SdkRulesetFlag {
  const variations = (parseJson(row.variations) ?? []) as Variation[];
  let configuration = parseJson(row.configuration) as Omit<FlagConfiguration, 'version'> | undefined;
  if (configuration === undefined || typeof configuration !== 'object') {
    try {
      configuration = initialConfiguration({ kind: row.kind as FlagKind, variations });
    } catch {
      configuration = {} as Omit<FlagConfiguration, 'version'>;
    }
  }
  const entry: SdkRulesetFlag = toRulesetFlag(
    {
      key: row.key,
      name: row.key,
      description: '',
      tags: [],
      kind: row.kind,
      variations,
      archived: row.archived === 1,
      salt: row.salt,
    },
    { ...configuration, version: row.version ?? 1 },
  );
  if (auditHash !== undefined) entry.auditHash = auditHash;
  return entry;
}

function compileEntry(key: string, entry: SdkRulesetFlag): CompiledFlag {
  const { auditHash: _auditHash, ...rulesetFlag } = entry;
  return compileRulesetFlag(key, rulesetFlag);
}

/** The cached, compiled ruleset of one environment and the SDK streams following it. */
export class EnvironmentRuleset {
  version = 0;
  loaded = false;
  evicted = false;
  flags = new Map<string, SdkRulesetFlag>();
  compiled = new Map<string, CompiledFlag>();
  readonly streams = new Set<SseConnection>();
  lastUsed = Date.now();
  /** The refresh in progress, if any: readers that must see their own writes await it. */
  pending: Promise<void> | undefined;
  dirty = false;
  retryTimer: NodeJS.Timeout | undefined;
  private serialized: string | undefined;

  constructor(
    readonly environmentId: string,
    readonly environmentKey: string,
    public keyHash: string,
    readonly scope: EnvironmentScope,
  ) {}

  get scopeKey(): string {
    return scopeKeyOf(this.scope.orgKey, this.scope.projectKey, this.environmentKey);
  }

  /** `GET /sdk/v1/ruleset` and the stream's `put`, serialized once per change. */
  document(): string {
    this.serialized ??= JSON.stringify({
      environment: this.environmentKey,
      version: this.version,
      flags: Object.fromEntries([...this.flags.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    });
    return this.serialized;
  }

  replaceAll(version: number, flags: Map<string, SdkRulesetFlag>): void {
    const compiled = new Map<string, CompiledFlag>();
    for (const [key, entry] of flags) {
      const previous = this.flags.get(key);
      const reused = this.compiled.get(key);
      compiled.set(
        key,
        previous && reused && JSON.stringify(previous) === JSON.stringify(entry)
          ? reused
          : compileEntry(key, entry),
      );
    }
    this.flags = flags;
    this.compiled = compiled;
    this.version = version;
    this.loaded = true;
    this.serialized = undefined;
  }

  /** Applies changed flags; returns the patches that really changed something. */
  apply(version: number, changed: Map<string, SdkRulesetFlag | undefined>): FlagPatch[] {
    const patches: FlagPatch[] = [];
    for (const [key, entry] of changed) {
      const previous = this.flags.get(key);
      if (entry === undefined) {
        if (previous === undefined) continue;
        this.flags.delete(key);
        this.compiled.delete(key);
        patches.push({ key, deleted: true });
        continue;
      }
      if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(entry)) continue;
      this.flags.set(key, entry);
      this.compiled.set(key, compileEntry(key, entry));
      patches.push({ key, flag: entry });
    }
    this.version = Math.max(this.version, version);
    this.serialized = undefined;
    return patches;
  }
}

function scopeKeyOf(org: string, project: string, environment: string): string {
  return `${org}/${project}/${environment}`;
}

/**
 * Compiled rulesets of the environments SDKs use, kept current without touching the database on the
 * evaluation path. Committed changes (from this process or, through the change feed, from others)
 * only wake an environment up: it then reads from the audit log which flags changed since its
 * version and reloads exactly those, in order, one refresh at a time per environment. So a lost or
 * reordered notification can delay a change but never lose it, and a ruleset at version `v` reflects
 * every change with `seq ≤ v`.
 */
export class RulesetCache implements ChangeFeedSubscriber {
  private readonly byId = new Map<string, EnvironmentRuleset>();
  private readonly byKeyHash = new Map<string, EnvironmentRuleset>();
  private readonly byScope = new Map<string, EnvironmentRuleset>();
  private readonly loading = new Map<string, Promise<EnvironmentRuleset | undefined>>();
  private readonly unsubscribe: () => void;
  private logger: ChangeFeedLogger = { warn: () => undefined, info: () => undefined };
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly repository: RulesetRepository,
    private readonly environments: EnvironmentRepository,
    private readonly feed: ChangeFeed,
    private readonly clock: () => number = Date.now,
  ) {
    this.unsubscribe = feed.subscribe(this);
  }

  setLogger(logger: ChangeFeedLogger): void {
    this.logger = logger;
  }

  /** Every cached environment (for tests and metrics). */
  get size(): number {
    return this.byId.size;
  }

  /**
   * The environment whose server key has this SHA-256, loaded and current as far as this process
   * knows; undefined for an unknown (or rotated) key. Cached keys are answered without the database.
   */
  async authenticate(keyHash: string): Promise<EnvironmentRuleset | undefined> {
    const known = this.byKeyHash.get(keyHash);
    if (known !== undefined && !known.evicted) {
      if (known.pending) await known.pending.catch(() => undefined);
      if (!known.evicted && known.loaded && known.keyHash === keyHash) {
        known.lastUsed = this.clock();
        return known;
      }
    }
    const row = await this.environments.findByServerKeyHash(this.db, keyHash);
    return row === undefined ? undefined : this.load(row);
  }

  /** Makes sure the environment has caught up with the database's audit head (one query when it has). */
  async catchUp(state: EnvironmentRuleset): Promise<void> {
    this.schedule(state);
    await state.pending;
  }

  change(change: RulesetChange): void {
    if (this.closed) return;
    if (change.environment !== undefined) {
      const state = this.byScope.get(scopeKeyOf(change.org, change.project, change.environment));
      if (state !== undefined && change.seq > state.version) this.wake(state);
      return;
    }
    for (const state of this.byId.values()) {
      if (
        state.scope.orgKey === change.org &&
        state.scope.projectKey === change.project &&
        change.seq > state.version
      ) {
        this.wake(state);
      }
    }
  }

  resync(): void {
    if (this.closed) return;
    for (const state of this.byId.values()) this.wake(state);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const state of [...this.byId.values()]) this.evict(state);
  }

  private wake(state: EnvironmentRuleset): void {
    if (state.streams.size === 0 && this.clock() - state.lastUsed > IDLE_EVICTION_MS) {
      this.evict(state);
      return;
    }
    this.schedule(state);
  }

  private load(row: EnvironmentRow): Promise<EnvironmentRuleset | undefined> {
    const existing = this.byId.get(row.id);
    if (existing !== undefined && !existing.evicted) {
      // The key in the database differs from the cached one only if a rotation is being processed.
      return this.catchUp(existing).then(() =>
        !existing.evicted && existing.keyHash === row.server_key_hash ? existing : undefined,
      );
    }
    const inFlight = this.loading.get(row.id);
    if (inFlight) return inFlight;
    const loading = (async () => {
      const scope = await this.repository.scopeOfProject(this.db, row.project_id);
      if (scope === undefined || this.closed) return undefined;
      const state = new EnvironmentRuleset(row.id, row.key, row.server_key_hash, scope);
      this.byId.set(state.environmentId, state);
      this.byKeyHash.set(state.keyHash, state);
      this.byScope.set(state.scopeKey, state);
      // Registered before the first read: a change committed meanwhile wakes it up again.
      this.feed.start();
      this.schedule(state);
      try {
        await state.pending;
      } catch (error) {
        this.evict(state);
        throw error;
      }
      return state.evicted ? undefined : state;
    })().finally(() => this.loading.delete(row.id));
    this.loading.set(row.id, loading);
    return loading;
  }

  private schedule(state: EnvironmentRuleset): void {
    if (state.evicted) return;
    if (state.pending) {
      state.dirty = true;
      return;
    }
    if (state.retryTimer) {
      clearTimeout(state.retryTimer);
      state.retryTimer = undefined;
    }
    const run = async () => {
      try {
        do {
          state.dirty = false;
          if (state.loaded) await this.refresh(state);
          else await this.fullLoad(state);
        } while (state.dirty && !state.evicted);
      } finally {
        // Cleared in the same step as the last `dirty` check, so no wake-up falls in between.
        state.pending = undefined;
      }
    };
    const pending = run();
    state.pending = pending;
    pending.then(
      () => undefined,
      (error: unknown) => {
        if (!state.loaded || state.evicted) return;
        this.logger.warn({ err: error, environment: state.environmentKey }, 'SDK ruleset refresh failed');
        state.retryTimer = setTimeout(() => {
          state.retryTimer = undefined;
          this.schedule(state);
        }, RETRY_REFRESH_MS);
        state.retryTimer.unref();
      },
    );
  }

  /** Reads the whole ruleset: head first, so the flags read reflect at least every change up to it. */
  private async readAll(
    state: EnvironmentRuleset,
  ): Promise<{ version: number; flags: Map<string, SdkRulesetFlag> }> {
    const { orgId, projectId, projectKey } = state.scope;
    const version = await this.repository.auditHead(this.db, orgId);
    const rows = await this.repository.flagsInEnvironment(this.db, projectId, state.environmentId);
    const hashes = await this.repository.latestFlagEntries(
      this.db,
      orgId,
      projectKey,
      state.environmentKey,
      version,
    );
    const hashOf = new Map(hashes.map((h) => [h.flag, h.hash]));
    return { version, flags: new Map(rows.map((row) => [row.key, rulesetFlagOf(row, hashOf.get(row.key))])) };
  }

  private async fullLoad(state: EnvironmentRuleset): Promise<void> {
    const { version, flags } = await this.readAll(state);
    state.replaceAll(version, flags);
  }

  private async refresh(state: EnvironmentRuleset): Promise<void> {
    const { orgId, projectId, projectKey } = state.scope;
    const head = await this.repository.auditHead(this.db, orgId);
    if (head <= state.version) return;
    const changes = await this.repository.changesBetween(
      this.db,
      orgId,
      projectKey,
      state.environmentKey,
      state.version,
      head,
    );
    if (changes.some((c) => c.flag === null) && !(await this.recheckEnvironment(state))) return;
    if (changes.length > MAX_PATCHES) {
      const { version, flags } = await this.readAll(state);
      if (state.evicted) return;
      state.replaceAll(Math.max(version, state.version), flags);
      const document = state.document();
      for (const stream of state.streams) stream.send('put', document, state.version);
      return;
    }
    const latestHash = new Map<string, string>();
    for (const change of changes as RulesetChangeRow[]) {
      if (change.flag !== null) latestHash.set(change.flag, change.hash);
    }
    const rows = await this.repository.flagsInEnvironment(this.db, projectId, state.environmentId, [
      ...latestHash.keys(),
    ]);
    if (state.evicted) return;
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const changed = new Map<string, SdkRulesetFlag | undefined>();
    for (const [key, hash] of latestHash) {
      const row = byKey.get(key);
      changed.set(key, row === undefined ? undefined : rulesetFlagOf(row, hash));
    }
    // From here on, synchronously: the new state and its patches are published together.
    const patches = state.apply(head, changed);
    for (const patch of patches) {
      const data = JSON.stringify({ ...patch, version: state.version });
      for (const stream of state.streams) stream.send('patch', data, state.version);
    }
  }

  /**
   * After a change of the environment itself (keys rotated, deleted, its project deleted): drops it
   * when it is gone and closes the streams that authenticated with a key that no longer works.
   * Returns whether the environment is still there.
   */
  private async recheckEnvironment(state: EnvironmentRuleset): Promise<boolean> {
    const row = await this.repository.environmentById(this.db, state.environmentId);
    if (row === undefined) {
      this.evict(state);
      return false;
    }
    if (row.server_key_hash !== state.keyHash) {
      if (this.byKeyHash.get(state.keyHash) === state) this.byKeyHash.delete(state.keyHash);
      state.keyHash = row.server_key_hash;
      this.byKeyHash.set(state.keyHash, state);
      for (const stream of [...state.streams]) if (stream.keyHash !== state.keyHash) stream.close();
    }
    return true;
  }

  private evict(state: EnvironmentRuleset): void {
    if (state.evicted) return;
    state.evicted = true;
    if (state.retryTimer) clearTimeout(state.retryTimer);
    if (this.byId.get(state.environmentId) === state) this.byId.delete(state.environmentId);
    if (this.byKeyHash.get(state.keyHash) === state) this.byKeyHash.delete(state.keyHash);
    if (this.byScope.get(state.scopeKey) === state) this.byScope.delete(state.scopeKey);
    for (const stream of [...state.streams]) stream.close();
  }
}
