#!/usr/bin/env node
// `npm start`: builds the web console when its build is missing or older than its sources, then runs
// `flagward serve` with the embedded SQLite store (or FLAGWARD_DATABASE_URL when set).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'packages', 'web');
const builtIndex = path.join(web, 'dist', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

const stale =
  !fs.existsSync(builtIndex) || newestMtime(path.join(web, 'src')) > fs.statSync(builtIndex).mtimeMs;
if (stale) {
  process.stdout.write('Building the web console…\n');
  const build = spawnSync('npm', ['run', 'build', '-w', '@flagward/web', '--silent'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// The server runs in this process, so SIGINT/SIGTERM reach its graceful shutdown.
process.argv.splice(2, 0, 'serve');
await import(path.join(root, 'packages', 'server', 'bin', 'flagward.mjs'));
