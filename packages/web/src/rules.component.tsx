import { type Clause, type ClauseOperator, clauseOperators, type Rule, type Variation } from '@flagward/core';
import { useState } from 'react';
import { formatClauseValues, parseClauseValues, valuesHint } from './clauses';
import { ServeEditor } from './serve.component';

/** A short id, unique among the rules (audit summaries name a rule by description, else by id). */
function newId(rules: readonly Rule[]): string {
  for (;;) {
    const id = `rule-${Math.random().toString(36).slice(2, 8)}`;
    if (!rules.some((r) => r.id === id)) return id;
  }
}

/** One clause: attribute, operator (every operator of the evaluator), values, negate. */
function ClauseRow(props: { clause: Clause; onChange(clause: Clause): void; onRemove(): void }) {
  const { clause } = props;
  const [text, setText] = useState(() => formatClauseValues(clause.op, clause.values));
  return (
    <div className="row clause">
      <label>
        Attribute
        <input
          value={clause.attribute}
          placeholder="email"
          onChange={(e) => props.onChange({ ...clause, attribute: e.target.value })}
        />
      </label>
      <label className="inline negate">
        <input
          type="checkbox"
          checked={clause.negate ?? false}
          onChange={(e) => {
            const { negate: _old, ...rest } = clause;
            props.onChange(e.target.checked ? { ...rest, negate: true } : rest);
          }}
        />
        not
      </label>
      <label>
        Operator
        <select
          value={clause.op}
          onChange={(e) => {
            const op = e.target.value as ClauseOperator;
            props.onChange({ ...clause, op, values: parseClauseValues(op, text) });
          }}
        >
          {clauseOperators.map((op) => (
            <option key={op}>{op}</option>
          ))}
        </select>
      </label>
      <label className="grow">
        Values
        <input
          className="mono"
          placeholder={valuesHint(clause.op)}
          title={valuesHint(clause.op)}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            props.onChange({ ...clause, values: parseClauseValues(clause.op, e.target.value) });
          }}
        />
      </label>
      <button type="button" className="link danger" onClick={props.onRemove} aria-label="Remove clause">
        ✕
      </button>
    </div>
  );
}

/** The ordered targeting rules: clauses (all must match) and what each rule serves; first match wins. */
export function RulesEditor(props: {
  rules: Rule[];
  variations: Variation[];
  readOnly?: boolean;
  onChange(rules: Rule[]): void;
}) {
  const { rules, variations } = props;
  const update = (i: number, rule: Rule) => props.onChange(rules.map((r, j) => (j === i ? rule : r)));
  const move = (i: number, by: number) => {
    const next = [...rules];
    const [rule] = next.splice(i, 1);
    next.splice(i + by, 0, rule!);
    props.onChange(next);
  };
  const add = () =>
    props.onChange([
      ...rules,
      {
        id: newId(rules),
        clauses: [{ attribute: 'key', op: 'in', values: [] }],
        serve: { variation: variations[0]?.id ?? '' },
      },
    ]);
  return (
    <fieldset className="rules" disabled={props.readOnly}>
      {rules.length === 0 && <p className="muted">No targeting rule: everyone else gets the default rule.</p>}
      {rules.map((rule, i) => (
        <div className="rule" key={rule.id}>
          <div className="rule-head">
            <strong>Rule {i + 1}</strong>
            <input
              aria-label={`Rule ${i + 1} description`}
              value={rule.description ?? ''}
              placeholder="description (optional)"
              onChange={(e) => {
                const { description: _old, ...rest } = rule;
                update(i, e.target.value ? { ...rest, description: e.target.value } : rest);
              }}
            />
            <span className="spacer" />
            <button type="button" className="link" disabled={i === 0} onClick={() => move(i, -1)}>
              ↑
            </button>
            <button
              type="button"
              className="link"
              disabled={i === rules.length - 1}
              onClick={() => move(i, 1)}
            >
              ↓
            </button>
            <button
              type="button"
              className="link danger"
              onClick={() => props.onChange(rules.filter((_, j) => j !== i))}
            >
              Remove rule
            </button>
          </div>
          <p className="muted small">When all of these match:</p>
          {rule.clauses.map((clause, k) => (
            <ClauseRow
              // biome-ignore lint/suspicious/noArrayIndexKey: clauses have no identity of their own
              key={k}
              clause={clause}
              onChange={(c) => update(i, { ...rule, clauses: rule.clauses.map((x, j) => (j === k ? c : x)) })}
              onRemove={() => update(i, { ...rule, clauses: rule.clauses.filter((_, j) => j !== k) })}
            />
          ))}
          <button
            type="button"
            className="link"
            onClick={() =>
              update(i, { ...rule, clauses: [...rule.clauses, { attribute: '', op: 'in', values: [] }] })
            }
          >
            + Add clause
          </button>
          <ServeEditor
            label={`Rule ${i + 1} serves`}
            serve={rule.serve}
            variations={variations}
            readOnly={props.readOnly}
            onChange={(serve) => update(i, { ...rule, serve })}
          />
        </div>
      ))}
      <button type="button" className="link" onClick={add}>
        + Add rule
      </button>
    </fieldset>
  );
}
