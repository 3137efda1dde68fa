#!/usr/bin/env node
// `npm test`: the whole suite (core, server on SQLite and PostgreSQL, SDK, web and browser tests),
// ending with one line `N passed, N failed`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flagward-vitest-')), 'report.json');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const child = spawn(
  process.execPath,
  [
    vitest,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
child.on('exit', (code) => {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (fs.existsSync(report)) {
    const result = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed = result.numPassedTests ?? 0;
    failed = result.numFailedTests ?? 0;
    skipped = (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  }
  // A file that fails to load fails no test; count it so a red run never reads as green.
  if (code !== 0 && failed === 0) failed = 1;
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(code ?? 1);
});
