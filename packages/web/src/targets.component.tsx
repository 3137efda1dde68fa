import type { Target, Variation } from '@flagward/core';
import { useState } from 'react';
import { parseKeyList } from './clauses';
import { variationLabel } from './serve.component';

function TargetRow(props: { variation: Variation; values: string[]; onChange(values: string[]): void }) {
  const [text, setText] = useState(() => props.values.join(', '));
  return (
    <label>
      {variationLabel(props.variation)}
      <textarea
        className="mono"
        rows={2}
        value={text}
        placeholder="context keys, comma- or line-separated"
        onChange={(e) => {
          setText(e.target.value);
          props.onChange(parseKeyList(e.target.value));
        }}
      />
    </label>
  );
}

/** Individual targets: context keys that always get a given variation. */
export function TargetsEditor(props: {
  targets: Target[];
  variations: Variation[];
  readOnly?: boolean;
  onChange(targets: Target[]): void;
}) {
  const valuesOf = (id: string) => props.targets.find((t) => t.variation === id)?.values ?? [];
  const set = (id: string, values: string[]) => {
    const others = props.targets.filter((t) => t.variation !== id);
    const next = props.variations
      .map((v) => (v.id === id ? { variation: id, values } : others.find((t) => t.variation === v.id)))
      .filter((t): t is Target => t !== undefined && t.values.length > 0);
    props.onChange(next);
  };
  return (
    <fieldset className="targets" disabled={props.readOnly}>
      {props.variations.map((v) => (
        <TargetRow
          key={v.id}
          variation={v}
          values={valuesOf(v.id)}
          onChange={(values) => set(v.id, values)}
        />
      ))}
    </fieldset>
  );
}
