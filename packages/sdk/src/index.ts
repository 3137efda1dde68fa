export {
  createClient,
  type EvaluationDetails,
  FlagwardClient,
  type FlagwardClientEvents,
  type FlagwardClientOptions,
  type FlagwardContext,
  type FlagwardErrorCode,
  type FlagwardFlagMetadata,
  type FlagwardLogger,
  type FlagwardRuleset,
  type FlagwardRulesetFlag,
} from './client';
export { FlagwardProvider, type FlagwardProviderOptions } from './provider';
export { type ServerSentEvent, SseParser } from './sse.parser';
