import { Command, InvalidArgumentError } from 'commander';
import { serve } from '../app/server';
import { auditCommand } from '../audit/audit.commands';
import { type ConfigOverrides, loadConfig } from '../config/config';
import { migrateToLatest, openStore } from '../db/database';
import { policyCommand } from './policy.commands';

interface ServerFlags {
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
}

function parsePortFlag(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be a port number');
  return port;
}

function overridesOf(flags: ServerFlags): ConfigOverrides {
  return Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as ConfigOverrides;
}

function withStoreFlags(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'data directory (FLAGWARD_DATA_DIR)')
    .option('--database-url <url>', 'postgres:// URL (FLAGWARD_DATABASE_URL)');
}

/** The `flagward` command line. */
export function buildCli(): Command {
  const program = new Command('flagward').description('Flagward feature flags: server and administration');

  withStoreFlags(
    program
      .command('serve')
      .description('run the HTTP server (migrates the database first)')
      .option('--port <port>', 'port to listen on (FLAGWARD_PORT)', parsePortFlag)
      .option('--host <host>', 'address to bind (FLAGWARD_HOST)'),
  ).action(async (flags: ServerFlags) => {
    await serve(overridesOf(flags));
  });

  withStoreFlags(program.command('migrate').description('apply pending database migrations')).action(
    async (flags: ServerFlags) => {
      const config = loadConfig(process.env, overridesOf(flags));
      const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const applied = await migrateToLatest(store.db);
        process.stdout.write(
          applied.length === 0 ? 'The database is up to date.\n' : `Applied: ${applied.join(', ')}\n`,
        );
      } finally {
        await store.close();
      }
    },
  );

  program.addCommand(auditCommand());
  program.addCommand(policyCommand());

  return program;
}

buildCli()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`flagward: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
