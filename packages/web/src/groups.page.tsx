import { type FormEvent, useState } from 'react';
import { api, seg } from './api.client';
import { useFailure } from './failure';
import { href } from './route';
import type { PageProps } from './session';
import type { Group, Member } from './types';
import { FailureBox, KeyInput, keyMessage, useLoad } from './ui.component';

/** Groups (teams) and their members; members with ManageGroups create, rename, fill and delete them. */
export function GroupsPage({ session }: PageProps) {
  const data = useLoad(
    async () => ({
      groups: (await api<{ items: Group[] }>('GET', '/api/v1/groups')).items,
      members: (await api<{ items: Member[] }>('GET', '/api/v1/members')).items,
    }),
    [],
  );
  const { failure, attempt } = useFailure();
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [adding, setAdding] = useState<Record<string, string>>({});
  const manages = session.can.org('ManageGroups');

  const run = (action: () => Promise<unknown>) => attempt(action, data.reload);
  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    return run(async () => {
      await api('POST', '/api/v1/groups', { key, name });
      setKey('');
      setName('');
    });
  };
  const path = (group: string) => `/api/v1/groups/${seg(group)}`;

  return (
    <section className="card">
      <h2>Groups</h2>
      <table>
        <thead>
          <tr>
            <th>Group</th>
            <th>Members</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(data.data?.groups ?? []).map((g) => (
            <tr key={g.key}>
              <td>
                <strong>{g.name}</strong>
                <div className="mono small">{g.key}</div>
              </td>
              <td>
                {g.members.length === 0 && <span className="muted">nobody yet</span>}
                {g.members.map((m) => (
                  <span className="chip" key={m}>
                    {m}
                    {manages && (
                      <button
                        type="button"
                        aria-label={`Remove ${m} from ${g.key}`}
                        onClick={() => run(() => api('DELETE', `${path(g.key)}/members/${seg(m)}`))}
                      >
                        ✕
                      </button>
                    )}
                  </span>
                ))}
                {manages && (
                  <span className="row">
                    <select
                      aria-label={`Add a member to ${g.key}`}
                      value={adding[g.key] ?? ''}
                      onChange={(e) => setAdding({ ...adding, [g.key]: e.target.value })}
                    >
                      <option value="">add a member…</option>
                      {(data.data?.members ?? [])
                        .filter((m) => !g.members.includes(m.email))
                        .map((m) => (
                          <option key={m.email}>{m.email}</option>
                        ))}
                    </select>
                    <button
                      type="button"
                      disabled={!adding[g.key]}
                      onClick={() =>
                        run(async () => {
                          await api('PUT', `${path(g.key)}/members/${seg(adding[g.key] ?? '')}`);
                          setAdding({ ...adding, [g.key]: '' });
                        })
                      }
                    >
                      Add
                    </button>
                  </span>
                )}
              </td>
              <td className="actions">
                <a href={href(['iam', 'assignments'], { group: g.key })}>Assignments</a>
                {manages && (
                  <>
                    <button
                      type="button"
                      className="link"
                      onClick={() => {
                        const next = window.prompt(`New name of ${g.key}`, g.name);
                        if (next) void run(() => api('PATCH', path(g.key), { name: next }));
                      }}
                    >
                      Rename
                    </button>
                    <button
                      type="button"
                      className="link danger"
                      onClick={() =>
                        window.confirm(`Delete group ${g.key}? Its assignments stop applying.`) &&
                        run(() => api('DELETE', path(g.key)))
                      }
                    >
                      Delete
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {manages && (
        <form className="row" onSubmit={create}>
          <KeyInput label="New group key" value={key} onChange={setKey} required />
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <button className="primary" type="submit" disabled={keyMessage(key) !== undefined}>
            Create group
          </button>
        </form>
      )}
      <FailureBox failure={failure ?? data.failure} />
    </section>
  );
}
