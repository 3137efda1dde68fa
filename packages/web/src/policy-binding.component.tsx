import { useState } from 'react';
import type { AssignmentParams, Policy, Project } from './types';
import { KeyInput, keyMessage } from './ui.component';

/** A policy and the parameters it is bound with, as a form edits them (assignments, token limits). */
export interface Binding {
  policyKey: string;
  project: string;
  flag: string;
  envs: string[];
}

/** The placeholders a policy's patterns use (bound by the assignment's parameters). */
export function placeholdersOf(policy: Policy | undefined): Set<string> {
  const names = new Set<string>();
  for (const s of policy?.statements ?? []) {
    for (const r of s.resources) for (const m of r.matchAll(/\$\{(\w+)\}/g)) names.add(m[1]!);
  }
  return names;
}

/** How a binding's scope reads: `project shop · environments development`. */
export function scopeText(a: { params: AssignmentParams }): string {
  const { project, flag, envs } = a.params;
  const parts: string[] = [];
  if (flag) parts.push(`flag ${flag} of ${project}`);
  else if (project) parts.push(`project ${project}`);
  if (envs && !(envs.length === 1 && envs[0] === '*')) parts.push(`environments ${envs.join(', ')}`);
  return parts.join(' · ') || 'organization';
}

/** A binding being edited, starting with the first project the member can see. */
export function useBinding(projects: Project[]) {
  const [binding, setBinding] = useState<Binding>({
    policyKey: '',
    project: projects[0]?.key ?? '',
    flag: '',
    envs: [],
  });
  return [binding, (patch: Partial<Binding>) => setBinding((b) => ({ ...b, ...patch }))] as const;
}

/** The parameters the chosen policy takes, from the form (undefined when it takes none). */
export function bindingParams(binding: Binding, policy: Policy | undefined): AssignmentParams | undefined {
  const needs = placeholdersOf(policy);
  if (needs.size === 0) return undefined;
  return {
    ...(needs.has('project') ? { project: binding.project } : {}),
    ...(needs.has('flag') ? { flag: binding.flag } : {}),
    ...(binding.envs.length > 0 ? { envs: binding.envs } : {}),
  };
}

/** Whether the form lacks something the chosen policy needs. */
export function bindingIncomplete(binding: Binding, policy: Policy | undefined): boolean {
  const flag = binding.flag;
  return !policy || (placeholdersOf(policy).has('flag') && (flag === '' || keyMessage(flag) !== undefined));
}

interface FieldsProps {
  binding: Binding;
  policy: Policy | undefined;
  projects: Project[];
  onChange(patch: Partial<Binding>): void;
}

/** A choice of the organization's policies, built-in ones marked, under a visible caption. */
export function PolicySelect(props: {
  caption: string;
  /** The accessible name of the choice. */
  label: string;
  policies: Policy[] | undefined;
  value: string;
  onChange(key: string): void;
  /** The option for no policy at all. */
  none?: string;
}) {
  return (
    <label>
      {props.caption}
      <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.none ?? 'choose…'}</option>
        {props.policies?.map((p) => (
          <option key={p.key} value={p.key}>
            {p.name}
            {p.builtIn ? ' (built-in)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The project and flag a policy's placeholders need, when it uses them. */
export function BindingScopeFields({ binding, policy, projects, onChange }: FieldsProps) {
  const needs = placeholdersOf(policy);
  return (
    <>
      {needs.has('project') && (
        <label>
          Project
          <select value={binding.project} onChange={(e) => onChange({ project: e.target.value, envs: [] })}>
            {projects.map((p) => (
              <option key={p.key} value={p.key}>
                {p.key}
              </option>
            ))}
          </select>
        </label>
      )}
      {needs.has('flag') && (
        <KeyInput label="Flag" value={binding.flag} onChange={(flag) => onChange({ flag })} required />
      )}
    </>
  );
}

/** The environments of the bound project a grant is narrowed to (none checked: all of them). */
export function BindingEnvsField({ binding, policy, projects, onChange }: FieldsProps) {
  if (!placeholdersOf(policy).has('project')) return null;
  const envs = projects.find((p) => p.key === binding.project)?.environments ?? [];
  return (
    <fieldset>
      <legend>Environments (none checked: all)</legend>
      {envs.map((e) => (
        <label className="inline" key={e.key}>
          <input
            type="checkbox"
            checked={binding.envs.includes(e.key)}
            onChange={(ev) =>
              onChange({
                envs: ev.target.checked ? [...binding.envs, e.key] : binding.envs.filter((x) => x !== e.key),
              })
            }
          />
          {e.key}
        </label>
      ))}
    </fieldset>
  );
}
