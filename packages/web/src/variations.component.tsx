import { type FlagKind, type Variation, validateVariations } from '@flagward/core';

/** One variation as typed: the value is text until it is parsed for the flag's kind. */
export interface VariationDraft {
  id: string;
  value: string;
  name: string;
}

export function draftsOf(variations: readonly Variation[]): VariationDraft[] {
  return variations.map((v) => ({
    id: v.id,
    value: typeof v.value === 'string' ? v.value : JSON.stringify(v.value),
    name: v.name ?? '',
  }));
}

function parseValue(kind: FlagKind, text: string): unknown {
  if (kind === 'string') return text;
  if (kind === 'number') return text.trim() === '' ? Number.NaN : Number(text);
  if (kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The variations the drafts describe and every problem with them (the server's validator). */
export function variationsOf(kind: FlagKind, drafts: readonly VariationDraft[]) {
  const variations: Variation[] = drafts.map((d) => ({
    id: d.id,
    value: parseValue(kind, d.value) as Variation['value'],
    ...(d.name.trim() === '' ? {} : { name: d.name }),
  }));
  const problems = validateVariations(kind, variations).map((e) => `${e.path}: ${e.message}`);
  return { variations, problems };
}

/** Edits a flag's variations: id, value (text, number, true/false or JSON by kind) and an optional name. */
export function VariationsEditor(props: {
  kind: FlagKind;
  drafts: VariationDraft[];
  onChange(drafts: VariationDraft[]): void;
}) {
  const { problems } = variationsOf(props.kind, props.drafts);
  const update = (i: number, patch: Partial<VariationDraft>) =>
    props.onChange(props.drafts.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  return (
    <fieldset>
      <legend>Variations</legend>
      {props.drafts.map((d, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; ids change as they are typed
        <div className="row" key={i}>
          <label>
            Id
            <input value={d.id} onChange={(e) => update(i, { id: e.target.value })} />
          </label>
          <label>
            Value {props.kind === 'json' ? '(JSON)' : ''}
            <input className="mono" value={d.value} onChange={(e) => update(i, { value: e.target.value })} />
          </label>
          <label>
            Name (optional)
            <input value={d.name} onChange={(e) => update(i, { name: e.target.value })} />
          </label>
          <button
            type="button"
            className="link danger"
            disabled={props.drafts.length <= 1}
            onClick={() => props.onChange(props.drafts.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="link"
        onClick={() =>
          props.onChange([...props.drafts, { id: `v${props.drafts.length + 1}`, value: '', name: '' }])
        }
      >
        + Add variation
      </button>
      {problems.map((p) => (
        <p className="field-error" key={p}>
          {p}
        </p>
      ))}
    </fieldset>
  );
}
