// What the console bundles when it imports `@flagward/core` (vite.config.ts aliases the package here):
// every pure module of core, without its audit module, which needs Node (node:crypto, Buffer) and
// runs code when loaded. Types and runtime are the same as the package's; the console never verifies
// audit hashes itself, the server does.
export * from '../../core/src/authz';
export * from '../../core/src/errors/flagward-error';
export * from '../../core/src/evaluation';
export * from '../../core/src/flags';
export * from '../../core/src/keys/key';
export * from '../../core/src/rn';
