export * from './audit';
export * from './authz';
export * from './errors/flagward-error';
export * from './evaluation';
export * from './flags';
export * from './keys/key';
export * from './rn';
