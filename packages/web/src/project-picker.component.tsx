import { href } from './route';
import type { PageProps } from './session';
import type { Project } from './types';

/** A project picker shared by the project-scoped pages. */
export function ProjectPicker({
  route,
  go,
  projects,
}: Pick<PageProps, 'route' | 'go'> & { projects: Project[] }) {
  const project = projects.find((p) => p.key === route.query.project) ?? projects[0];
  return (
    <label className="inline">
      Project
      <select
        aria-label="Project"
        value={project?.key ?? ''}
        onChange={(e) => go({ path: route.path, query: { project: e.target.value } })}
      >
        {projects.map((p) => (
          <option key={p.key} value={p.key}>
            {p.name} ({p.key})
          </option>
        ))}
      </select>
    </label>
  );
}

/** Shown on project pages when the member sees no project. */
export function NoProject() {
  return (
    <section className="card">
      <p>
        No project you can access yet. <a href={href(['projects'])}>Create one</a> or ask an admin for access.
      </p>
    </section>
  );
}
