import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The console uses core's validators, catalog and configuration helpers; its audit module is
    // Node-only, so the browser gets core without it (see src/core.browser.ts).
    alias: [
      {
        find: /^@flagward\/core$/,
        replacement: fileURLToPath(new URL('src/core.browser.ts', import.meta.url)),
      },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy: { '/api': 'http://127.0.0.1:4242', '/sdk': 'http://127.0.0.1:4242' } },
});
