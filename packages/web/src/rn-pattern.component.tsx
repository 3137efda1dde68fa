import { parseRnPattern } from '@flagward/core';

/** Where a pattern fails and why (the server's own parser), or what it selects. */
export function patternStatus(
  text: string,
): { ok: true; selects: string; placeholders: string[] } | { ok: false; position: number; reason: string } {
  const parsed = parseRnPattern(text);
  if (!parsed.ok) return { ok: false, position: parsed.problem.position, reason: parsed.problem.reason };
  const last = parsed.value.segments.at(-1);
  const placeholders = [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))];
  return { ok: true, selects: last?.type ?? '?', placeholders };
}

/** An RN pattern input that validates as you type, pointing at the position of the first problem. */
export function RnPatternInput(props: {
  label: string;
  value: string;
  readOnly?: boolean;
  onChange(value: string): void;
  onRemove?(): void;
}) {
  const status = patternStatus(props.value);
  return (
    <div className="pattern">
      <div className="row">
        <input
          className="mono grow"
          aria-label={props.label}
          aria-invalid={!status.ok}
          value={props.value}
          readOnly={props.readOnly}
          placeholder="project/shop:env/*:flag/*"
          spellCheck={false}
          onChange={(e) => props.onChange(e.target.value)}
        />
        {props.onRemove && !props.readOnly && (
          <button
            type="button"
            className="link danger"
            onClick={props.onRemove}
            aria-label={`Remove ${props.label}`}
          >
            ✕
          </button>
        )}
      </div>
      {status.ok ? (
        <span className="muted small">
          selects {status.selects} resources
          {status.placeholders.length > 0 && ` · bound at assignment: ${status.placeholders.join(', ')}`}
        </span>
      ) : (
        <div className="pattern-error" role="status">
          <span className="field-error">
            at position {status.position}: {status.reason}
          </span>
          <pre className="caret">
            {props.value}
            {'\n'}
            {' '.repeat(Math.max(0, status.position))}^
          </pre>
        </div>
      )}
    </div>
  );
}
