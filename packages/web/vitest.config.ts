import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The browser test builds the console, starts a server and drives Chromium.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
