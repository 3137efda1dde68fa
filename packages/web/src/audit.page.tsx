import { ACTION_NAMES } from '@flagward/core';
import { type FormEvent, useState } from 'react';
import { apiText } from './api.client';
import { AuditTable } from './audit-entry.component';
import { EvidenceDownloads } from './evidence.component';
import { Integrity } from './integrity.component';
import { usePaged } from './paged';
import { formatHash, href, withQuery } from './route';
import type { PageProps } from './session';
import { Timeline } from './timeline.component';
import type { AuditEntry } from './types';
import { FailureBox, isoToLocal, localToIso, Unavailable, useLoad } from './ui.component';

const FILTERS = [
  'project',
  'environment',
  'flag',
  'actor',
  'action',
  'outcome',
  'since',
  'until',
  'q',
] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function FilterForm({
  session,
  filters,
  onApply,
}: Pick<PageProps, 'session'> & { filters: Filters; onApply(f: Filters): void }) {
  const [draft, setDraft] = useState<Filters>(filters);
  const set = (key: keyof Filters, value: string) => setDraft({ ...draft, [key]: value });
  const envs = session.projects.find((p) => p.key === draft.project)?.environments ?? [];
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onApply(draft);
  };
  return (
    <form className="filters" onSubmit={submit}>
      <label>
        Project
        <select
          value={draft.project ?? ''}
          onChange={(e) => setDraft({ ...draft, project: e.target.value, environment: '' })}
        >
          <option value="">any</option>
          {session.projects.map((p) => (
            <option key={p.key}>{p.key}</option>
          ))}
        </select>
      </label>
      <label>
        Environment
        <select value={draft.environment ?? ''} onChange={(e) => set('environment', e.target.value)}>
          <option value="">any</option>
          {envs.map((e) => (
            <option key={e.key}>{e.key}</option>
          ))}
        </select>
      </label>
      <label>
        Flag
        <input value={draft.flag ?? ''} onChange={(e) => set('flag', e.target.value)} />
      </label>
      <label>
        Actor (email)
        <input value={draft.actor ?? ''} onChange={(e) => set('actor', e.target.value)} />
      </label>
      <label>
        Action
        <input
          list="flagward-audit-actions"
          value={draft.action ?? ''}
          placeholder="any"
          onChange={(e) => set('action', e.target.value)}
        />
        <datalist id="flagward-audit-actions">
          {ACTION_NAMES.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </label>
      <label>
        Outcome
        <select value={draft.outcome ?? ''} onChange={(e) => set('outcome', e.target.value)}>
          <option value="">any</option>
          <option value="applied">applied</option>
          <option value="denied">denied</option>
        </select>
      </label>
      <label>
        Since
        <input
          type="datetime-local"
          value={isoToLocal(draft.since)}
          onChange={(e) => set('since', localToIso(e.target.value) ?? '')}
        />
      </label>
      <label>
        Until
        <input
          type="datetime-local"
          value={isoToLocal(draft.until)}
          onChange={(e) => set('until', localToIso(e.target.value) ?? '')}
        />
      </label>
      <label className="grow">
        Text
        <input
          value={draft.q ?? ''}
          placeholder="words in the summary, resource or reason"
          onChange={(e) => set('q', e.target.value)}
        />
      </label>
      <button className="primary" type="submit">
        Apply
      </button>
      <button
        type="button"
        onClick={() => {
          setDraft({});
          onApply({});
        }}
      >
        Clear
      </button>
    </form>
  );
}

function AuditLog({ session, route, go }: PageProps) {
  const filters: Filters = Object.fromEntries(
    FILTERS.filter((f) => route.query[f]).map((f) => [f, route.query[f]]),
  );
  const log = usePaged<AuditEntry>('/api/v1/audit', filters, 50);
  // The latest signed checkpoint, which exports stop at (none yet: no exports offered).
  const checkpoint = useLoad(() => apiText('GET', '/api/v1/audit/checkpoint'), []);
  if (log.unavailable) return <Unavailable what="The audit log is" />;
  return (
    <section className="card">
      <FilterForm
        key={JSON.stringify(filters)}
        session={session}
        filters={filters}
        onApply={(f) =>
          go({ path: route.path, query: Object.fromEntries(Object.entries(f).filter(([, v]) => v)) })
        }
      />
      <EvidenceDownloads note={checkpoint.data} filters={filters} />
      <FailureBox failure={log.failure} />
      {log.items.length === 0 && !log.loading && !log.failure && <p className="muted">No entry matches.</p>}
      {log.items.length > 0 && <AuditTable entries={log.items} />}
      {log.hasMore && (
        <button type="button" disabled={log.loading} onClick={() => void log.more()}>
          {log.loading ? 'Loading…' : 'Load older entries'}
        </button>
      )}
    </section>
  );
}

/** The audit log with filters and diffs, the release timeline and the integrity of the log. */
export function AuditPage(props: PageProps) {
  const view = props.route.path[1] ?? 'log';
  const project = props.route.query.project;
  return (
    <>
      <nav className="tabs" aria-label="Audit">
        <a
          href={formatHash({ path: ['audit'], query: props.route.query })}
          aria-current={view === 'log' ? 'page' : undefined}
        >
          Log
        </a>
        <a
          href={href(['audit', 'timeline'], { project })}
          aria-current={view === 'timeline' ? 'page' : undefined}
        >
          Release timeline
        </a>
        <a href={href(['audit', 'integrity'])} aria-current={view === 'integrity' ? 'page' : undefined}>
          Integrity
        </a>
      </nav>
      {view === 'timeline' ? (
        <Timeline {...props} />
      ) : view === 'integrity' ? (
        <Integrity />
      ) : (
        <AuditLog {...props} go={(r) => props.go(withQuery({ path: ['audit'], query: {} }, r.query))} />
      )}
    </>
  );
}
