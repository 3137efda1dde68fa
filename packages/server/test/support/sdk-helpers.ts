import type { AuditEntry } from '../../src/audit/audit.types';
import type { TestServer } from './test-server';

/** Creates a flag through the API and applies configuration changes per environment. */
export async function createFlag(
  t: TestServer,
  token: string,
  project: string,
  flag: { key: string; name?: string; kind?: string; variations?: unknown[] },
  configurations: Record<string, Record<string, unknown>> = {},
): Promise<void> {
  const created = await t.request('POST', `/api/v1/projects/${project}/flags`, {
    as: { token },
    body: { name: flag.key, ...flag },
  });
  if (created.status !== 201) throw new Error(`create flag failed: ${created.status} ${created.text}`);
  for (const [env, patch] of Object.entries(configurations))
    await patchFlag(t, token, project, flag.key, env, patch);
}

/** Changes a flag's configuration in one environment through the API. */
export async function patchFlag(
  t: TestServer,
  token: string,
  project: string,
  flag: string,
  env: string,
  patch: Record<string, unknown>,
): Promise<any> {
  const response = await t.request('PATCH', `/api/v1/projects/${project}/flags/${flag}/environments/${env}`, {
    as: { token },
    body: patch,
  });
  if (response.status !== 200) throw new Error(`patch failed: ${response.status} ${response.text}`);
  return response.body;
}

/** The server key of an environment, read through the API. */
export async function serverKeyOf(
  t: TestServer,
  token: string,
  project: string,
  env: string,
): Promise<string> {
  const response = await t.request('GET', `/api/v1/projects/${project}/environments/${env}/sdk-keys`, {
    as: { token },
  });
  if (response.status !== 200) throw new Error(`sdk-keys failed: ${response.status} ${response.text}`);
  return response.body.serverKey;
}

/** The latest applied entry about a flag in an environment (or about the flag in all environments). */
export function latestFlagEntry(entries: AuditEntry[], flag: string, env: string): AuditEntry | undefined {
  return entries
    .filter(
      (e) =>
        e.outcome === 'applied' && e.flag === flag && (e.environment === env || e.environment === undefined),
    )
    .at(-1);
}

/** Counts the queries a store runs outside transactions while `body` runs. */
export async function countQueries(t: TestServer, body: () => Promise<void>): Promise<number> {
  const executor = t.server.store.db.getExecutor() as unknown as {
    executeQuery: (...args: unknown[]) => Promise<unknown>;
  };
  const original = executor.executeQuery;
  let count = 0;
  executor.executeQuery = function (this: unknown, ...args: unknown[]) {
    count += 1;
    return original.apply(this, args);
  };
  try {
    await body();
  } finally {
    executor.executeQuery = original;
  }
  return count;
}
