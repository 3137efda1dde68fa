import { type FormEvent, useState } from 'react';
import { api, queryString, seg } from './api.client';
import { useFailure } from './failure';
import type { FlagPermission, Group, Member, Project } from './types';
import { Badge, Dialog, EmptyRow, FailureBox, Unavailable, useLoad } from './ui.component';

/**
 * Who holds Owner or User on one flag and in which environments; owners grant Owner, users grant User,
 * each within their own environments (the server refuses anything else and says why).
 */
export function FlagPermissions(props: { project: Project; flag: string; onClose(): void }) {
  const { project, flag } = props;
  const base = `/api/v1/projects/${seg(project.key)}/flags/${seg(flag)}/permissions`;
  const holders = useLoad(async () => (await api<{ items: FlagPermission[] }>('GET', base)).items, [base]);
  const people = useLoad(
    async () => ({
      members: (await api<{ items: Member[] }>('GET', '/api/v1/members')).items,
      groups: (await api<{ items: Group[] }>('GET', '/api/v1/groups')).items,
    }),
    [],
  );
  const { failure, attempt } = useFailure(project.key);
  const [holder, setHolder] = useState('');
  const [level, setLevel] = useState<'owner' | 'user'>('user');
  const [envs, setEnvs] = useState<string[]>([]);

  const run = (action: () => Promise<unknown>) => attempt(action, holders.reload);

  const grant = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const [kind, id] = holder.split(':', 2) as ['member' | 'group', string];
    return run(() =>
      api('PUT', base, { [kind]: id, level, ...(envs.length > 0 ? { envs } : {}) }).then(() => {
        setHolder('');
        setEnvs([]);
      }),
    );
  };

  return (
    <Dialog title={`Permissions of ${flag}`} onClose={props.onClose}>
      {holders.unavailable ? (
        <Unavailable what="Flag permissions are" />
      ) : (
        <table>
          <thead>
            <tr>
              <th>Holder</th>
              <th>Level</th>
              <th>Environments</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(holders.data ?? []).map((h) => (
              <tr key={h.id}>
                <td>{h.member ?? `group ${h.group}`}</td>
                <td>
                  <Badge tone={h.level === 'owner' ? 'ok' : undefined}>{h.level}</Badge>
                </td>
                <td>{h.envs.length === 0 || h.envs.includes('*') ? 'all' : h.envs.join(', ')}</td>
                <td>
                  <button
                    type="button"
                    className="link danger"
                    onClick={() =>
                      run(() =>
                        api(
                          'DELETE',
                          `${base}${queryString(h.member ? { member: h.member } : { group: h.group })}`,
                        ),
                      )
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            <EmptyRow rows={holders.data} columns={4}>
              Nobody holds a permission on this flag.
            </EmptyRow>
          </tbody>
        </table>
      )}
      <h4>Grant</h4>
      <form onSubmit={grant}>
        <div className="row">
          <label>
            Member or group
            <select value={holder} onChange={(e) => setHolder(e.target.value)} required>
              <option value="">choose…</option>
              {people.data?.members
                .filter((m) => !m.disabled)
                .map((m) => (
                  <option key={m.email} value={`member:${m.email}`}>
                    {m.email}
                  </option>
                ))}
              {people.data?.groups.map((g) => (
                <option key={g.key} value={`group:${g.key}`}>
                  group {g.name} ({g.key})
                </option>
              ))}
            </select>
          </label>
          <label>
            Level
            <select value={level} onChange={(e) => setLevel(e.target.value as 'owner' | 'user')}>
              <option value="user">User — change and toggle</option>
              <option value="owner">Owner — everything, incl. permissions</option>
            </select>
          </label>
        </div>
        <fieldset>
          <legend>Environments (none checked: all)</legend>
          {project.environments.map((e) => (
            <label className="inline" key={e.key}>
              <input
                type="checkbox"
                checked={envs.includes(e.key)}
                onChange={(ev) =>
                  setEnvs(ev.target.checked ? [...envs, e.key] : envs.filter((x) => x !== e.key))
                }
              />
              {e.key}
            </label>
          ))}
        </fieldset>
        <FailureBox failure={failure ?? holders.failure} />
        <button className="primary" type="submit">
          Grant
        </button>
      </form>
    </Dialog>
  );
}
