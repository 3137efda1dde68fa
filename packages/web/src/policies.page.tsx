import { api, seg } from './api.client';
import { useFailure } from './failure';
import { PolicyEditor } from './policy-editor.component';
import { formatHash, href, withQuery } from './route';
import type { PageProps } from './session';
import type { Policy } from './types';
import { Badge, FailureBox, useLoad } from './ui.component';

/** Policies: built-in roles (read-only) and the organization's own, with the statement editor. */
export function PoliciesPage({ session, route, go }: PageProps) {
  const policies = useLoad(async () => (await api<{ items: Policy[] }>('GET', '/api/v1/policies')).items, []);
  const { failure, report, clear } = useFailure();
  const selected = route.query.policy;
  const canEdit = session.can.org('ManagePolicies');
  const policy = policies.data?.find((p) => p.key === selected) ?? null;

  const remove = async (key: string) => {
    if (!window.confirm(`Delete policy ${key}? Its assignments are removed with it.`)) return;
    try {
      await api('DELETE', `/api/v1/policies/${seg(key)}`);
      clear();
      go(withQuery(route, { policy: '' }));
      await policies.reload();
    } catch (e) {
      report(e);
    }
  };

  return (
    <div className="split">
      <section className="card list">
        <div className="toolbar">
          <h2>Policies</h2>
          <span className="spacer" />
          {canEdit && (
            <a className="button primary" href={href(['iam', 'policies'], { policy: 'new' })}>
              New policy
            </a>
          )}
        </div>
        <ul className="menu">
          {(policies.data ?? []).map((p) => (
            <li key={p.key}>
              <a
                href={formatHash(withQuery(route, { policy: p.key }))}
                aria-current={p.key === selected ? 'page' : undefined}
              >
                {p.name} {p.builtIn && <Badge tone="muted">built-in</Badge>}
                <div className="mono small">{p.key}</div>
              </a>
            </li>
          ))}
        </ul>
        <FailureBox failure={policies.failure} />
      </section>
      <section className="card detail">
        {selected === 'new' && canEdit ? (
          <>
            <h3>New policy</h3>
            <PolicyEditor
              key="new"
              policy={null}
              canEdit
              onSaved={async (key) => {
                await policies.reload();
                go(withQuery(route, { policy: key }));
              }}
            />
          </>
        ) : policy ? (
          <>
            <div className="toolbar">
              <h3>{policy.name}</h3>
              <span className="spacer" />
              <a href={href(['iam', 'assignments'], { policy: policy.key })}>Assignments</a>
              {canEdit && !policy.builtIn && (
                <button type="button" className="danger" onClick={() => remove(policy.key)}>
                  Delete
                </button>
              )}
            </div>
            {policy.description && <p>{policy.description}</p>}
            <PolicyEditor
              key={policy.key}
              policy={policy}
              canEdit={canEdit}
              onSaved={() => void policies.reload()}
            />
          </>
        ) : (
          <p className="muted">Choose a policy to see its statements.</p>
        )}
        <FailureBox failure={failure} />
      </section>
    </div>
  );
}
