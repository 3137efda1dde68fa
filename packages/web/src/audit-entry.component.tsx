import { useState } from 'react';
import { diffJson, formatValue } from './diff';
import type { AuditActor, AuditEntry } from './types';
import { Badge, Time } from './ui.component';

/** Who did it: a member (and the token used), or the system on behalf of a member. */
export function actorText(actor: AuditActor): string {
  if (actor.type === 'system') {
    const behalf = actor.onBehalfOf as { email?: string } | string | undefined;
    const who = typeof behalf === 'string' ? behalf : behalf?.email;
    return who ? `system on behalf of ${who}` : 'system';
  }
  const who = actor.email ?? actor.id ?? 'unknown member';
  return actor.token ? `${who} (token ${actor.token.name})` : who;
}

/** The before → after of an entry, one line per changed value. */
export function DiffView({ before, after }: { before: unknown; after: unknown }) {
  if (before === undefined && after === undefined) {
    return <p className="muted small">No before/after recorded for this entry.</p>;
  }
  const lines = diffJson(before, after);
  if (lines.length === 0) return <p className="muted small">Before and after are identical.</p>;
  return (
    <table className="diff">
      <thead>
        <tr>
          <th>Field</th>
          <th>Before</th>
          <th>After</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => (
          <tr key={`${l.kind}:${l.path}`} className={l.kind}>
            <td className="mono">{l.path}</td>
            <td className="mono before">{l.kind === 'added' ? '' : formatValue(l.before)}</td>
            <td className="mono after">{l.kind === 'removed' ? '' : formatValue(l.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One audit entry: its summary line, and on demand its details and diff. */
export function AuditEntryRow({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr className={entry.outcome === 'denied' ? 'denied' : undefined}>
        <td className="mono small">{entry.seq}</td>
        <td className="small">
          <Time at={entry.at} />
        </td>
        <td>{actorText(entry.actor)}</td>
        <td>
          <button type="button" className="link summary" aria-expanded={open} onClick={() => setOpen(!open)}>
            {entry.summary}
          </button>
          {entry.comment && <div className="muted small">“{entry.comment}”</div>}
        </td>
        <td>
          <Badge tone={entry.outcome === 'denied' ? 'bad' : 'ok'}>{entry.outcome}</Badge>
        </td>
      </tr>
      {open && (
        <tr className="entry-detail">
          <td colSpan={5}>
            <dl className="facts">
              <dt>Resource</dt>
              <dd className="mono">{entry.resource}</dd>
              <dt>Actions</dt>
              <dd>{entry.actions.join(', ') || '—'}</dd>
              {entry.reason && (
                <>
                  <dt>Reason</dt>
                  <dd>{entry.reason}</dd>
                </>
              )}
              <dt>Request</dt>
              <dd className="mono small">
                {entry.requestId}
                {entry.ip ? ` from ${entry.ip}` : ''}
              </dd>
              <dt>Hash</dt>
              <dd className="mono small">{entry.hash}</dd>
            </dl>
            <DiffView before={entry.before} after={entry.after} />
          </td>
        </tr>
      )}
    </>
  );
}

/** A table of entries (newest first in the log, oldest first in a timeline). */
export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <table className="audit">
      <thead>
        <tr>
          <th>#</th>
          <th>When</th>
          <th>Who</th>
          <th>What</th>
          <th>Outcome</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <AuditEntryRow key={e.id ?? e.seq} entry={e} />
        ))}
      </tbody>
    </table>
  );
}
