import { type FormEvent, useState } from 'react';
import { api, seg } from './api.client';
import { useFailure } from './failure';
import type { Variable } from './types';
import { Badge, EmptyRow, FailureBox, KeyInput, keyMessage, Unavailable, useLoad } from './ui.component';

interface VariableView extends Partial<Variable> {
  name?: string;
}

/** Environment variables; secret values stay masked (the server never sends them back in clear). */
export function Variables(props: { project: string; env: string }) {
  const base = `/api/v1/projects/${seg(props.project)}/environments/${seg(props.env)}/variables`;
  const list = useLoad(async () => (await api<{ items: VariableView[] }>('GET', base)).items, [base]);
  const { failure, attempt } = useFailure(props.project);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [secret, setSecret] = useState(false);

  const run = (action: () => Promise<unknown>) => attempt(action, list.reload);
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    return run(async () => {
      await api('PUT', `${base}/${seg(key)}`, { value, secret });
      setKey('');
      setValue('');
      setSecret(false);
    });
  };

  return (
    <section className="card">
      <h3>Variables</h3>
      {list.unavailable ? (
        <Unavailable what="Variables are" />
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Value</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list.data ?? []).map((v) => {
                const name = v.key ?? v.name ?? '';
                return (
                  <tr key={name}>
                    <td className="mono">{name}</td>
                    <td className="mono">
                      {v.secret ? (
                        <>
                          <Badge tone="muted">secret</Badge> {v.value ?? '••••••'}
                        </>
                      ) : (
                        v.value
                      )}
                    </td>
                    <td className="actions">
                      <button
                        type="button"
                        className="link"
                        onClick={() => {
                          setKey(name);
                          setSecret(v.secret ?? false);
                          setValue(v.secret ? '' : (v.value ?? ''));
                        }}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="link danger"
                        onClick={() =>
                          window.confirm(`Delete variable ${name} in ${props.env}?`) &&
                          run(() => api('DELETE', `${base}/${seg(name)}`))
                        }
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
              <EmptyRow rows={list.data} columns={3}>
                No variable in this environment.
              </EmptyRow>
            </tbody>
          </table>
          <form className="row" onSubmit={save}>
            <KeyInput label="Name" value={key} onChange={setKey} required />
            <label className="grow">
              Value {secret && <span className="muted small">(write-only)</span>}
              <input
                type={secret ? 'password' : 'text'}
                autoComplete="off"
                value={value}
                onChange={(e) => setValue(e.target.value)}
              />
            </label>
            <label className="inline">
              <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.target.checked)} />
              Secret
            </label>
            <button className="primary" type="submit" disabled={keyMessage(key) !== undefined}>
              Set variable
            </button>
          </form>
        </>
      )}
      <FailureBox failure={failure ?? (list.unavailable ? null : list.failure)} />
    </section>
  );
}
