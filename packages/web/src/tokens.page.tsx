import { type FormEvent, useState } from 'react';
import { api, seg } from './api.client';
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
import type { PageProps } from './session';
import type { ApiToken, IssuedApiToken, Policy, TokenPolicy } from './types';
import { Badge, EmptyRow, FailureBox, localToIso, Time, useLoad } from './ui.component';

/** What a token may do, in words. */
function limitText(policy: TokenPolicy | null): string {
  if (!policy) return 'all your permissions';
  const scope = scopeText(policy);
  return `${policy.key}${scope === 'organization' ? '' : ` on ${scope}`}, within your permissions`;
}

/**
 * The signed-in member's API tokens: create one (optionally limited to a policy, so that a machine's
 * token does less than its member may), see when each was last used, revoke.
 */
export function TokensPage({ session }: PageProps) {
  const tokens = useLoad(async () => (await api<{ items: ApiToken[] }>('GET', '/api/v1/tokens')).items, []);
  const policies = useLoad(async () => (await api<{ items: Policy[] }>('GET', '/api/v1/policies')).items, []);
  const { failure, attempt } = useFailure();
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [binding, editBinding] = useBinding(session.projects);
  const [issued, setIssued] = useState<IssuedApiToken | null>(null);

  const policy = policies.data?.find((p) => p.key === binding.policyKey);
  const limited = binding.policyKey !== '';
  const params = bindingParams(binding, policy);
  const incomplete = name.trim() === '' || (limited && bindingIncomplete(binding, policy));
  const run = (action: () => Promise<unknown>) => attempt(action, tokens.reload);
  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    return run(async () => {
      const expiresAt = localToIso(expires);
      setIssued(
        await api<IssuedApiToken>('POST', '/api/v1/tokens', {
          name,
          ...(expiresAt ? { expiresAt } : {}),
          ...(limited ? { policy: { key: binding.policyKey, ...(params ? { params } : {}) } } : {}),
        }),
      );
      setName('');
      setExpires('');
    });
  };

  return (
    <>
      <section className="card">
        <h2>API tokens</h2>
        <p className="muted small">
          A token acts as you, with <code>Authorization: Bearer …</code>. Limit a token to a policy and it
          does only what both you and that policy allow.
        </p>
        <table>
          <thead>
            <tr>
              <th>Token</th>
              <th>May do</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(tokens.data ?? []).map((token) => (
              <tr key={token.id}>
                <td>
                  <strong>{token.name}</strong> {token.revoked && <Badge tone="muted">revoked</Badge>}
                </td>
                <td>{limitText(token.policy)}</td>
                <td>
                  <Time at={token.createdAt} />
                </td>
                <td>
                  {token.lastUsedAt ? <Time at={token.lastUsedAt} /> : <span className="muted">never</span>}
                </td>
                <td>
                  {token.expiresAt ? <Time at={token.expiresAt} /> : <span className="muted">never</span>}
                </td>
                <td>
                  {!token.revoked && (
                    <button
                      type="button"
                      className="link danger"
                      onClick={() =>
                        window.confirm(
                          `Revoke token ${token.name}? Whatever uses it stops working at once.`,
                        ) && run(() => api('DELETE', `/api/v1/tokens/${seg(token.id)}`))
                      }
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
            <EmptyRow rows={tokens.data} columns={6}>
              No token.
            </EmptyRow>
          </tbody>
        </table>
        <FailureBox failure={tokens.failure} />
      </section>
      <section className="card">
        <h3>Create a token</h3>
        <form onSubmit={create}>
          <div className="row">
            <label>
              Token name
              <input value={name} onChange={(e) => setName(e.target.value)} required />
            </label>
            <label>
              Expires (optional)
              <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
            </label>
            <PolicySelect
              caption="Limit to"
              label="Limit the token to a policy"
              policies={policies.data}
              value={binding.policyKey}
              onChange={(policyKey) => editBinding({ policyKey })}
              none="no limit (all your permissions)"
            />
            <BindingScopeFields
              binding={binding}
              policy={policy}
              projects={session.projects}
              onChange={editBinding}
            />
          </div>
          <BindingEnvsField
            binding={binding}
            policy={policy}
            projects={session.projects}
            onChange={editBinding}
          />
          {policy && <p className="muted small">{policy.description}</p>}
          <button className="primary" type="submit" disabled={incomplete}>
            Create token
          </button>
        </form>
        {issued && (
          <p className="notice" role="status">
            Copy the secret of <strong>{issued.name}</strong> now, it is shown only once:{' '}
            <span className="mono">{issued.secret}</span>
            <br />
            It may do {limitText(issued.policy)}.
          </p>
        )}
        <FailureBox failure={failure ?? policies.failure} />
      </section>
    </>
  );
}
