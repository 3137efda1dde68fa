import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, describeError } from './api.client';
import type { Me } from './app';

interface Environment {
  key: string;
  name: string;
  production: boolean;
  tags: string[];
}

interface Project {
  key: string;
  name: string;
  environments: Environment[];
}

/** The projects the caller may access, with their environments; admins can create projects. */
export function ProjectsPage({ me }: { me: Me }) {
  const [projects, setProjects] = useState<Project[]>([]);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    setProjects((await api<{ items: Project[] }>('GET', '/api/v1/projects')).items);
  }, []);
  useEffect(() => {
    load().catch((e: unknown) => setError(describeError(e)));
  }, [load]);

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    try {
      await api('POST', '/api/v1/projects', { key: data.get('key'), name: data.get('name') });
      form.reset();
      setError('');
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <>
      <section className="card">
        <h2>Projects</h2>
        {projects.length === 0 ? (
          <p>No project you can access yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Key</th>
                <th>Name</th>
                <th>Environments</th>
              </tr>
            </thead>
            <tbody>
              {projects.map((p) => (
                <tr key={p.key}>
                  <td>{p.key}</td>
                  <td>{p.name}</td>
                  <td>
                    {p.environments.map((e) => (
                      <span
                        key={e.key}
                        className={e.production ? 'badge prod' : 'badge'}
                        title={e.tags.join(', ')}
                      >
                        {e.key}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {me.orgRole !== 'member' && (
        <section className="card">
          <h3>New project</h3>
          <p>Starts with a development and a production environment.</p>
          <form className="row" onSubmit={create}>
            <label>
              Key
              <input name="key" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" />
            </label>
            <label>
              Name
              <input name="name" required />
            </label>
            <button className="primary" type="submit">
              Create project
            </button>
          </form>
        </section>
      )}
      {error && <p className="error">{error}</p>}
    </>
  );
}
