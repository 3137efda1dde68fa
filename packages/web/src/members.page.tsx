import { type FormEvent, useState } from 'react';
import { api, seg } from './api.client';
import { useFailure } from './failure';
import { href } from './route';
import type { PageProps } from './session';
import type { Member } from './types';
import { Badge, FailureBox, useLoad } from './ui.component';

/** The organization's members; members with ManageMembers invite, change roles and disable. */
export function MembersPage({ session }: PageProps) {
  const { me, can } = session;
  const members = useLoad(async () => (await api<{ items: Member[] }>('GET', '/api/v1/members')).items, []);
  const { failure, attempt } = useFailure();
  const [invitationLink, setInvitationLink] = useState('');
  const manages = can.org('ManageMembers');

  const run = (action: () => Promise<unknown>) => attempt(action, members.reload);

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

  const patch = (email: string, body: Record<string, unknown>) =>
    run(() => api('PATCH', `/api/v1/members/${seg(email)}`, body));

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
              <th />
            </tr>
          </thead>
          <tbody>
            {(members.data ?? []).map((m) => {
              const editable = manages && m.orgRole !== 'owner' && m.email !== me.member.email;
              return (
                <tr key={m.email}>
                  <td>{m.email}</td>
                  <td>{m.name}</td>
                  <td>
                    {editable ? (
                      <select
                        aria-label={`role of ${m.email}`}
                        value={m.orgRole}
                        onChange={(e) => patch(m.email, { orgRole: e.target.value })}
                      >
                        <option value="admin">admin</option>
                        <option value="member">member</option>
                      </select>
                    ) : (
                      m.orgRole
                    )}
                  </td>
                  <td>
                    {m.disabled ? <Badge tone="bad">disabled</Badge> : <Badge tone="ok">active</Badge>}{' '}
                    {editable && (
                      <button
                        type="button"
                        className="link"
                        onClick={() => patch(m.email, { disabled: !m.disabled })}
                      >
                        {m.disabled ? 'Enable' : 'Disable'}
                      </button>
                    )}
                  </td>
                  <td className="actions">
                    {(can.org('ManagePolicies') || m.email === me.member.email) && (
                      <a href={href(['iam', 'access'], { member: m.email })}>Permissions</a>
                    )}
                    <a href={href(['iam', 'assignments'], { member: m.email })}>Assignments</a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <FailureBox failure={members.failure} />
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
            <p className="notice">
              Send this invitation link (shown once): <span className="mono">{invitationLink}</span>
            </p>
          )}
        </section>
      )}
      <FailureBox failure={failure} />
    </>
  );
}
