export * from './bucketing';
export * from './evaluation.types';
export * from './evaluator';
export { operandProblem, parseDateOperand, parseSemverOperand } from './operands';
export { type ClauseMatcher, compileClause, contextKey, type SegmentLookup } from './operators';
export {
  compileSafeRegex,
  MAX_REGEX_INPUT_LENGTH,
  MAX_REGEX_PATTERN_LENGTH,
  regexProblem,
  type SafeRegex,
} from './regex';
export * from './ruleset';
