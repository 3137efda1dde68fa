import { useState } from 'react';
import { api, queryString, seg } from './api.client';
import { useFailure } from './failure';
import {
  BindingEnvsField,
  BindingScopeFields,
  bindingIncomplete,
  bindingParams,
  PolicySelect,
  scopeText,
  useBinding,
} from './policy-binding.component';
import { PreviewView } from './preview.component';
import { formatHash, withQuery } from './route';
import type { PageProps } from './session';
import type { Assignment, Group, Member, Policy, Preview } from './types';
import { Badge, EmptyRow, FailureBox, localToIso, Time, useLoad } from './ui.component';

/** Assignments of policies to members and groups: grant with a what-if preview, revoke. */
export function AssignmentsPage({ session, route, go }: PageProps) {
  const filter = { member: route.query.member, group: route.query.group, policy: route.query.policy };
  const list = useLoad(
    async () =>
      (await api<{ items: Assignment[] }>('GET', `/api/v1/assignments${queryString(filter)}`)).items,
    [filter.member, filter.group, filter.policy],
  );
  const options = useLoad(
    async () => ({
      policies: (await api<{ items: Policy[] }>('GET', '/api/v1/policies')).items,
      members: (await api<{ items: Member[] }>('GET', '/api/v1/members')).items,
      groups: (await api<{ items: Group[] }>('GET', '/api/v1/groups')).items,
    }),
    [],
  );
  const { failure, attempt } = useFailure();
  const [binding, editBinding] = useBinding(session.projects);
  const [holder, setHolder] = useState(filter.member ? `member:${filter.member}` : '');
  const [expires, setExpires] = useState('');
  const [preview, setPreview] = useState<{ body: string; result: Preview } | null>(null);
  const canGrant = session.can.org('ManagePolicies') || session.can.anyProject('ManageProjectAccess');

  const policy = options.data?.policies.find((p) => p.key === binding.policyKey);
  const params = bindingParams(binding, policy);
  const [kind, id] = holder.split(':', 2);
  const body = {
    policy: binding.policyKey,
    ...(kind && id ? { [kind]: id } : {}),
    ...(params ? { params } : {}),
    ...(localToIso(expires) ? { expiresAt: localToIso(expires) } : {}),
  };
  const bodyText = JSON.stringify(body);
  const incomplete = !holder || bindingIncomplete(binding, policy);

  const run = (action: () => Promise<void>) => attempt(action);

  return (
    <>
      <section className="card">
        <div className="toolbar">
          <h2>Assignments</h2>
          {Object.entries(filter)
            .filter(([, v]) => v)
            .map(([k, v]) => (
              <span className="chip" key={k}>
                {k}: {v}
                <button
                  type="button"
                  aria-label={`Clear ${k} filter`}
                  onClick={() => go(withQuery(route, { [k]: '' }))}
                >
                  ✕
                </button>
              </span>
            ))}
        </div>
        <table>
          <thead>
            <tr>
              <th>Policy</th>
              <th>Holder</th>
              <th>Scope</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((a) => (
              <tr key={a.id}>
                <td>
                  <a href={formatHash({ path: ['iam', 'policies'], query: { policy: a.policy } })}>
                    {a.policy}
                  </a>
                </td>
                <td>{a.member ?? <Badge tone="muted">group {a.group}</Badge>}</td>
                <td>{scopeText(a)}</td>
                <td>{a.expiresAt ? <Time at={a.expiresAt} /> : <span className="muted">never</span>}</td>
                <td>
                  {canGrant && (
                    <button
                      type="button"
                      className="link danger"
                      onClick={() =>
                        window.confirm(`Revoke ${a.policy} from ${a.member ?? a.group}?`) &&
                        run(async () => {
                          await api('DELETE', `/api/v1/assignments/${seg(a.id)}`);
                          await list.reload();
                        })
                      }
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
            <EmptyRow rows={list.data} columns={5}>
              No assignment.
            </EmptyRow>
          </tbody>
        </table>
        <FailureBox failure={list.failure} />
      </section>
      {canGrant && (
        <section className="card">
          <h3>Grant a policy</h3>
          <div className="row">
            <PolicySelect
              caption="Policy"
              label="Policy to grant"
              policies={options.data?.policies}
              value={binding.policyKey}
              onChange={(policyKey) => editBinding({ policyKey })}
            />
            <label>
              To
              <select aria-label="Grant to" value={holder} onChange={(e) => setHolder(e.target.value)}>
                <option value="">choose…</option>
                {options.data?.members
                  .filter((m) => !m.disabled)
                  .map((m) => (
                    <option key={m.email} value={`member:${m.email}`}>
                      {m.email}
                    </option>
                  ))}
                {options.data?.groups.map((g) => (
                  <option key={g.key} value={`group:${g.key}`}>
                    group {g.name}
                  </option>
                ))}
              </select>
            </label>
            <BindingScopeFields
              binding={binding}
              policy={policy}
              projects={session.projects}
              onChange={editBinding}
            />
            <label>
              Expires (optional)
              <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
            </label>
          </div>
          <BindingEnvsField
            binding={binding}
            policy={policy}
            projects={session.projects}
            onChange={editBinding}
          />
          {policy && <p className="muted small">{policy.description}</p>}
          <div className="row">
            <button
              type="button"
              disabled={incomplete}
              onClick={() =>
                run(async () => {
                  setPreview({
                    body: bodyText,
                    result: await api<Preview>('POST', '/api/v1/assignments/preview', body),
                  });
                })
              }
            >
              Preview
            </button>
            <button
              type="button"
              className="primary"
              disabled={incomplete || preview?.body !== bodyText}
              title={preview?.body === bodyText ? undefined : 'Preview the effect first'}
              onClick={() =>
                run(async () => {
                  await api('POST', '/api/v1/assignments', body);
                  setPreview(null);
                  await list.reload();
                })
              }
            >
              Grant
            </button>
          </div>
          {preview?.body === bodyText && <PreviewView preview={preview.result} />}
          <FailureBox failure={failure ?? options.failure} />
        </section>
      )}
      {!canGrant && <FailureBox failure={failure} />}
    </>
  );
}
