import { useState } from 'react';
import { api, apiText } from './api.client';
import { EvidenceDownloads } from './evidence.component';
import { useFailure } from './failure';
import { FailureBox, Unavailable, useLoad } from './ui.component';

interface Verification {
  ok: boolean;
  size: number;
  root: string;
  checkedCheckpoints: number;
  firstBadSeq?: number;
  problem?: string;
}

/** Whether the log verifies (chain, tree, checkpoint signatures) and the latest signed checkpoint. */
export function Integrity() {
  const verification = useLoad(() => api<Verification>('GET', '/api/v1/audit/verify'), []);
  const checkpoint = useLoad(() => apiText('GET', '/api/v1/audit/checkpoint'), []);
  const publicKey = useLoad(() => apiText('GET', '/api/v1/audit/public-key'), []);
  const { failure, report, clear } = useFailure();
  const [signing, setSigning] = useState(false);

  if (verification.unavailable && checkpoint.unavailable) return <Unavailable what="Audit verification is" />;
  const v = verification.data;
  return (
    <>
      <section className="card">
        <div className="toolbar">
          <h3>Verification</h3>
          <span className="spacer" />
          <button type="button" onClick={() => void verification.reload()}>
            Verify again
          </button>
        </div>
        {verification.unavailable && <Unavailable what="Verification is" />}
        {v && (
          <div className={v.ok ? 'notice' : 'error'} role="status">
            <p>
              <strong>{v.ok ? 'The log verifies.' : 'The log does NOT verify.'}</strong> {v.size} entries,{' '}
              {v.checkedCheckpoints} checkpoint signature{v.checkedCheckpoints === 1 ? '' : 's'} checked.
            </p>
            {!v.ok && (
              <p>
                First bad entry: #{v.firstBadSeq ?? '?'} — {v.problem ?? 'unknown problem'}
              </p>
            )}
            <p className="mono small">root {v.root}</p>
          </div>
        )}
        <FailureBox failure={verification.unavailable ? null : verification.failure} />
      </section>
      <section className="card">
        <div className="toolbar">
          <h3>Latest checkpoint</h3>
          <span className="spacer" />
          <button
            type="button"
            disabled={signing}
            onClick={async () => {
              setSigning(true);
              try {
                await apiText('POST', '/api/v1/audit/checkpoint');
                clear();
                await checkpoint.reload();
              } catch (e) {
                report(e);
              } finally {
                setSigning(false);
              }
            }}
          >
            Sign a checkpoint now
          </button>
        </div>
        {checkpoint.unavailable && <Unavailable what="Checkpoints are" />}
        {checkpoint.data !== undefined && (
          <pre className="checkpoint">{checkpoint.data || 'No checkpoint yet.'}</pre>
        )}
        {publicKey.data && (
          <>
            <h4>Verifier key</h4>
            <pre className="checkpoint">{publicKey.data}</pre>
          </>
        )}
        <h4>Evidence for offline verification</h4>
        <EvidenceDownloads note={checkpoint.data} />
        <FailureBox failure={failure ?? (checkpoint.unavailable ? null : checkpoint.failure)} />
      </section>
    </>
  );
}
