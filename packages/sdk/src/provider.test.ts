import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFlag,
  type Flagward,
  latestAuditHash,
  nextEvent,
  patchFlag,
  removeDataDir,
  serverKey,
  startFlagward,
} from '../test/support/flagward-server';
import { createClient } from './client';
import { FlagwardProvider } from './provider';

describe('OpenFeature provider against a real Flagward server (SQLite)', () => {
  let flagward: Flagward;
  let key: string;
  let provider: FlagwardProvider;

  beforeAll(async () => {
    flagward = await startFlagward();
    await createFlag(flagward, { key: 'checkout' }, { on: true });
    await createFlag(
      flagward,
      {
        key: 'limits',
        kind: 'json',
        variations: [
          { id: 'basic', value: { rpm: 60 } },
          { id: 'high', value: { rpm: 600 } },
        ],
      },
      { on: true, fallthrough: { variation: 'basic' } },
    );
    await createFlag(
      flagward,
      {
        key: 'broken-rollout',
      },
      { on: true, fallthrough: { rollout: { weights: [{ variation: 'true', weight: 100000 }] } } },
    );
    key = await serverKey(flagward);
    provider = new FlagwardProvider({
      url: flagward.url,
      serverKey: key,
      initialRetryDelayMs: 20,
      maxRetryDelayMs: 200,
    });
    await OpenFeature.setProviderAndWait('flagward-test', provider);
  });
  afterAll(async () => {
    await OpenFeature.close();
    await flagward.close();
    removeDataDir(flagward);
  });

  it('resolves all four types with variants, reasons and metadata naming the audit entry', async () => {
    const client = OpenFeature.getClient('flagward-test');
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    const details = await client.getBooleanDetails('checkout', false, { targetingKey: 'user-1' });
    expect(details).toMatchObject({ value: true, variant: 'true', reason: 'DEFAULT', flagKey: 'checkout' });
    expect(details.flagMetadata).toEqual({ version: 2, auditHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await client.getObjectValue('limits', { rpm: 1 }, { targetingKey: 'user-1' })).toEqual({
      rpm: 60,
    });
    expect(provider.metadata.name).toBe('flagward');
    expect(
      (await provider.resolveStringEvaluation('checkout', 'x', { targetingKey: 'u' }, console)).errorCode,
    ).toBe(ErrorCode.TYPE_MISMATCH);
    expect(
      (await provider.resolveNumberEvaluation('checkout', 1, { targetingKey: 'u' }, console)).value,
    ).toBe(1);
  });

  it('serves the default with FLAG_NOT_FOUND, TYPE_MISMATCH and TARGETING_KEY_MISSING', async () => {
    const client = OpenFeature.getClient('flagward-test');
    const missing = await client.getBooleanDetails('nope', true, { targetingKey: 'u' });
    expect(missing).toMatchObject({ value: true, reason: 'ERROR', errorCode: ErrorCode.FLAG_NOT_FOUND });
    const mismatch = await client.getStringDetails('checkout', 'fallback', { targetingKey: 'u' });
    expect(mismatch).toMatchObject({
      value: 'fallback',
      reason: 'ERROR',
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
    const numberMismatch = await client.getNumberDetails('limits', 5, { targetingKey: 'u' });
    expect(numberMismatch).toMatchObject({ value: 5, errorCode: ErrorCode.TYPE_MISMATCH });
    const noKey = await client.getBooleanDetails('broken-rollout', false, {});
    expect(noKey).toMatchObject({ value: false, errorCode: ErrorCode.TARGETING_KEY_MISSING });
  });

  it('emits ConfigurationChanged with flagsChanged when a flag changes through the API', async () => {
    const changed = nextEvent<any>((listener) => {
      provider.events.addHandler(ProviderEvents.ConfigurationChanged, listener);
      return () => provider.events.removeHandler(ProviderEvents.ConfigurationChanged, listener);
    });
    const configuration = await patchFlag(flagward, 'checkout', { on: false });
    expect((await changed).flagsChanged).toEqual(['checkout']);
    const details = await OpenFeature.getClient('flagward-test').getBooleanDetails('checkout', true, {
      targetingKey: 'u',
    });
    expect(details).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(details.flagMetadata).toEqual({
      version: configuration.version,
      auditHash: await latestAuditHash(flagward),
    });
  });

  it('answers PROVIDER_NOT_READY with the default while it has no ruleset', async () => {
    // Nothing listens on this port: the provider never becomes ready.
    const unreachable = new FlagwardProvider({
      url: 'http://127.0.0.1:9',
      serverKey: 'fw_srv_nothing',
      initialRetryDelayMs: 20,
      maxRetryDelayMs: 100,
      readyTimeoutMs: 100_000,
    });
    OpenFeature.setProvider('unreachable', unreachable);
    const client = OpenFeature.getClient('unreachable');
    expect(client.providerStatus).toBe(ProviderStatus.NOT_READY);
    const details = await client.getBooleanDetails('checkout', true, { targetingKey: 'u' });
    expect(details).toMatchObject({ value: true, reason: 'ERROR', errorCode: ErrorCode.PROVIDER_NOT_READY });
    // The provider itself says the same when asked directly.
    const direct = await unreachable.resolveBooleanEvaluation('checkout', true, {}, console);
    expect(direct).toMatchObject({ value: true, reason: 'ERROR', errorCode: ErrorCode.PROVIDER_NOT_READY });
    await unreachable.onClose();
  });

  it('answers PARSE_ERROR with the default for a flag whose configuration is broken', async () => {
    const broken = createClient({
      offline: true,
      bootstrap: {
        environment: 'test',
        version: 1,
        flags: {
          odd: {
            kind: 'boolean',
            variations: [{ id: 'true', value: true }],
            on: true,
            offVariation: 'missing',
            targets: [],
            rules: [],
            fallthrough: { variation: 'nowhere' },
            version: 3,
            salt: 's',
          },
        },
      },
    });
    const wrapping = new FlagwardProvider({ client: broken });
    const details = await wrapping.resolveBooleanEvaluation('odd', true, { targetingKey: 'u' });
    expect(details).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: ErrorCode.PARSE_ERROR,
      flagMetadata: { version: 3 },
    });
    broken.close();
  });

  it('wraps an existing client without closing it', async () => {
    const shared = createClient({ offline: true, bootstrap: provider.client.ruleset() });
    const wrapping = new FlagwardProvider({ client: shared });
    await wrapping.initialize();
    expect(
      (await wrapping.resolveObjectEvaluation('limits', {}, { targetingKey: 'u' }, console)).value,
    ).toEqual({
      rpm: 60,
    });
    await wrapping.onClose();
    expect(shared.json('limits', { key: 'u' }, {})).toEqual({ rpm: 60 });
    shared.close();
  });
});
