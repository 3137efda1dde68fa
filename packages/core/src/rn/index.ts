export * from './rn.flat-matcher';
export * from './rn.intern';
export * from './rn.keys';
export * from './rn.matcher';
export * from './rn.parser';
export * from './rn.placeholders';
export * from './rn.resource';
export * from './rn.types';
