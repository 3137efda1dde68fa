import type { EnvironmentRow } from '../projects/project.repository';

export interface EnvironmentView {
  key: string;
  name: string;
  production: boolean;
  tags: string[];
  createdAt: string;
}

export function environmentView(row: EnvironmentRow): EnvironmentView {
  return {
    key: row.key,
    name: row.name,
    production: row.production === 1,
    tags: JSON.parse(row.tags) as string[],
    createdAt: row.created_at,
  };
}

/** The resource name of an environment. */
export function environmentRn(project: string, env: string): string {
  return `project/${project}:env/${env}`;
}
