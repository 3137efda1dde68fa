import {
  configurationChangeSummaries,
  deriveConfigurationActions,
  type FlagConfiguration,
  validateFlagConfiguration,
} from '@flagward/core';
import { useEffect, useState } from 'react';
import { api, queryString, seg } from './api.client';
import { changedFields, configurationOf } from './configuration';
import { useFailure } from './failure';
import { FlagSettings } from './flag-settings.component';
import { formatHash, type Route, withQuery } from './route';
import { RulesEditor } from './rules.component';
import { RolloutSchedule } from './schedule.component';
import { ServeEditor, variationLabel } from './serve.component';
import { TargetsEditor } from './targets.component';
import type { Configuration, Flag, Project } from './types';
import {
  Badge,
  FailureBox,
  isoToLocal,
  localToIso,
  Time,
  Toggle,
  Unavailable,
  useLoad,
} from './ui.component';

/** The targeting of one flag in one environment: on/off, targets, rules, default rule, off variation. */
export function FlagConfig(props: {
  project: Project;
  flagKey: string;
  env: string;
  at: string | undefined;
  route: Route;
  go(route: Route): void;
}) {
  const { project, flagKey, env, at, route, go } = props;
  const base = `/api/v1/projects/${seg(project.key)}/flags/${seg(flagKey)}`;
  const flag = useLoad(() => api<Flag>('GET', base), [base]);
  const config = useLoad(
    () => api<Configuration>('GET', `${base}/environments/${seg(env)}${queryString({ at })}`),
    [base, env, at],
  );
  const [draft, setDraft] = useState<FlagConfiguration | null>(null);
  const [comment, setComment] = useState('');
  const [saving, setSaving] = useState(false);
  const [settings, setSettings] = useState(false);
  const [atText, setAtText] = useState(isoToLocal(at));
  // Editors keep what is being typed; a new key resets them after a save, a reload or a discard.
  const [resets, setResets] = useState(0);
  const { failure, report, clear } = useFailure(project.key);

  useEffect(() => {
    if (config.data) {
      setDraft(configurationOf(config.data));
      setResets((n) => n + 1);
    }
  }, [config.data]);

  if (flag.unavailable || config.unavailable) return <Unavailable what="Flags are" />;
  const back = <a href={formatHash(withQuery(route, { flag: '', at: '' }))}>← All flags</a>;
  if (!flag.data || !config.data || !draft) {
    return (
      <section className="card">
        {back}
        <FailureBox failure={flag.failure ?? config.failure} />
        {!flag.failure && !config.failure && <p className="muted">Loading…</p>}
      </section>
    );
  }
  const readOnly = at !== undefined;
  const before = configurationOf(config.data);
  const variations = flag.data.variations;
  const patch = changedFields(before, draft);
  const dirty = Object.keys(patch).length > 0;
  const problems = validateFlagConfiguration(draft, { variations }).map((e) => `${e.path}: ${e.message}`);
  const summaries = dirty
    ? configurationChangeSummaries(before, draft, {
        flag: flagKey,
        environment: env,
        kind: flag.data.kind,
        variations,
      })
    : [];
  const actions = dirty ? deriveConfigurationActions(before, draft) : [];
  const environment = project.environments.find((e) => e.key === env);

  const save = async () => {
    setSaving(true);
    try {
      const saved = await api<Configuration>('PATCH', `${base}/environments/${seg(env)}`, {
        ...patch,
        version: before.version,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      setComment('');
      clear();
      setDraft(configurationOf(saved));
      await config.reload();
    } catch (e) {
      report(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <section className="card">
        {back}
        <div className="toolbar">
          <h2>{flag.data.name}</h2>
          <span className="mono">{flag.data.key}</span>
          <Badge tone="muted">{flag.data.kind}</Badge>
          {flag.data.archived && <Badge tone="bad">archived</Badge>}
          {flag.data.tags.map((t) => (
            <Badge key={t}>{t}</Badge>
          ))}
          <span className="spacer" />
          <button type="button" onClick={() => setSettings(true)}>
            Settings
          </button>
        </div>
        {flag.data.description && <p>{flag.data.description}</p>}
        <nav className="tabs" aria-label="Environments">
          {project.environments
            .filter((e) => flag.data?.environments[e.key] !== undefined)
            .map((e) => (
              <a
                key={e.key}
                href={formatHash(withQuery(route, { env: e.key }))}
                aria-current={e.key === env ? 'page' : undefined}
              >
                {e.name} {e.production && <Badge tone="prod">production</Badge>}
              </a>
            ))}
        </nav>
        <form
          className="row history"
          onSubmit={(e) => {
            e.preventDefault();
            go(withQuery(route, { at: localToIso(atText) ?? '' }));
          }}
        >
          <label className="inline">
            Show as it was at
            <input type="datetime-local" value={atText} onChange={(e) => setAtText(e.target.value)} />
          </label>
          <button type="submit">Show</button>
          {readOnly && (
            <button
              type="button"
              onClick={() => {
                setAtText('');
                go(withQuery(route, { at: '' }));
              }}
            >
              Back to now
            </button>
          )}
        </form>
        {readOnly && (
          <p className="notice">
            Read-only: the configuration in {env} as it was at <Time at={at} /> (version {before.version}).
          </p>
        )}
        <FailureBox failure={config.failure} />
      </section>

      <section className="card">
        <div className="toolbar">
          <h3>Targeting in {environment?.name ?? env}</h3>
          <Toggle
            checked={draft.on}
            label={`Targeting of ${flagKey} in ${env}`}
            disabled={readOnly}
            onChange={(on) => setDraft({ ...draft, on })}
          />
          <span className="muted small">
            version {before.version} · updated <Time at={config.data.updatedAt} />
          </span>
        </div>
        <h4>Individual targets</h4>
        <TargetsEditor
          key={`targets-${resets}`}
          targets={draft.targets}
          variations={variations}
          readOnly={readOnly}
          onChange={(targets) => setDraft({ ...draft, targets })}
        />
        <h4>Targeting rules</h4>
        <RulesEditor
          key={`rules-${resets}`}
          rules={draft.rules}
          variations={variations}
          readOnly={readOnly}
          onChange={(rules) => setDraft({ ...draft, rules })}
        />
        <h4>Default rule</h4>
        <ServeEditor
          label="Everyone else gets"
          serve={draft.fallthrough}
          variations={variations}
          readOnly={readOnly}
          onChange={(fallthrough) => setDraft({ ...draft, fallthrough })}
        />
        {!readOnly && (
          <>
            <h4>Progressive rollout</h4>
            <RolloutSchedule
              key={env}
              path={base}
              project={project.key}
              env={env}
              variations={variations}
              offVariation={before.offVariation}
              onChanged={() => void config.reload()}
            />
          </>
        )}
        <h4>When targeting is off</h4>
        <label className="inline">
          Serve
          <select
            aria-label="Off variation"
            value={draft.offVariation}
            disabled={readOnly}
            onChange={(e) => setDraft({ ...draft, offVariation: e.target.value })}
          >
            {variations.map((v) => (
              <option key={v.id} value={v.id}>
                {variationLabel(v)}
              </option>
            ))}
          </select>
        </label>
      </section>

      {!readOnly && (
        <section className={dirty ? 'card sticky' : 'card'}>
          {dirty ? (
            <>
              <p>
                <strong>Pending:</strong> {summaries.join('; ')}
              </p>
              <p className="muted small">
                Needs {actions.join(', ')} in {env}.
              </p>
            </>
          ) : (
            <p className="muted">No pending change.</p>
          )}
          {problems.map((p) => (
            <p className="field-error" key={p}>
              {p}
            </p>
          ))}
          <div className="row">
            <label className="grow">
              Comment (optional, kept in the audit log)
              <input value={comment} maxLength={500} onChange={(e) => setComment(e.target.value)} />
            </label>
            <button
              className="primary"
              type="button"
              disabled={!dirty || problems.length > 0 || saving}
              onClick={save}
            >
              Save changes
            </button>
            <button
              type="button"
              disabled={!dirty}
              onClick={() => {
                setDraft(before);
                setResets((n) => n + 1);
              }}
            >
              Discard
            </button>
            <button
              type="button"
              onClick={() => {
                clear();
                void config.reload();
              }}
            >
              Reload
            </button>
          </div>
          <FailureBox failure={failure} />
        </section>
      )}
      {settings && (
        <FlagSettings
          project={project.key}
          flag={flag.data}
          onClose={() => setSettings(false)}
          onSaved={() => void flag.reload()}
        />
      )}
    </>
  );
}
