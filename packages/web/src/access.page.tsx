import { ACTION_CATALOG, ACTION_NAMES, parseRn } from '@flagward/core';
import { type FormEvent, useState } from 'react';
import { api, queryString, seg } from './api.client';
import { useFailure } from './failure';
import type { EffectivePermissions } from './permissions';
import { withQuery } from './route';
import type { PageProps, Session } from './session';
import type { Member } from './types';
import { Badge, EmptyRow, FailureBox, useLoad } from './ui.component';

interface CheckResult {
  allowed: boolean;
  decision: string;
  reason: { kind: string; message: string; policy?: string; statement?: number; group?: string };
}

interface WhoCan {
  items: { member: string; orgRole: string; via: { policy: string; statement: number; group?: string }[] }[];
}

const DECISIONS: Record<string, string> = {
  allow: 'allowed',
  'explicit-deny': 'denied by a deny statement',
  'implicit-deny': 'denied: no policy allows it',
  protected: 'denied by a protected operation',
  'missing-access': 'denied: project or environment access is missing',
};

/** An action and a concrete resource, with the resource validated as you type (the server's parser). */
function ActionOnResource(props: {
  action: string;
  resource: string;
  onChange(action: string, resource: string): void;
}) {
  const parsed = props.resource === '' ? undefined : parseRn(props.resource);
  return (
    <div className="row">
      <label>
        Action
        <select
          aria-label="Action"
          value={props.action}
          onChange={(e) => props.onChange(e.target.value, props.resource)}
        >
          {ACTION_NAMES.map((a) => (
            <option key={a} value={a} title={ACTION_CATALOG[a].description}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label className="grow">
        Resource
        <input
          className="mono"
          aria-label="Resource"
          list="flagward-resources"
          value={props.resource}
          placeholder="project/shop:env/production:flag/checkout-v2"
          aria-invalid={parsed !== undefined && !parsed.ok}
          onChange={(e) => props.onChange(props.action, e.target.value)}
        />
        {parsed && !parsed.ok && (
          <span className="field-error">
            at position {parsed.problem.position}: {parsed.problem.reason}
          </span>
        )}
      </label>
    </div>
  );
}

/** Resource names to pick from: the organization, each project and environment, a flag prefix. */
function ResourceSuggestions({ session }: { session: Session }) {
  const suggestions = ['org'];
  for (const p of session.projects) {
    suggestions.push(`project/${p.key}`);
    for (const e of p.environments)
      suggestions.push(`project/${p.key}:env/${e.key}`, `project/${p.key}:env/${e.key}:flag/`);
  }
  return (
    <datalist id="flagward-resources">
      {suggestions.map((s) => (
        <option key={s} value={s} />
      ))}
    </datalist>
  );
}

function CheckCard({ session, members }: { session: Session; members: Member[] }) {
  const [member, setMember] = useState(session.me.member.email);
  const [action, setAction] = useState('UpdateFlagOn');
  const [resource, setResource] = useState('');
  const [result, setResult] = useState<CheckResult | null>(null);
  const { failure, report, clear } = useFailure();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    try {
      setResult(await api<CheckResult>('POST', '/api/v1/authz/check', { member, action, resource }));
      clear();
    } catch (e) {
      setResult(null);
      report(e);
    }
  };
  return (
    <section className="card">
      <h3>Check a decision</h3>
      <form onSubmit={submit}>
        <label className="inline">
          Member
          <select aria-label="Member" value={member} onChange={(e) => setMember(e.target.value)}>
            {(members.length > 0 ? members.map((m) => m.email) : [session.me.member.email]).map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <ActionOnResource
          action={action}
          resource={resource}
          onChange={(a, r) => {
            setAction(a);
            setResource(r);
          }}
        />
        <button className="primary" type="submit">
          Check
        </button>
      </form>
      {result && (
        <div className={result.allowed ? 'notice' : 'error'} role="status">
          <p>
            <strong>{result.allowed ? 'Allowed' : 'Denied'}</strong> —{' '}
            {DECISIONS[result.decision] ?? result.decision}
          </p>
          <p>{result.reason.message}</p>
        </div>
      )}
      <FailureBox failure={failure} />
    </section>
  );
}

function WhoCanCard() {
  const [action, setAction] = useState('UpdateFlagOn');
  const [resource, setResource] = useState('');
  const [result, setResult] = useState<WhoCan | null>(null);
  const { failure, report, clear } = useFailure();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    try {
      setResult(await api<WhoCan>('GET', `/api/v1/authz/who-can${queryString({ action, resource })}`));
      clear();
    } catch (e) {
      setResult(null);
      report(e);
    }
  };
  return (
    <section className="card">
      <h3>Who can…</h3>
      <form onSubmit={submit}>
        <ActionOnResource
          action={action}
          resource={resource}
          onChange={(a, r) => {
            setAction(a);
            setResource(r);
          }}
        />
        <button className="primary" type="submit">
          Find who can
        </button>
      </form>
      {result && (
        <table>
          <thead>
            <tr>
              <th>Member</th>
              <th>Through</th>
            </tr>
          </thead>
          <tbody>
            {result.items.map((i) => (
              <tr key={i.member}>
                <td>
                  {i.member} <Badge tone="muted">{i.orgRole}</Badge>
                </td>
                <td>
                  {i.via.length === 0
                    ? `organization role ${i.orgRole}`
                    : i.via
                        .map(
                          (v) =>
                            `${v.policy} statement ${v.statement}${v.group ? ` (group ${v.group})` : ''}`,
                        )
                        .join('; ')}
                </td>
              </tr>
            ))}
            <EmptyRow rows={result.items} columns={2}>
              Nobody.
            </EmptyRow>
          </tbody>
        </table>
      )}
      <FailureBox failure={failure} />
    </section>
  );
}

function Actions({ actions }: { actions: string[] }) {
  if (actions.length === 0) return <span className="muted">none</span>;
  return (
    <span className="wrap">
      {actions.map((a) => (
        <Badge key={a}>{a}</Badge>
      ))}
    </span>
  );
}

/** The decision tools: check, who can, and a member's effective permissions. */
export function AccessPage({ session, route, go }: PageProps) {
  const inspectsOthers = session.can.org('ManagePolicies');
  const member = inspectsOthers ? (route.query.member ?? session.me.member.email) : session.me.member.email;
  const members = useLoad(async () => (await api<{ items: Member[] }>('GET', '/api/v1/members')).items, []);
  const matrix = useLoad(
    () => api<EffectivePermissions>('GET', `/api/v1/members/${seg(member)}/permissions`),
    [member],
  );
  const others = inspectsOthers || session.can.anyProject('ManageProjectAccess');
  return (
    <>
      <ResourceSuggestions session={session} />
      <CheckCard session={session} members={others ? (members.data ?? []) : []} />
      {others && <WhoCanCard />}
      <section className="card">
        <div className="toolbar">
          <h3>Effective permissions</h3>
          {inspectsOthers && (
            <select
              aria-label="Member"
              value={member}
              onChange={(e) => go(withQuery(route, { member: e.target.value }))}
            >
              {(members.data ?? []).map((m) => (
                <option key={m.email}>{m.email}</option>
              ))}
            </select>
          )}
        </div>
        {matrix.data && (
          <>
            <p>
              {matrix.data.member} · organization role <strong>{matrix.data.orgRole}</strong>
            </p>
            <p>
              Organization: <Actions actions={matrix.data.organization} />
            </p>
            {matrix.data.projects.map((p) => (
              <div key={p.project} className="matrix">
                <h4>
                  Project {p.project} <Actions actions={p.actions} />
                </h4>
                <table>
                  <thead>
                    <tr>
                      <th>Environment</th>
                      <th>Environment actions</th>
                      <th>On every flag</th>
                      <th>Variables</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.environments.map((e) => (
                      <tr key={e.environment}>
                        <td className="mono">{e.environment}</td>
                        <td>
                          <Actions actions={e.actions} />
                        </td>
                        <td>
                          <Actions actions={e.flagActions} />
                        </td>
                        <td>
                          <Actions actions={e.variableActions} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          </>
        )}
        <FailureBox failure={matrix.failure} />
      </section>
    </>
  );
}
