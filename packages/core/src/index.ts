export * from './errors/flagward-error';
export * from './keys/key';
