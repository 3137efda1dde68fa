import type { Can } from './permissions';
import type { Route } from './route';
import type { Me, Project } from './types';

/** The signed-in member, what the console may offer them, and the projects they can see. */
export interface Session {
  me: Me;
  can: Can;
  projects: Project[];
  /** Reloads projects and permissions (after creating a project or changing access). */
  refresh(): Promise<void>;
}

/** What every page receives. */
export interface PageProps {
  session: Session;
  route: Route;
  go(route: Route): void;
}

/** The project a page shows: the one in the URL, else the first the member can see. */
export function currentProject(session: Session, route: Route): Project | undefined {
  return session.projects.find((p) => p.key === route.query.project) ?? session.projects[0];
}
