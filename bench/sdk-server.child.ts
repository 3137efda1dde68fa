// A Flagward server in a process of its own, for bench/streaming.bench.ts: started with
// FLAGWARD_DATA_DIR (and FLAGWARD_DATABASE_URL for PostgreSQL), it prints {"url": …} on one line
// and stops when its standard input closes or on SIGTERM.
import { Writable } from 'node:stream';
import { createServer } from '../packages/server/src/app/server';

const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
const server = await createServer({ port: 0 }, { logStream: silent, webDist: null, backgroundJobs: false });
const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url })}\n`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
