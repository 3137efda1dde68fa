import type { CompileOptions, SegmentDefinition } from './evaluation.types';
import { type ClauseMatcher, compileClause, contextKey, type SegmentLookup } from './operators';

/** Compiled once per segments object, then shared by every flag compiled against it. */
const cache = new WeakMap<object, SegmentLookup>();

function compileSegment(segment: SegmentDefinition): ClauseMatcher {
  const included = new Set(segment.included ?? []);
  const excluded = new Set(segment.excluded ?? []);
  // No segment lookup inside a segment: a segmentMatch clause there never matches (no cycles).
  const rules = (segment.rules ?? []).map((rule) =>
    (rule.clauses ?? []).map((clause) => compileClause(clause)),
  );
  return (context) => {
    const key = contextKey(context);
    if (typeof key === 'string') {
      if (included.has(key)) return true;
      if (excluded.has(key)) return false;
    }
    for (const clauses of rules) {
      if (clauses.length > 0 && clauses.every((clause) => clause(context))) return true;
    }
    return false;
  };
}

/**
 * The segment lookup for compile options (memoized per `segments` object).
 *
 * @example
 * const lookup = segmentLookup({ segments: { staff: { included: ['ann'] } } });
 * lookup('staff')?.({ key: 'ann' }); // true
 */
export function segmentLookup(options: CompileOptions | undefined): SegmentLookup {
  const segments = options?.segments;
  if (segments === undefined) return () => undefined;
  let lookup = cache.get(segments);
  if (lookup === undefined) {
    const compiled = new Map<string, ClauseMatcher>();
    for (const [key, segment] of Object.entries(segments)) compiled.set(key, compileSegment(segment));
    lookup = (key) => compiled.get(key);
    cache.set(segments, lookup);
  }
  return lookup;
}
