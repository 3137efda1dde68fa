import { defineConfig } from 'vitest/config';

// Property tests run tens of thousands of cases; CI machines are shared, so give them room.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 60_000 } });
