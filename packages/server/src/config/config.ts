import path from 'node:path';

/** Runtime configuration, read from FLAGWARD_* environment variables (CLI flags may override). */
export interface FlagwardConfig {
  port: number;
  host: string;
  dataDir: string;
  /** A postgres:// URL selects PostgreSQL; undefined means the embedded SQLite store. */
  databaseUrl: string | undefined;
  auditKeyFile: string;
  /** Key used to encrypt secrets at rest (secret variables, SDK keys). */
  secretKeyFile: string;
  logLevel: string;
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  /** Session lifetime in milliseconds. */
  sessionTtlMs: number;
  /** Invitation lifetime in milliseconds. */
  invitationTtlMs: number;
  /** Serve cookies with the Secure attribute (set when behind HTTPS). */
  secureCookies: boolean;
}

export type ConfigOverrides = Partial<FlagwardConfig>;

function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`FLAGWARD_PORT must be an integer between 0 and 65535, got "${raw}"`);
  }
  return port;
}

/** Reads the configuration from the environment, then applies explicit overrides. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConfigOverrides = {},
): FlagwardConfig {
  const dataDir = path.resolve(overrides.dataDir ?? env.FLAGWARD_DATA_DIR ?? './data');
  const databaseUrl = overrides.databaseUrl ?? (env.FLAGWARD_DATABASE_URL || undefined);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('FLAGWARD_DATABASE_URL must be a postgres:// URL');
  }
  const base: FlagwardConfig = {
    port: parsePort(env.FLAGWARD_PORT, 4242),
    host: env.FLAGWARD_HOST || '127.0.0.1',
    dataDir,
    databaseUrl,
    auditKeyFile: path.resolve(env.FLAGWARD_AUDIT_KEY_FILE || path.join(dataDir, 'audit-signing.key')),
    secretKeyFile: path.resolve(env.FLAGWARD_SECRET_KEY_FILE || path.join(dataDir, 'secret.key')),
    logLevel: env.FLAGWARD_LOG_LEVEL || 'info',
    bodyLimit: 1024 * 1024,
    sessionTtlMs: 12 * 60 * 60 * 1000,
    invitationTtlMs: 7 * 24 * 60 * 60 * 1000,
    secureCookies: env.FLAGWARD_SECURE_COOKIES === 'true',
  };
  return { ...base, ...overrides, dataDir, databaseUrl };
}
