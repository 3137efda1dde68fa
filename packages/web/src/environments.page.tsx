import { isValidKey } from '@flagward/core';
import { type FormEvent, useState } from 'react';
import { api, seg } from './api.client';
import { useFailure } from './failure';
import { NoProject, ProjectPicker } from './project-picker.component';
import { ProtectionEditor } from './protection.component';
import { formatHash, withQuery } from './route';
import { SdkKeys } from './sdk-keys.component';
import { currentProject, type PageProps, type Session } from './session';
import type { Environment, Project } from './types';
import { Badge, FailureBox, KeyInput, keyMessage, parseTags, TagsInput } from './ui.component';
import { Variables } from './variables.component';

function EnvSettings(props: { session: Session; project: Project; env: Environment; onDeleted(): void }) {
  const { session, project, env } = props;
  const { failure, report, clear } = useFailure(project.key);
  const [name, setName] = useState(env.name);
  const [production, setProduction] = useState(env.production);
  const [tags, setTags] = useState(env.tags.join(', '));
  const [saved, setSaved] = useState(false);
  const path = `/api/v1/projects/${seg(project.key)}/environments/${seg(env.key)}`;
  const editable = session.can.env(project.key, env.key, 'UpdateEnvSettings');

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    try {
      await api('PATCH', path, { name, production, tags: parseTags(tags) });
      clear();
      setSaved(true);
      await session.refresh();
    } catch (e) {
      report(e);
    }
  };
  const remove = async () => {
    if (!window.confirm(`Delete environment ${env.key} and every flag configuration in it?`)) return;
    try {
      await api('DELETE', path);
      await session.refresh();
      props.onDeleted();
    } catch (e) {
      report(e);
    }
  };

  return (
    <section className="card">
      <h3>
        Environment {env.key} {env.production && <Badge tone="prod">production</Badge>}
      </h3>
      <form onSubmit={save} onChange={() => setSaved(false)}>
        <fieldset disabled={!editable} className="row">
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label className="inline">
            <input type="checkbox" checked={production} onChange={(e) => setProduction(e.target.checked)} />
            Production (carries the tag <code>production</code>)
          </label>
          <TagsInput label="Tags" value={tags} onChange={setTags} />
          {editable && (
            <button className="primary" type="submit" disabled={parseTags(tags).some((t) => !isValidKey(t))}>
              Save
            </button>
          )}
          {session.can.env(project.key, env.key, 'DeleteEnv') && (
            <button type="button" className="danger" onClick={remove}>
              Delete environment
            </button>
          )}
        </fieldset>
      </form>
      {saved && <p className="notice">Saved.</p>}
      <FailureBox failure={failure} />
    </section>
  );
}

/** The environments of a project: settings, SDK keys, variables and protected operations. */
export function EnvironmentsPage({ session, route, go }: PageProps) {
  const project = currentProject(session, route);
  const { failure, report, clear } = useFailure(project?.key);
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [production, setProduction] = useState(false);
  const [tags, setTags] = useState('');
  if (!project) return <NoProject />;
  const env = project.environments.find((e) => e.key === route.query.env);

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    try {
      await api('POST', `/api/v1/projects/${seg(project.key)}/environments`, {
        key,
        name,
        production,
        tags: parseTags(tags),
      });
      clear();
      setKey('');
      setName('');
      setTags('');
      setProduction(false);
      await session.refresh();
    } catch (e) {
      report(e);
    }
  };

  return (
    <>
      <section className="card">
        <div className="toolbar">
          <h2>Environments</h2>
          <ProjectPicker route={route} go={go} projects={session.projects} />
        </div>
        <table>
          <thead>
            <tr>
              <th>Key</th>
              <th>Name</th>
              <th>Tags</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {project.environments.map((e) => (
              <tr key={e.key} className={e.key === env?.key ? 'selected' : undefined}>
                <td className="mono">{e.key}</td>
                <td>{e.name}</td>
                <td>
                  {e.production && <Badge tone="prod">production</Badge>}
                  {e.tags.map((t) => (
                    <Badge key={t}>{t}</Badge>
                  ))}
                </td>
                <td>
                  <a href={formatHash(withQuery(route, { env: e.key }))}>Manage</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {session.can.project(project.key, 'CreateEnv') && (
          <form className="row" onSubmit={create}>
            <KeyInput label="New environment key" value={key} onChange={setKey} required />
            <label>
              Name
              <input value={name} onChange={(e) => setName(e.target.value)} required />
            </label>
            <TagsInput label="Tags" value={tags} onChange={setTags} />
            <label className="inline">
              <input type="checkbox" checked={production} onChange={(e) => setProduction(e.target.checked)} />
              Production
            </label>
            <button className="primary" type="submit" disabled={keyMessage(key) !== undefined}>
              Create environment
            </button>
          </form>
        )}
        <FailureBox failure={failure} />
      </section>
      {env && (
        <div key={`${project.key}/${env.key}`}>
          <EnvSettings
            session={session}
            project={project}
            env={env}
            onDeleted={() => go(withQuery(route, { env: '' }))}
          />
          <SdkKeys session={session} project={project.key} env={env.key} />
          <Variables project={project.key} env={env.key} />
          <ProtectionEditor session={session} project={project.key} env={env.key} />
        </div>
      )}
    </>
  );
}
