import {
  type ErrorCode,
  type EvaluationContext,
  type JsonValue,
  type Logger,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import {
  createClient,
  type EvaluationDetails,
  type FlagwardClient,
  type FlagwardClientOptions,
  type FlagwardContext,
} from './client';

/**
 * Options of {@link FlagwardProvider}: either the options of a client the provider creates (and
 * closes), or an existing client (which stays open when the provider closes).
 *
 * @example
 * const options: FlagwardProviderOptions = { url: 'http://127.0.0.1:4242', serverKey, readyTimeoutMs: 5_000 };
 */
export type FlagwardProviderOptions = (FlagwardClientOptions | { client: FlagwardClient }) & {
  /** How long `initialize` waits for the first ruleset (default 10 s). */
  readyTimeoutMs?: number;
};

function toResolution<T>(details: EvaluationDetails<unknown>): ResolutionDetails<T> {
  return {
    value: details.value as T,
    ...(details.variant === undefined ? {} : { variant: details.variant }),
    reason: details.reason,
    ...(details.errorCode === undefined ? {} : { errorCode: details.errorCode as ErrorCode }),
    ...(details.errorMessage === undefined ? {} : { errorMessage: details.errorMessage }),
    flagMetadata: details.flagMetadata as unknown as Record<string, string | number>,
  };
}

/**
 * The OpenFeature provider of Flagward (`@openfeature/server-sdk`): evaluates locally from the
 * streamed ruleset; reports `PROVIDER_NOT_READY`, `FLAG_NOT_FOUND`, `TYPE_MISMATCH`, `PARSE_ERROR`,
 * `TARGETING_KEY_MISSING` and `INVALID_CONTEXT` as standard error codes (the caller's default is
 * served); puts the configuration `version` and the `auditHash` of the flag's latest audited change in
 * `flagMetadata`; emits `ConfigurationChanged` with `flagsChanged`, `Stale` while the stream is down
 * and `Ready` when it is back.
 *
 * @example
 * import { OpenFeature } from '@openfeature/server-sdk';
 * import { FlagwardProvider } from '@flagward/sdk';
 *
 * await OpenFeature.setProviderAndWait(
 *   new FlagwardProvider({ url: 'http://127.0.0.1:4242', serverKey: process.env.FLAGWARD_SERVER_KEY! }),
 * );
 * const client = OpenFeature.getClient();
 * const enabled = await client.getBooleanValue('checkout-v2', false, { targetingKey: 'user-42' });
 */
export class FlagwardProvider implements Provider {
  readonly metadata = { name: 'flagward' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  /**
   * The Flagward client the provider evaluates with (its typed getters skip OpenFeature's overhead).
   *
   * @example
   * provider.client.boolean('checkout-v2', { key: 'user-42' }, false);
   */
  readonly client: FlagwardClient;
  private readonly owned: boolean;
  private readonly readyTimeoutMs: number;
  private readonly unsubscribe: Array<() => void> = [];
  private initialized = false;
  private stale = false;

  /**
   * Creates the provider (and its client, unless one is given).
   *
   * @example
   * const provider = new FlagwardProvider({ client: existingClient });
   */
  constructor(options: FlagwardProviderOptions) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
    if ('client' in options) {
      this.client = options.client;
      this.owned = false;
    } else {
      this.client = createClient(options);
      this.owned = true;
    }
    this.unsubscribe.push(
      this.client.on('change', (keys) =>
        this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: keys }),
      ),
      this.client.on('disconnected', () => {
        if (!this.initialized || this.stale) return;
        this.stale = true;
        this.events.emit(ProviderEvents.Stale, {
          message: 'the Flagward stream is disconnected; serving the last ruleset',
        });
      }),
      this.client.on('connected', () => {
        if (!this.stale) return;
        this.stale = false;
        this.events.emit(ProviderEvents.Ready);
      }),
    );
  }

  /**
   * Waits for the first ruleset (called by OpenFeature when the provider is set).
   *
   * @example
   * await OpenFeature.setProviderAndWait(provider); // calls initialize()
   */
  async initialize(_context?: EvaluationContext): Promise<void> {
    await this.client.waitForReady(this.readyTimeoutMs);
    this.initialized = true;
  }

  /**
   * Stops listening (and closes the client the provider created).
   *
   * @example
   * await OpenFeature.close(); // calls onClose()
   */
  async onClose(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.owned) this.client.close();
  }

  /**
   * @example
   * await provider.resolveBooleanEvaluation('checkout-v2', false, { targetingKey: 'user-42' });
   */
  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
    _logger?: Logger,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context));
  }

  /**
   * @example
   * await provider.resolveStringEvaluation('theme', 'light', { targetingKey: 'user-42' });
   */
  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
    _logger?: Logger,
  ): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context));
  }

  /**
   * @example
   * await provider.resolveNumberEvaluation('page-size', 20, { targetingKey: 'user-42' });
   */
  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
    _logger?: Logger,
  ): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context));
  }

  /**
   * @example
   * await provider.resolveObjectEvaluation('limits', { rpm: 60 }, { targetingKey: 'user-42' });
   */
  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    _logger?: Logger,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context));
  }

  /**
   * Resolves synchronously (what the four resolve methods wrap).
   *
   * @example
   * provider.resolve('checkout-v2', false, { targetingKey: 'user-42' }).value;
   */
  resolve<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): ResolutionDetails<T> {
    return toResolution<T>(
      this.client.evaluate(
        flagKey,
        context as FlagwardContext,
        defaultValue as Parameters<FlagwardClient['evaluate']>[2],
      ),
    );
  }
}
