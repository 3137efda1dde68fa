import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, describeError } from './api.client';
import type { Me } from './app';

interface Member {
  email: string;
  name: string;
  orgRole: 'owner' | 'admin' | 'member';
  disabled: boolean;
}

interface Group {
  key: string;
  name: string;
  members: string[];
}

/** The organization's members and groups; owners and admins invite, change roles and disable. */
export function MembersPage({ me }: { me: Me }) {
  const [members, setMembers] = useState<Member[]>([]);
  const [groups, setGroups] = useState<Group[]>([]);
  const [error, setError] = useState('');
  const [invitationLink, setInvitationLink] = useState('');
  const manages = me.orgRole !== 'member';

  const load = useCallback(async () => {
    setMembers((await api<{ items: Member[] }>('GET', '/api/v1/members')).items);
    setGroups((await api<{ items: Group[] }>('GET', '/api/v1/groups')).items);
  }, []);
  useEffect(() => {
    load().catch((e: unknown) => setError(describeError(e)));
  }, [load]);

  const run = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setError('');
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  };

  const invite = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    return run(async () => {
      const result = await api<{ invitation: { token: string } }>('POST', '/api/v1/members', {
        email: data.get('email'),
        name: data.get('name'),
        orgRole: data.get('orgRole'),
      });
      setInvitationLink(
        `${window.location.origin}/?invitation=${encodeURIComponent(result.invitation.token)}`,
      );
      form.reset();
    });
  };

  const createGroup = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    return run(async () => {
      await api('POST', '/api/v1/groups', { key: data.get('key'), name: data.get('name') });
      form.reset();
    });
  };

  return (
    <>
      <section className="card">
        <h2>Members</h2>
        <table>
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.email}>
                <td>{m.email}</td>
                <td>{m.name}</td>
                <td>
                  {manages && m.orgRole !== 'owner' && m.email !== me.member.email ? (
                    <select
                      aria-label={`role of ${m.email}`}
                      value={m.orgRole}
                      onChange={(e) =>
                        run(() =>
                          api('PATCH', `/api/v1/members/${encodeURIComponent(m.email)}`, {
                            orgRole: e.target.value,
                          }),
                        )
                      }
                    >
                      <option value="admin">admin</option>
                      <option value="member">member</option>
                    </select>
                  ) : (
                    m.orgRole
                  )}
                </td>
                <td>
                  {m.disabled ? 'disabled' : 'active'}{' '}
                  {manages && m.orgRole !== 'owner' && m.email !== me.member.email && (
                    <button
                      type="button"
                      onClick={() =>
                        run(() =>
                          api('PATCH', `/api/v1/members/${encodeURIComponent(m.email)}`, {
                            disabled: !m.disabled,
                          }),
                        )
                      }
                    >
                      {m.disabled ? 'Enable' : 'Disable'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {manages && (
        <section className="card">
          <h3>Invite a member</h3>
          <form className="row" onSubmit={invite}>
            <label>
              Email
              <input name="email" type="email" required />
            </label>
            <label>
              Name
              <input name="name" required />
            </label>
            <label>
              Role
              <select name="orgRole" defaultValue="member">
                <option value="member">member</option>
                <option value="admin">admin</option>
              </select>
            </label>
            <button className="primary" type="submit">
              Invite
            </button>
          </form>
          {invitationLink && (
            <p className="notice">Send this invitation link (shown once): {invitationLink}</p>
          )}
        </section>
      )}
      <section className="card">
        <h2>Groups</h2>
        <table>
          <thead>
            <tr>
              <th>Key</th>
              <th>Name</th>
              <th>Members</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.key}>
                <td>{g.key}</td>
                <td>{g.name}</td>
                <td>{g.members.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {manages && (
          <form className="row" onSubmit={createGroup}>
            <label>
              Key
              <input name="key" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" />
            </label>
            <label>
              Name
              <input name="name" required />
            </label>
            <button className="primary" type="submit">
              Create group
            </button>
          </form>
        )}
      </section>
      {error && <p className="error">{error}</p>}
    </>
  );
}
