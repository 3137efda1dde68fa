import { type FormEvent, useState } from 'react';
import { api, seg } from './api.client';
import { useFailure } from './failure';
import { href } from './route';
import type { PageProps } from './session';
import { Badge, FailureBox, KeyInput } from './ui.component';

/** The projects the caller may access, with their environments; members with CreateProject create them. */
export function ProjectsPage({ session }: PageProps) {
  const { failure, report, clear } = useFailure();
  const [key, setKey] = useState('');
  const [name, setName] = useState('');

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    try {
      await api('POST', '/api/v1/projects', { key, name });
      setKey('');
      setName('');
      clear();
      await session.refresh();
    } catch (e) {
      report(e);
    }
  };

  const remove = async (project: string) => {
    if (!window.confirm(`Delete project ${project} with all its flags and environments?`)) return;
    try {
      await api('DELETE', `/api/v1/projects/${seg(project)}`);
      clear();
      await session.refresh();
    } catch (e) {
      report(e);
    }
  };

  return (
    <>
      <section className="card">
        <h2>Projects</h2>
        {session.projects.length === 0 ? (
          <p className="muted">No project you can access yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Key</th>
                <th>Name</th>
                <th>Environments</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {session.projects.map((p) => (
                <tr key={p.key}>
                  <td className="mono">{p.key}</td>
                  <td>{p.name}</td>
                  <td>
                    {p.environments.map((e) => (
                      <Badge key={e.key} tone={e.production ? 'prod' : undefined}>
                        {e.key}
                      </Badge>
                    ))}
                  </td>
                  <td className="actions">
                    <a href={href(['flags'], { project: p.key })}>Flags</a>
                    <a href={href(['environments'], { project: p.key })}>Environments</a>
                    <a href={href(['audit'], { project: p.key })}>Audit</a>
                    {session.can.project(p.key, 'DeleteProject') && (
                      <button type="button" className="danger link" onClick={() => remove(p.key)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {session.can.org('CreateProject') && (
        <section className="card">
          <h3>New project</h3>
          <p className="muted">Starts with a development and a production environment.</p>
          <form className="row" onSubmit={create}>
            <KeyInput label="Key" value={key} onChange={setKey} required />
            <label>
              Name
              <input name="name" value={name} onChange={(e) => setName(e.target.value)} required />
            </label>
            <button className="primary" type="submit">
              Create project
            </button>
          </form>
        </section>
      )}
      <FailureBox failure={failure} />
    </>
  );
}
