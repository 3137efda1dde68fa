import { type FormEvent, useState } from 'react';
import { AuditTable } from './audit-entry.component';
import { usePaged } from './paged';
import { NoProject } from './project-picker.component';
import type { PageProps } from './session';
import type { AuditEntry } from './types';
import { FailureBox, isoToLocal, localToIso, Unavailable } from './ui.component';

/** "What changed in production between 14:00 and 14:30, by whom": the changes of a window, oldest first. */
export function Timeline({ session, route, go }: PageProps) {
  // The default window is the last hour, fixed when the page opens so the list does not reload.
  const [lastHour] = useState(() => new Date(Date.now() - 60 * 60 * 1000).toISOString());
  const range = {
    project: route.query.project ?? session.projects[0]?.key ?? '',
    environment: route.query.environment ?? '',
    since: route.query.since ?? lastHour,
    until: route.query.until ?? '',
  };
  const [draft, setDraft] = useState(range);
  const timeline = usePaged<AuditEntry>('/api/v1/audit/timeline', range, 200);
  const envs = session.projects.find((p) => p.key === draft.project)?.environments ?? [];
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    go({
      path: ['audit', 'timeline'],
      query: Object.fromEntries(Object.entries(draft).filter(([, v]) => v)),
    });
  };
  if (session.projects.length === 0) return <NoProject />;
  if (timeline.unavailable) return <Unavailable what="The release timeline is" />;
  return (
    <section className="card">
      <form className="filters" onSubmit={submit}>
        <label>
          Project
          <select
            value={draft.project}
            onChange={(e) => setDraft({ ...draft, project: e.target.value, environment: '' })}
          >
            {session.projects.map((p) => (
              <option key={p.key}>{p.key}</option>
            ))}
          </select>
        </label>
        <label>
          Environment
          <select
            value={draft.environment}
            onChange={(e) => setDraft({ ...draft, environment: e.target.value })}
          >
            <option value="">all</option>
            {envs.map((e) => (
              <option key={e.key}>{e.key}</option>
            ))}
          </select>
        </label>
        <label>
          From
          <input
            type="datetime-local"
            value={isoToLocal(draft.since)}
            onChange={(e) => setDraft({ ...draft, since: localToIso(e.target.value) ?? '' })}
          />
        </label>
        <label>
          To (empty: now)
          <input
            type="datetime-local"
            value={isoToLocal(draft.until)}
            onChange={(e) => setDraft({ ...draft, until: localToIso(e.target.value) ?? '' })}
          />
        </label>
        <button className="primary" type="submit">
          Show
        </button>
      </form>
      <FailureBox failure={timeline.failure} />
      {timeline.items.length === 0 && !timeline.loading && !timeline.failure && (
        <p className="muted">No change in this window.</p>
      )}
      {timeline.items.length > 0 && <AuditTable entries={timeline.items} />}
      {timeline.hasMore && (
        <button type="button" disabled={timeline.loading} onClick={() => void timeline.more()}>
          Load later changes
        </button>
      )}
    </section>
  );
}
