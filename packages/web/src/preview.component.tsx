import type { Preview } from './types';

/** What-if: who would gain and who would lose which permissions if the change were saved. */
export function PreviewView({ preview }: { preview: Preview }) {
  if (preview.members.length === 0) {
    return <p className="notice">Nobody would gain or lose any permission.</p>;
  }
  return (
    <div className="preview">
      <h4>If you save this</h4>
      {preview.members.map((m) => (
        <div key={m.member}>
          <strong>{m.member}</strong>
          <ul>
            {m.gains.map((c) => (
              <li className="gain" key={`+${c.action}@${c.resource}`}>
                + gains {c.action} on <span className="mono">{c.resource}</span>
              </li>
            ))}
            {m.losses.map((c) => (
              <li className="loss" key={`-${c.action}@${c.resource}`}>
                − loses {c.action} on <span className="mono">{c.resource}</span>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
