import { ACTION_CATALOG, ACTION_NAMES, isEnvironmentAction } from '@flagward/core';
import { useEffect, useState } from 'react';
import { api, seg } from './api.client';
import { useFailure } from './failure';
import { describeAllowed } from './problem';
import type { Session } from './session';
import type { Group, Member, OrgRole, Policy, Protection } from './types';
import { FailureBox, Unavailable, useLoad } from './ui.component';

const OPERATIONS = ACTION_NAMES.filter((a) => isEnvironmentAction(a) && a !== 'CanAccessEnv');
const TYPES = ['flag', 'var', 'env', 'segment'] as const;
const TYPE_LABELS: Record<string, string> = {
  flag: 'Flags',
  var: 'Variables',
  env: 'Environment',
  segment: 'Segments',
};

function toggled<T>(list: T[], item: T, on: boolean): T[] {
  return on ? [...list, item] : list.filter((x) => x !== item);
}

function Checks<T extends string>(props: {
  legend: string;
  options: { value: T; label: string; title?: string }[];
  selected: T[];
  onChange(next: T[]): void;
}) {
  return (
    <fieldset className="checks">
      <legend>{props.legend}</legend>
      {props.options.length === 0 && <span className="muted small">none</span>}
      {props.options.map((o) => (
        <label className="inline" key={o.value} title={o.title}>
          <input
            type="checkbox"
            checked={props.selected.includes(o.value)}
            onChange={(e) => props.onChange(toggled(props.selected, o.value, e.target.checked))}
          />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The protected operations of an environment: which operations only the listed roles, policies,
 * groups and members may perform, whatever other policies say.
 */
export function ProtectionEditor(props: { session: Session; project: string; env: string }) {
  const { session, project, env } = props;
  const path = `/api/v1/projects/${seg(project)}/environments/${seg(env)}/protection`;
  const current = useLoad(() => api<Protection>('GET', path), [path]);
  const options = useLoad(
    async () => ({
      policies: (await api<{ items: Policy[] }>('GET', '/api/v1/policies')).items,
      groups: (await api<{ items: Group[] }>('GET', '/api/v1/groups')).items,
      members: (await api<{ items: Member[] }>('GET', '/api/v1/members')).items,
    }),
    [],
  );
  const [draft, setDraft] = useState<Protection | null>(null);
  const [saved, setSaved] = useState(false);
  const { failure, report, clear } = useFailure(project);
  const editable = session.can.env(project, env, 'ManageProtectedOperations');

  useEffect(() => {
    if (current.data) setDraft(current.data);
  }, [current.data]);

  if (current.unavailable) return <Unavailable what="Protected operations are" />;
  if (!draft) return <FailureBox failure={current.failure} />;
  const names = Object.fromEntries((options.data?.policies ?? []).map((p) => [p.key, p.name]));
  const allowed = draft.allowed;
  const setAllowed = (patch: Partial<Protection['allowed']>) => {
    setSaved(false);
    setDraft({ ...draft, allowed: { ...allowed, ...patch } });
  };

  const save = async () => {
    try {
      setDraft(await api<Protection>('PUT', path, draft));
      clear();
      setSaved(true);
    } catch (e) {
      report(e);
    }
  };

  return (
    <section className="card">
      <h3>Protected operations</h3>
      <p>
        {draft.operations.length === 0
          ? 'No operation is protected in this environment.'
          : `Only ${describeAllowed(allowed, names)} may ${draft.operations.join(', ')} here — whatever their other policies say.`}
      </p>
      <fieldset disabled={!editable} className="protection">
        <div className="columns">
          {TYPES.map((type) => (
            <Checks
              key={type}
              legend={TYPE_LABELS[type]!}
              options={OPERATIONS.filter((a) => ACTION_CATALOG[a].resourceType === type).map((a) => ({
                value: a,
                label: a,
                title: ACTION_CATALOG[a].description,
              }))}
              selected={draft.operations}
              onChange={(operations) => {
                setSaved(false);
                setDraft({ ...draft, operations });
              }}
            />
          ))}
        </div>
        <h4>Allowed to perform them</h4>
        <div className="columns">
          <Checks<OrgRole>
            legend="Organization roles"
            options={(['owner', 'admin', 'member'] as const).map((r) => ({ value: r, label: r }))}
            selected={allowed.orgRoles}
            onChange={(orgRoles) => setAllowed({ orgRoles })}
          />
          <Checks
            legend="Holders of policies (in this project)"
            options={(options.data?.policies ?? []).map((p) => ({
              value: p.key,
              label: p.name,
              title: p.key,
            }))}
            selected={allowed.policies}
            onChange={(policies) => setAllowed({ policies })}
          />
          <Checks
            legend="Groups"
            options={(options.data?.groups ?? []).map((g) => ({ value: g.key, label: g.name, title: g.key }))}
            selected={allowed.groups}
            onChange={(groups) => setAllowed({ groups })}
          />
          <Checks
            legend="Members"
            options={(options.data?.members ?? []).map((m) => ({ value: m.email, label: m.email }))}
            selected={allowed.members}
            onChange={(members) => setAllowed({ members })}
          />
        </div>
      </fieldset>
      {editable && (
        <div className="row">
          <button type="button" className="primary" onClick={save}>
            Save protection
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(current.data ?? draft);
              setSaved(false);
            }}
          >
            Discard
          </button>
        </div>
      )}
      {saved && <p className="notice">Protection saved.</p>}
      <FailureBox failure={failure ?? options.failure} />
    </section>
  );
}
