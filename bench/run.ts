// `npm run bench [-- section …]`: prints the machine, then runs the sections registered as
// bench/<section>.bench.ts (each exports `run(): Promise<void>` and prints its own figures).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const peers = path.join(here, 'peers');

/** Installs the benchmark-only peers (bench/peers) when they are missing. */
function ensurePeers(): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(peers, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const missing = Object.keys(manifest.dependencies ?? {}).filter(
    (name) => !fs.existsSync(path.join(peers, 'node_modules', name, 'package.json')),
  );
  if (missing.length === 0) return;
  process.stdout.write(`Installing benchmark peers in bench/peers (${missing.join(', ')})…\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', peers, '--no-audit', '--no-fund'], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('npm install --prefix bench/peers failed');
}

function sections(): string[] {
  return fs
    .readdirSync(here)
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => file.slice(0, -'.bench.ts'.length))
    .sort();
}

async function main(): Promise<void> {
  const available = sections();
  const requested = process.argv.slice(2).filter((arg) => arg !== '--');
  const unknown = requested.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown section(s): ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
    process.exit(2);
  }
  const chosen = requested.length > 0 ? requested : available;
  const cpus = os.cpus();
  process.stdout.write(
    [
      '# Flagward benchmarks',
      `machine: ${cpus.length} cores, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
      `node ${process.version} (${process.platform}/${process.arch}), ${new Date().toISOString()}`,
      `sections: ${chosen.join(', ')}`,
      '',
    ].join('\n'),
  );
  ensurePeers();
  for (const name of chosen) {
    process.stdout.write(`\n## ${name}\n\n`);
    const section = (await import(pathToFileURL(path.join(here, `${name}.bench.ts`)).href)) as {
      run?: () => Promise<void>;
    };
    if (typeof section.run !== 'function') throw new Error(`bench/${name}.bench.ts does not export run()`);
    await section.run();
  }
}

await main();
