export { createServer, type FlagwardServer, serve } from './app/server';
export { type FlagwardConfig, loadConfig } from './config/config';
