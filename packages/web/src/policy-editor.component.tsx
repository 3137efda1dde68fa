import { ACTION_NAMES, isValidKey, parseRnPattern, validateStatements } from '@flagward/core';
import { useState } from 'react';
import { api, seg } from './api.client';
import { useFailure } from './failure';
import { PreviewView } from './preview.component';
import { RnPatternInput } from './rn-pattern.component';
import type { Policy, Preview, Statement } from './types';
import { FailureBox, keyMessage } from './ui.component';

/** The problems of statements by path (`statements[0].actions[1]` …), from the server's validator. */
function problemsOf(statements: Statement[]): { path: string; message: string }[] {
  return validateStatements(statements).filter((e) => {
    // A pattern that does not parse shows its problem (with a caret) under its own input.
    const match = /^statements\[(\d+)\]\.resources\[(\d+)\]$/.exec(e.path);
    if (!match) return true;
    const text = statements[Number(match[1])]?.resources[Number(match[2])];
    return text === undefined || parseRnPattern(text).ok;
  });
}

function ActionsInput(props: {
  index: number;
  actions: string[];
  readOnly?: boolean;
  onChange(a: string[]): void;
}) {
  const [text, setText] = useState('');
  const add = (value: string) => {
    const action = value.trim();
    if (action && !props.actions.includes(action)) props.onChange([...props.actions, action]);
    setText('');
  };
  return (
    <div className="actions-input">
      {props.actions.map((a) => (
        <span className="chip mono" key={a}>
          {a}
          {!props.readOnly && (
            <button
              type="button"
              aria-label={`Remove ${a}`}
              onClick={() => props.onChange(props.actions.filter((x) => x !== a))}
            >
              ✕
            </button>
          )}
        </span>
      ))}
      {!props.readOnly && (
        <input
          list="flagward-actions"
          aria-label={`Statement ${props.index}: add an action`}
          placeholder="add an action (Enter)"
          value={text}
          onChange={(e) => {
            const value = e.target.value;
            if ((ACTION_NAMES as readonly string[]).includes(value)) add(value);
            else setText(value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add(text);
            }
          }}
        />
      )}
    </div>
  );
}

const EMPTY: Statement = { effect: 'allow', actions: [], resources: [''] };

/** Creates or edits a policy; patterns and statements are validated as you type, as the server will. */
export function PolicyEditor(props: { policy: Policy | null; canEdit: boolean; onSaved(key: string): void }) {
  const existing = props.policy;
  const readOnly = !props.canEdit || existing?.builtIn === true;
  const [key, setKey] = useState(existing?.key ?? '');
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [statements, setStatements] = useState<Statement[]>(existing?.statements ?? [EMPTY]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const { failure, report, clear } = useFailure();
  const problems = problemsOf(statements);
  const parseFailures = statements.some((s) => s.resources.some((r) => !parseRnPattern(r).ok));
  const invalid = problems.length > 0 || parseFailures || !isValidKey(key) || name.trim() === '';

  const update = (i: number, patch: Partial<Statement>) => {
    setPreview(null);
    setStatements(statements.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  };

  const run = async (action: () => Promise<void>) => {
    try {
      await action();
      clear();
    } catch (e) {
      report(e);
    }
  };
  const save = () =>
    run(async () => {
      const body = { name, description, statements };
      if (existing) await api('PUT', `/api/v1/policies/${seg(existing.key)}`, body);
      else await api('POST', '/api/v1/policies', { key, ...body });
      props.onSaved(key);
    });
  const showPreview = () =>
    run(async () => {
      setPreview(await api<Preview>('POST', `/api/v1/policies/${seg(key)}/preview`, { statements }));
    });

  return (
    <div className="policy-editor">
      {existing?.builtIn && <p className="notice">Built-in role: read-only, assigned with parameters.</p>}
      <div className="row">
        <label>
          Key
          <input
            value={key}
            readOnly={existing !== null}
            aria-invalid={keyMessage(key) !== undefined}
            onChange={(e) => setKey(e.target.value)}
          />
          {keyMessage(key) && <span className="field-error">{keyMessage(key)}</span>}
        </label>
        <label>
          Name
          <input value={name} readOnly={readOnly} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="grow">
          Description
          <input value={description} readOnly={readOnly} onChange={(e) => setDescription(e.target.value)} />
        </label>
      </div>
      <datalist id="flagward-actions">
        <option value="*" />
        {ACTION_NAMES.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      {statements.map((s, i) => {
        const own = problems.filter((p) => p.path.startsWith(`statements[${i}]`));
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: statements are positional (their index is their name)
          <fieldset className={`statement ${s.effect}`} key={i}>
            <legend>
              Statement {i}
              {!readOnly && (
                <button
                  type="button"
                  className="link danger"
                  onClick={() => setStatements(statements.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              )}
            </legend>
            <label className="inline">
              Effect
              <select
                value={s.effect}
                disabled={readOnly}
                onChange={(e) => update(i, { effect: e.target.value as Statement['effect'] })}
              >
                <option value="allow">allow</option>
                <option value="deny">deny</option>
              </select>
            </label>
            <div>
              <span className="label">Actions</span>
              <ActionsInput
                index={i}
                actions={s.actions}
                readOnly={readOnly}
                onChange={(actions) => update(i, { actions })}
              />
            </div>
            <div>
              <span className="label">Resources (RN patterns)</span>
              {s.resources.map((r, k) => (
                <RnPatternInput
                  // biome-ignore lint/suspicious/noArrayIndexKey: patterns are edited in place
                  key={k}
                  label={`Statement ${i} resource ${k}`}
                  value={r}
                  readOnly={readOnly}
                  onChange={(value) =>
                    update(i, { resources: s.resources.map((x, j) => (j === k ? value : x)) })
                  }
                  onRemove={
                    s.resources.length > 1
                      ? () => update(i, { resources: s.resources.filter((_, j) => j !== k) })
                      : undefined
                  }
                />
              ))}
              {!readOnly && (
                <button
                  type="button"
                  className="link"
                  onClick={() => update(i, { resources: [...s.resources, ''] })}
                >
                  + Add resource
                </button>
              )}
            </div>
            {own.map((p) => (
              <p className="field-error" key={`${p.path}:${p.message}`}>
                {p.path.replace(`statements[${i}].`, '')}: {p.message}
              </p>
            ))}
          </fieldset>
        );
      })}
      {!readOnly && (
        <>
          <button type="button" className="link" onClick={() => setStatements([...statements, EMPTY])}>
            + Add statement
          </button>
          <div className="row">
            {existing && (
              <button type="button" disabled={invalid} onClick={showPreview}>
                Preview the effect
              </button>
            )}
            <button type="button" className="primary" disabled={invalid} onClick={save}>
              {existing ? 'Save policy' : 'Create policy'}
            </button>
          </div>
        </>
      )}
      {preview && <PreviewView preview={preview} />}
      <FailureBox failure={failure} />
    </div>
  );
}
