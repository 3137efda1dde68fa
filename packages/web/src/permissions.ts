/** A member's effective permissions (GET /api/v1/members/{email}/permissions). */
export interface EffectivePermissions {
  member: string;
  orgRole: string;
  organization: string[];
  projects: {
    project: string;
    actions: string[];
    environments: {
      environment: string;
      actions: string[];
      flagActions: string[];
      variableActions: string[];
    }[];
  }[];
}

/**
 * What the console may offer. It answers only for resources the matrix names exactly (the
 * organization, a project, an environment), so it hides only what the server would refuse anyway;
 * when the matrix could not be read everything is offered and the server decides.
 */
export interface Can {
  org(action: string): boolean;
  project(project: string, action: string): boolean;
  env(project: string, env: string, action: string): boolean;
  /** Some project allows the action (e.g. ManageProjectAccess for the assignments page). */
  anyProject(action: string): boolean;
}

export function canFrom(permissions: EffectivePermissions | null): Can {
  if (permissions === null) {
    return { org: () => true, project: () => true, env: () => true, anyProject: () => true };
  }
  const project = (key: string) => permissions.projects.find((p) => p.project === key);
  return {
    org: (action) => permissions.organization.includes(action),
    project: (key, action) => project(key)?.actions.includes(action) ?? false,
    env: (key, env, action) =>
      project(key)
        ?.environments.find((e) => e.environment === env)
        ?.actions.includes(action) ?? false,
    anyProject: (action) => permissions.projects.some((p) => p.actions.includes(action)),
  };
}
