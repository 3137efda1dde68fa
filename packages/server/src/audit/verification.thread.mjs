// Entry of a verification worker thread. A worker does not inherit the loader that bin/flagward.mjs
// registers in-process, so it registers tsx itself before importing the TypeScript worker.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

// Plain JavaScript dependencies load several times faster before the loader is registered (every
// module would otherwise pass through it); later imports of them then find them loaded.
if (workerData?.dialect === 'sqlite') await import('better-sqlite3');
if (workerData?.dialect === 'postgres')
  await Promise.all([import('better-sqlite3'), import('kysely'), import('pg')]);
register();
await import('./verification.worker.ts');
