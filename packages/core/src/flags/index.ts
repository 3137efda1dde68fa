export * from './configuration.diff';
export * from './configuration.patch';
export * from './configuration.summary';
export * from './configuration.validation';
export * from './flag.types';
export * from './flag.validation';
export * from './json.value';
