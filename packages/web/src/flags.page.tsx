import { useState } from 'react';
import { api, queryString, seg } from './api.client';
import { useFailure } from './failure';
import { FlagConfig } from './flag-config.component';
import { FlagCreate } from './flag-create.component';
import { FlagPermissions } from './flag-permissions.component';
import { NoProject, ProjectPicker } from './project-picker.component';
import { withQuery } from './route';
import { currentProject, type PageProps } from './session';
import type { Flag, Project } from './types';
import { Badge, FailureBox, keyMessage, Toggle, Unavailable, useLoad } from './ui.component';

/** The flags of a project with a switch per environment; a flag opens its targeting in one environment. */
export function FlagsPage(props: PageProps) {
  const { session, route, go } = props;
  const project = currentProject(session, route);
  if (!project) return <NoProject />;
  const flagKey = route.query.flag;
  if (flagKey) {
    const env = project.environments.find((e) => e.key === route.query.env) ?? project.environments[0];
    return (
      <FlagConfig
        key={`${project.key}/${flagKey}`}
        project={project}
        flagKey={flagKey}
        env={env?.key ?? ''}
        at={route.query.at}
        route={route}
        go={go}
      />
    );
  }
  return <FlagList key={project.key} {...props} project={project} />;
}

function FlagList({ route, go, session, project }: PageProps & { project: Project }) {
  const tag = route.query.tag ?? '';
  const archived = route.query.archived === 'true';
  const [tagText, setTagText] = useState(tag);
  const [comment, setComment] = useState('');
  const [creating, setCreating] = useState(false);
  const [permissionsOf, setPermissionsOf] = useState<string | null>(null);
  const [busy, setBusy] = useState('');
  const [attempt, setAttempt] = useState('');
  const { failure, report, clear } = useFailure(project.key);
  const base = `/api/v1/projects/${seg(project.key)}/flags`;
  const flags = useLoad(
    async () =>
      (
        await api<{ items: Flag[] }>(
          'GET',
          `${base}${queryString({ tag, archived: archived ? 'true' : '' })}`,
        )
      ).items,
    [base, tag, archived],
  );

  /** Runs a change; `label` says what was tried, so a refusal reads "Could not <label>: …". */
  const run = async (label: string, action: () => Promise<unknown>) => {
    setBusy(label);
    setAttempt(label);
    try {
      await action();
      clear();
    } catch (e) {
      report(e);
    } finally {
      setBusy('');
      await flags.reload();
    }
  };

  const toggle = (flag: Flag, env: string, on: boolean) =>
    run(`turn ${flag.key} ${on ? 'on' : 'off'} in ${env}`, () =>
      api('PATCH', `${base}/${seg(flag.key)}/environments/${seg(env)}`, {
        on,
        version: flag.environments[env]?.version,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      }),
    );

  const open = (flag: string, env?: string) => go(withQuery(route, { flag, env }));

  if (flags.unavailable) return <Unavailable what="Flags are" />;
  return (
    <>
      <section className="card">
        <div className="toolbar">
          <h2>Flags</h2>
          <ProjectPicker route={route} go={go} projects={session.projects} />
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              if (!keyMessage(tagText)) go(withQuery(route, { tag: tagText }));
            }}
          >
            <label className="inline">
              Tag
              <input
                aria-label="Filter by tag"
                value={tagText}
                placeholder="any"
                onChange={(e) => setTagText(e.target.value)}
                onBlur={() => !keyMessage(tagText) && go(withQuery(route, { tag: tagText }))}
              />
            </label>
          </form>
          <label className="inline">
            <input
              type="checkbox"
              checked={archived}
              onChange={(e) => go(withQuery(route, { archived: e.target.checked ? 'true' : '' }))}
            />
            Archived only
          </label>
          <span className="spacer" />
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New flag
          </button>
        </div>
        {keyMessage(tagText) && <p className="field-error">{keyMessage(tagText)}</p>}
        <label className="inline comment">
          Comment for your next change (optional, kept in the audit log)
          <input value={comment} maxLength={500} onChange={(e) => setComment(e.target.value)} />
        </label>
        {failure ? (
          <FailureBox failure={failure} title={`Could not ${attempt}:`} />
        ) : (
          <FailureBox failure={flags.failure} />
        )}
        {flags.data && flags.data.length === 0 && (
          <p className="muted">
            {archived ? 'No archived flag.' : tag ? `No flag tagged ${tag}.` : 'No flag yet in this project.'}
          </p>
        )}
        {flags.data && flags.data.length > 0 && (
          <table className="flags">
            <thead>
              <tr>
                <th>Flag</th>
                {project.environments.map((e) => (
                  <th key={e.key}>
                    {e.name} {e.production && <Badge tone="prod">production</Badge>}
                  </th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {flags.data.map((flag) => (
                <tr key={flag.key}>
                  <td>
                    <button type="button" className="link strong" onClick={() => open(flag.key)}>
                      {flag.name}
                    </button>
                    <div className="mono small">{flag.key}</div>
                    <div>
                      <Badge tone="muted">{flag.kind}</Badge>
                      {flag.tags.map((t) => (
                        <Badge key={t}>{t}</Badge>
                      ))}
                    </div>
                  </td>
                  {project.environments.map((e) => {
                    const state = flag.environments[e.key];
                    return (
                      <td key={e.key}>
                        {state ? (
                          <div className="env-cell">
                            <Toggle
                              checked={state.on}
                              label={`${flag.key} in ${e.key}`}
                              disabled={flag.archived || busy.startsWith(`turn ${flag.key} `)}
                              onChange={(on) => toggle(flag, e.key, on)}
                            />
                            <button
                              type="button"
                              className="link small"
                              onClick={() => open(flag.key, e.key)}
                            >
                              Targeting
                            </button>
                          </div>
                        ) : (
                          <span className="muted" title="You cannot access this environment">
                            —
                          </span>
                        )}
                      </td>
                    );
                  })}
                  <td className="actions">
                    <button type="button" className="link" onClick={() => setPermissionsOf(flag.key)}>
                      Permissions
                    </button>
                    {flag.archived ? (
                      <button
                        type="button"
                        className="link"
                        onClick={() =>
                          run(`restore ${flag.key}`, () => api('POST', `${base}/${seg(flag.key)}/restore`))
                        }
                      >
                        Restore
                      </button>
                    ) : (
                      <button
                        type="button"
                        className="link"
                        onClick={() =>
                          run(`archive ${flag.key}`, () => api('POST', `${base}/${seg(flag.key)}/archive`))
                        }
                      >
                        Archive
                      </button>
                    )}
                    <button
                      type="button"
                      className="link danger"
                      onClick={() =>
                        window.confirm(
                          `Delete flag ${flag.key} in every environment? This cannot be undone.`,
                        ) && run(`delete ${flag.key}`, () => api('DELETE', `${base}/${seg(flag.key)}`))
                      }
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {creating && (
        <FlagCreate
          project={project.key}
          onCancel={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            void flags.reload();
          }}
        />
      )}
      {permissionsOf && (
        <FlagPermissions project={project} flag={permissionsOf} onClose={() => setPermissionsOf(null)} />
      )}
    </>
  );
}
