/**
 * Whether a statement grants or takes away.
 *
 * @example
 * const effect: Effect = 'deny';
 */
export type Effect = 'allow' | 'deny';

/**
 * One statement of a policy: `*` in `actions` means every (grantable) action of each pattern's
 * resource type; `resources` are RN patterns, possibly with placeholders.
 *
 * @example
 * const s: Statement = { effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/${project}:env/dev:flag/*'] };
 */
export interface Statement {
  readonly effect: Effect;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/**
 * A policy of an organization (API.md "Policies and assignments").
 *
 * @example
 * const p: Policy = { key: 'ops', name: 'Ops', description: '', statements: [], builtIn: false };
 */
export interface Policy {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly statements: readonly Statement[];
  readonly builtIn: boolean;
}

/**
 * Parameters of an assignment: bind `${project}` and `${flag}`; `envs` (environment key patterns,
 * default `['*']`) binds `${env}`, one pattern per entry.
 *
 * @example
 * const params: AssignmentParams = { project: 'shop', envs: ['dev', 'staging*'] };
 */
export interface AssignmentParams {
  readonly project?: string;
  readonly flag?: string;
  readonly envs?: readonly string[];
}

/**
 * A policy assigned to a member (email) or a group (key), optionally expiring.
 *
 * @example
 * const a: Assignment = { id: 'a1', policy: 'project-reader', group: 'devs', params: { project: 'shop' } };
 */
export interface Assignment {
  readonly id: string;
  readonly policy: string;
  readonly member?: string;
  readonly group?: string;
  readonly params: AssignmentParams;
  /** ISO-8601 instant at which the grant stops working. */
  readonly expiresAt?: string;
}

/**
 * An organization role (DESIGN §2).
 *
 * @example
 * const role: OrgRole = 'admin';
 */
export type OrgRole = 'owner' | 'admin' | 'member';

/**
 * The assignments still in force at `now`: an assignment stops working at its `expiresAt` instant.
 *
 * @example
 * activeAssignments([{ id: 'a', policy: 'p', params: {}, expiresAt: '2020-01-01T00:00:00.000Z' }], new Date()); // []
 */
export function activeAssignments<T extends { readonly expiresAt?: string | undefined }>(
  assignments: readonly T[],
  now: Date,
): T[] {
  const t = now.getTime();
  return assignments.filter((a) => a.expiresAt === undefined || Date.parse(a.expiresAt) > t);
}
