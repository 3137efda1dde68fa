import { useState } from 'react';
import { api, seg } from './api.client';
import { useFailure } from './failure';
import type { Session } from './session';
import { FailureBox } from './ui.component';

interface SdkKeysView {
  serverKey: string;
  clientId: string;
}

/** The environment's SDK keys: revealed on demand (ReadEnvSecret), rotated with confirmation (RotateEnvSecret). */
export function SdkKeys(props: { session: Session; project: string; env: string }) {
  const { session, project, env } = props;
  const { failure, report, clear } = useFailure(project);
  const [keys, setKeys] = useState<SdkKeysView | null>(null);
  const [rotated, setRotated] = useState(false);
  const path = `/api/v1/projects/${seg(project)}/environments/${seg(env)}/sdk-keys`;
  const canRead = session.can.env(project, env, 'ReadEnvSecret');
  const canRotate = session.can.env(project, env, 'RotateEnvSecret');

  const run = async (action: () => Promise<SdkKeysView>, isRotation: boolean) => {
    try {
      setKeys(await action());
      setRotated(isRotation);
      clear();
    } catch (e) {
      report(e);
    }
  };

  return (
    <section className="card">
      <h3>SDK keys</h3>
      {!canRead && !canRotate && <p className="muted">You cannot read the SDK keys of this environment.</p>}
      {keys ? (
        <dl className="keys">
          <dt>Server-side SDK key (keep it secret)</dt>
          <dd className="mono">{keys.serverKey}</dd>
          <dt>Client-side id</dt>
          <dd className="mono">{keys.clientId}</dd>
        </dl>
      ) : (
        canRead && <p className="muted">Hidden until you reveal them.</p>
      )}
      {rotated && (
        <p className="notice">Rotated: applications using the old server key must switch to the new one.</p>
      )}
      <div className="row">
        {canRead && !keys && (
          <button type="button" onClick={() => run(() => api<SdkKeysView>('GET', path), false)}>
            Reveal SDK keys
          </button>
        )}
        {keys && (
          <button type="button" onClick={() => setKeys(null)}>
            Hide
          </button>
        )}
        {canRotate && (
          <button
            type="button"
            className="danger"
            onClick={() =>
              window.confirm(`Rotate the SDK keys of ${env}? The current server key stops working.`) &&
              run(() => api<SdkKeysView>('POST', `${path}/rotate`), true)
            }
          >
            Rotate
          </button>
        )}
      </div>
      <FailureBox failure={failure} />
    </section>
  );
}
