import { once } from 'node:events';
import fs from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { openLocalContext } from '../cli/local.context';
import type { ConfigOverrides } from '../config/config';
import type { AuditFilter } from './audit.types';
import { verifyExportOffline } from './offline.verifier';
import { exitCodeOf, VERIFY_EXIT, VERIFY_EXIT_HELP } from './verification.codes';

interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
}

/** The store options every command that reads the configured database takes. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'data directory (FLAGWARD_DATA_DIR)')
    .option('--database-url <url>', 'postgres:// URL (FLAGWARD_DATABASE_URL)');
}

export function storeOverrides(flags: StoreFlags): ConfigOverrides {
  return {
    ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
    ...(flags.databaseUrl === undefined ? {} : { databaseUrl: flags.databaseUrl }),
  };
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1)
    throw new InvalidArgumentError('must be a positive integer');
  return number;
}

function time(value: string): string {
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new InvalidArgumentError('must be an ISO-8601 date-time');
  return new Date(parsed).toISOString();
}

/** A progress line rewritten in place with `\r`, only when stdout is a terminal. */
export function progressLine(label: string): { update(done: number, total?: number): void; end(): void } {
  const tty = process.stdout.isTTY === true;
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && (total === undefined || done < total)) return;
      last = now;
      shown = true;
      if (total === undefined || total === 0) {
        process.stdout.write(`\r${label}: ${done.toLocaleString('en')} entries`);
        return;
      }
      const width = 30;
      const filled = Math.round((done / total) * width);
      const percent = Math.floor((done / total) * 100);
      process.stdout.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${done.toLocaleString('en')}/${total.toLocaleString('en')}`,
      );
    },
    end() {
      if (shown) process.stdout.write('\n');
    },
  };
}

interface VerifyFlags extends StoreFlags {
  file?: string;
  checkpoint?: string;
  key?: string;
  json?: boolean;
}

interface ExportFlags extends StoreFlags {
  format: 'ndjson' | 'csv';
  out?: string;
  checkpointOut?: string;
  size?: number;
  project?: string;
  environment?: string;
  flag?: string;
  actor?: string;
  action?: string;
  outcome?: 'applied' | 'denied';
  since?: string;
  until?: string;
  q?: string;
}

async function verifyCommand(flags: VerifyFlags): Promise<number> {
  const offline = [flags.file, flags.checkpoint, flags.key];
  if (offline.some((v) => v !== undefined)) {
    if (offline.some((v) => v === undefined)) {
      process.stderr.write('flagward: offline verification needs --file, --checkpoint and --key\n');
      return VERIFY_EXIT.malformed;
    }
    const progress = progressLine('verifying');
    const result = await verifyExportOffline(
      { file: flags.file!, checkpoint: flags.checkpoint!, key: flags.key! },
      (checked) => progress.update(checked),
    );
    progress.end();
    if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (result.ok) process.stdout.write(`OK: ${result.message}\n`);
    else {
      const at = result.firstBadSeq === undefined ? '' : ` at seq ${result.firstBadSeq}`;
      process.stdout.write(`FAILED (${result.problem})${at}: ${result.message}\n`);
    }
    return result.exitCode;
  }
  const local = await openLocalContext(storeOverrides(flags));
  try {
    const progress = progressLine('verifying');
    const result = await local.services.audit.verifyLog(local.owner.org, (done, total) =>
      progress.update(done, total),
    );
    progress.end();
    if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (result.ok) {
      process.stdout.write(
        `OK: ${result.size} entries of ${local.owner.org.key} verified (root ${result.root}); ${result.checkedCheckpoints} signed checkpoint(s) checked\n`,
      );
    } else {
      const at = result.firstBadSeq === undefined ? '' : ` at seq ${result.firstBadSeq}`;
      process.stdout.write(`FAILED (${result.problem})${at}: ${result.message}\n`);
    }
    return exitCodeOf(result.ok ? undefined : result.problem);
  } finally {
    await local.close();
  }
}

async function exportCommand(flags: ExportFlags): Promise<void> {
  const local = await openLocalContext(storeOverrides(flags));
  try {
    const filter: AuditFilter = {
      project: flags.project,
      environment: flags.environment,
      flag: flags.flag,
      actor: flags.actor,
      action: flags.action,
      outcome: flags.outcome,
      since: flags.since,
      until: flags.until,
      q: flags.q,
    };
    const exported = await local.services.audit.export(local.owner, filter, flags.format, flags.size);
    const out = flags.out ? fs.createWriteStream(flags.out) : process.stdout;
    for await (const chunk of exported.chunks) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (flags.out) {
      (out as fs.WriteStream).end();
      await once(out, 'finish');
    }
    if (flags.checkpointOut && exported.checkpointSize > 0) {
      fs.writeFileSync(
        flags.checkpointOut,
        await local.services.checkpoints.note(local.owner, exported.checkpointSize),
      );
    }
    if (flags.out) {
      process.stderr.write(
        `exported ${exported.withProofs ? 'a filtered export with inclusion proofs' : 'the complete log'} up to the checkpoint of size ${exported.checkpointSize} to ${flags.out}\n`,
      );
    }
  } finally {
    await local.close();
  }
}

/** `flagward audit verify|export|checkpoint|proof`. */
export function auditCommand(): Command {
  const audit = new Command('audit').description('verify, export and prove the audit log');

  withStoreOptions(
    audit
      .command('verify')
      .description(
        'verify the audit log: online against the configured database, or offline from an export with --file, --checkpoint and --key (no server, no database)',
      )
      .option('--file <export.ndjson>', 'offline: an NDJSON export (complete, or filtered with proofs)')
      .option('--checkpoint <checkpoint.txt>', 'offline: the signed checkpoint note')
      .option('--key <vkey.txt>', 'offline: the verifier key (GET /api/v1/audit/public-key)')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', `\n${VERIFY_EXIT_HELP}\n`)
    .action(async (flags: VerifyFlags) => {
      process.exitCode = await verifyCommand(flags);
    });

  withStoreOptions(
    audit
      .command('export')
      .description(
        'export the log, oldest first, up to a checkpoint signed now (or the one of --size): complete entries, or {entry, proof} lines when filtered',
      )
      .addOption(
        new Option('--format <format>', 'ndjson or csv').choices(['ndjson', 'csv']).default('ndjson'),
      )
      .option('--out <file>', 'write to a file instead of stdout')
      .option('--checkpoint-out <file>', 'also write the checkpoint note the export stops at')
      .option(
        '--size <n>',
        'stop at the stored checkpoint of this tree size instead of signing one',
        positiveInteger,
      )
      .option('--project <key>')
      .option('--environment <key>')
      .option('--flag <key>')
      .option('--actor <email>')
      .option('--action <action>')
      .addOption(new Option('--outcome <outcome>').choices(['applied', 'denied']))
      .option('--since <time>', 'inclusive ISO-8601 time', time)
      .option('--until <time>', 'exclusive ISO-8601 time', time)
      .option('--q <text>', 'free text in summary, resource or reason'),
  ).action(exportCommand);

  withStoreOptions(
    audit.command('checkpoint').description('sign a checkpoint of the current tree now and print the note'),
  ).action(async (flags: StoreFlags) => {
    const local = await openLocalContext(storeOverrides(flags));
    try {
      process.stdout.write(await local.services.checkpoints.sign(local.owner));
    } finally {
      await local.close();
    }
  });

  withStoreOptions(
    audit
      .command('proof')
      .description('print the inclusion proof of entry --seq (in the tree of --size entries) as JSON')
      .requiredOption('--seq <n>', 'the entry', positiveInteger)
      .option(
        '--size <m>',
        'tree size (default: the latest checkpoint covering seq, else the log)',
        positiveInteger,
      ),
  ).action(async (flags: StoreFlags & { seq: number; size?: number }) => {
    const local = await openLocalContext(storeOverrides(flags));
    try {
      const proof = await local.services.audit.inclusion(local.owner, flags.seq, flags.size);
      process.stdout.write(`${JSON.stringify(proof, null, 2)}\n`);
    } finally {
      await local.close();
    }
  });

  return audit;
}
