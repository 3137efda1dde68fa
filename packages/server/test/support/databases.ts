import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A fresh, empty database for one test file: an SQLite data directory or a new PostgreSQL database. */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  dataDir: string;
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

export const POSTGRES_ADMIN_URL =
  process.env.FLAGWARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let postgresReachable: Promise<boolean> | undefined;

async function canReachPostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The databases every repository and end-to-end suite runs against. PostgreSQL is required when
 * FLAGWARD_TEST_POSTGRES=required (set by .ci/run); elsewhere it is skipped with a warning if absent.
 */
export async function testDatabaseNames(): Promise<Array<'sqlite' | 'postgres'>> {
  postgresReachable ??= canReachPostgres();
  if (await postgresReachable) return ['sqlite', 'postgres'];
  if (process.env.FLAGWARD_TEST_POSTGRES === 'required') {
    throw new Error(`PostgreSQL is required for the tests but ${POSTGRES_ADMIN_URL} is not reachable`);
  }
  process.stderr.write(
    `warning: PostgreSQL at ${POSTGRES_ADMIN_URL} is not reachable; running the SQLite suites only\n`,
  );
  return ['sqlite'];
}

export const DATABASES: Array<'sqlite' | 'postgres'> = await testDatabaseNames();

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates an empty database of the given kind. */
export async function createTestDatabase(name: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flagward-test-'));
  if (name === 'sqlite') {
    return {
      name,
      dataDir,
      databaseUrl: undefined,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const database = `flagward_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  return {
    name,
    dataDir,
    databaseUrl: withDatabase(POSTGRES_ADMIN_URL, database),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${database} with (force)`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
