#!/usr/bin/env node
// Runs the TypeScript CLI in this process through tsx's loader, so the server needs no build step and
// receives signals (graceful shutdown) directly.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
