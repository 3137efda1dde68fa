import type { FastifyInstance } from 'fastify';
import { type ConfigOverrides, type FlagwardConfig, loadConfig } from '../config/config';
import { migrateToLatest, openStore, type Store } from '../db/database';
import { OrganizationRepository } from '../organization/organization.repository';
import { type AppOptions, buildApp } from './build-app';
import { createServices, type ServiceOverrides, type Services } from './services';

/** A running (or ready to run) Flagward server and everything it owns. */
export interface FlagwardServer {
  config: FlagwardConfig;
  store: Store;
  services: Services;
  app: FastifyInstance;
  /** Stops accepting requests, lets in-flight ones finish, then closes the database. */
  close(): Promise<void>;
}

/** Opens the store, migrates it and builds the app, without listening. */
export async function createServer(
  configOverrides: ConfigOverrides = {},
  options: AppOptions & ServiceOverrides = {},
): Promise<FlagwardServer> {
  const config = loadConfig(process.env, configOverrides);
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(store.db);
    const services = createServices(config, store, options);
    const app = await buildApp(services, options);
    if (options.backgroundJobs !== false) {
      services.expiries.start();
      services.checkpoints.start();
      services.rolloutScheduler.start(1000, (error) => app.log.error({ err: error }, 'rollout step failed'));
    }
    let closed = false;
    return {
      config,
      store,
      services,
      app,
      async close() {
        if (closed) return;
        closed = true;
        services.expiries.stop();
        await services.checkpoints.stop();
        await services.rolloutScheduler.stop();
        // SDK streams never end by themselves and the LISTEN connection must go before the pool.
        await services.sdk.close();
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Starts listening, prints where and what to do first, and shuts down gracefully on SIGINT/SIGTERM. */
export async function serve(configOverrides: ConfigOverrides = {}): Promise<FlagwardServer> {
  const server = await createServer(configOverrides);
  const address = await server.app.listen({ port: server.config.port, host: server.config.host });
  const initialized = (await new OrganizationRepository().count(server.store.db)) > 0;
  const storeText = server.store.dialect === 'sqlite' ? `SQLite in ${server.config.dataDir}` : 'PostgreSQL';
  process.stdout.write(
    [
      '',
      `Flagward is running at ${address} (${storeText})`,
      initialized
        ? `Sign in at ${address}/ or call the API at ${address}/api/v1 (OpenAPI: ${address}/api/v1/openapi.json)`
        : `First run: open ${address}/ to create your organization and owner, or run\n  curl -X POST ${address}/api/v1/setup -H 'content-type: application/json' \\\n    -d '{"organization":{"key":"acme","name":"Acme"},"owner":{"email":"you@example.com","name":"You","password":"a long password"}}'`,
      '',
    ].join('\n'),
  );
  const shutdown = (signal: string) => {
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return server;
}
