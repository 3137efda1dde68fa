/*
 * The action catalog (DESIGN §4). Decisions recorded here:
 *
 * - IAM operations are org-level actions checked against `org`:
 *     ManageMembers   invite, update, disable and remove members, and revoke other members' tokens
 *                     (a member manages their own tokens without any permission);
 *     ManageGroups    create, edit and delete groups and their membership;
 *     ManagePolicies  create, edit and delete policies, and assign and revoke them.
 *   `ManageProjectAccess` on a project lets a Project Admin assign that project's built-in roles.
 *   No action applies to `member/…`, `group/…`, `policy/…` or `token/…` resources; those names exist
 *   for the audit log and for explanations, so a statement selecting them is rejected.
 * - Owner-only org actions: UpdateOrgSettings, DeleteOrg, TransferOwnership. No policy can grant them
 *   (an allow statement naming one is rejected, `*` never includes them) and admins do not hold them.
 * - Reading: `CanAccessProject` shows a project and its settings, `CanAccessEnv` shows the flags,
 *   configurations, segments and non-secret variables of an environment; the audit entries of a
 *   project are visible to whoever may read the resource they concern, so the Reader role reads its
 *   project's audit log without an extra action. `ReadAuditLog` (org) reads the whole log, IAM included.
 *   `ReadVariable` reads a secret variable's value; `ReadEnvSecret` reads the SDK keys.
 */
import type { ResourceType } from '../rn/rn.types';

/**
 * How an action is checked against flags in environments (DESIGN §4):
 * `single` — one resource; `every-env` — allowed on the flag in every environment of the project;
 * `any-env` — allowed in at least one environment; `grant-envs` — allowed in every environment of the
 * permission grant being managed (`ManageFlagPermissions`).
 *
 * @example
 * const scope: ActionScope = 'every-env';
 */
export type ActionScope = 'single' | 'every-env' | 'any-env' | 'grant-envs';

/**
 * One catalog entry.
 *
 * @example
 * const def: ActionDefinition = ACTION_CATALOG.DeleteFlag; // { resourceType: 'flag', scope: 'every-env', ... }
 */
export interface ActionDefinition {
  readonly name: ActionName;
  readonly resourceType: ResourceType;
  readonly scope: ActionScope;
  /** Only the organization owner may perform it; no policy and no other org role grants it. */
  readonly ownerOnly: boolean;
  readonly description: string;
}

const definitions = {
  UpdateOrgSettings: ['org', 'single', true, 'change the organization settings'],
  DeleteOrg: ['org', 'single', true, 'delete the organization'],
  TransferOwnership: ['org', 'single', true, 'transfer the ownership of the organization'],
  CreateProject: ['org', 'single', false, 'create a project'],
  ReadAuditLog: ['org', 'single', false, "read the organization's whole audit log"],
  ManageMembers: [
    'org',
    'single',
    false,
    "invite, update, disable and remove members; revoke others' tokens",
  ],
  ManageGroups: ['org', 'single', false, 'create, edit and delete groups and their members'],
  ManagePolicies: ['org', 'single', false, 'create, edit and delete policies; assign and revoke them'],

  CanAccessProject: ['project', 'single', false, 'see the project and its settings'],
  UpdateProjectSettings: ['project', 'single', false, 'change the project settings'],
  DeleteProject: ['project', 'single', false, 'delete the project'],
  CreateEnv: ['project', 'single', false, 'create an environment in the project'],
  ManageProjectAccess: ['project', 'single', false, "assign and revoke the project's built-in roles"],

  CanAccessEnv: [
    'env',
    'single',
    false,
    'read the flags, configurations, segments and variables of the environment',
  ],
  UpdateEnvSettings: ['env', 'single', false, 'change the environment settings and tags'],
  DeleteEnv: ['env', 'single', false, 'delete the environment'],
  ReadEnvSecret: ['env', 'single', false, 'read the SDK keys of the environment'],
  RotateEnvSecret: ['env', 'single', false, 'rotate the SDK keys of the environment'],
  ManageProtectedOperations: ['env', 'single', false, 'change the protected operations of the environment'],

  UpdateFlagOn: ['flag', 'single', false, 'turn the flag on or off'],
  UpdateFlagRollout: ['flag', 'single', false, 'change the percentages of an existing rollout'],
  UpdateFlagTargetingRules: ['flag', 'single', false, 'add, remove, reorder or change targeting rules'],
  UpdateFlagIndividualTargeting: ['flag', 'single', false, 'change the individual targets'],
  UpdateFlagDefaultRule: ['flag', 'single', false, 'change the default rule (fallthrough)'],
  UpdateFlagOffVariation: ['flag', 'single', false, 'change the off variation'],
  ScheduleFlagRollout: ['flag', 'single', false, 'schedule a progressive rollout'],

  UpdateFlagDetails: ['flag', 'every-env', false, "change the flag's name and description"],
  UpdateFlagTags: ['flag', 'every-env', false, "change the flag's tags"],
  UpdateFlagVariations: ['flag', 'every-env', false, "change the flag's variations"],
  ArchiveFlag: ['flag', 'every-env', false, 'archive the flag'],
  RestoreFlag: ['flag', 'every-env', false, 'restore an archived flag'],
  DeleteFlag: ['flag', 'every-env', false, 'delete the flag'],

  ManageFlagPermissions: ['flag', 'grant-envs', false, "grant and revoke the flag's Owner and User roles"],

  CreateFlag: ['flag', 'any-env', false, 'create a flag (off in every environment)'],

  ReadVariable: ['var', 'single', false, 'read the value of a variable, secret ones included'],
  WriteVariable: ['var', 'single', false, 'create or change a variable'],
  DeleteVariable: ['var', 'single', false, 'delete a variable'],

  CreateSegment: ['segment', 'single', false, 'create a segment'],
  UpdateSegment: ['segment', 'single', false, 'change a segment'],
  DeleteSegment: ['segment', 'single', false, 'delete a segment'],
} as const satisfies Record<string, readonly [ResourceType, ActionScope, boolean, string]>;

/**
 * The name of a catalog action.
 *
 * @example
 * const a: ActionName = 'UpdateFlagOn';
 */
export type ActionName = keyof typeof definitions;

/**
 * Every action, keyed by name.
 *
 * @example
 * ACTION_CATALOG.CreateFlag.scope; // 'any-env'
 */
export const ACTION_CATALOG: Readonly<Record<ActionName, ActionDefinition>> = Object.fromEntries(
  Object.entries(definitions).map(([name, [resourceType, scope, ownerOnly, description]]) => [
    name,
    { name, resourceType, scope, ownerOnly, description },
  ]),
) as Record<ActionName, ActionDefinition>;

/**
 * All action names in catalog order.
 *
 * @example
 * ACTION_NAMES.length; // 41
 */
export const ACTION_NAMES: readonly ActionName[] = Object.keys(definitions) as ActionName[];

/**
 * Whether a string names a catalog action.
 *
 * @example
 * isActionName('UpdateFlagOn'); // true
 * isActionName('updateFlagOn'); // false
 */
export function isActionName(value: string): value is ActionName {
  return Object.hasOwn(definitions, value);
}

/**
 * The definition of an action, or undefined for an unknown name.
 *
 * @example
 * getAction('DeleteFlag')?.scope; // 'every-env'
 */
export function getAction(name: string): ActionDefinition | undefined {
  return isActionName(name) ? ACTION_CATALOG[name] : undefined;
}

const byType = new Map<ResourceType, ActionName[]>();
for (const name of ACTION_NAMES) {
  const type = ACTION_CATALOG[name].resourceType;
  byType.set(type, [...(byType.get(type) ?? []), name]);
}
const grantableByType = new Map<ResourceType, ActionName[]>(
  [...byType].map(([type, names]) => [type, names.filter((n) => !ACTION_CATALOG[n].ownerOnly)]),
);

/**
 * The actions that apply to a resource type (owner-only ones included).
 *
 * @example
 * actionsFor('var'); // ['ReadVariable', 'WriteVariable', 'DeleteVariable']
 */
export function actionsFor(type: ResourceType): readonly ActionName[] {
  return byType.get(type) ?? [];
}

/**
 * What `*` means in a statement for a resource type: every action of the type a policy can grant
 * (owner-only actions excluded).
 *
 * @example
 * grantableActionsFor('org').includes('DeleteOrg'); // false
 */
export function grantableActionsFor(type: ResourceType): readonly ActionName[] {
  return grantableByType.get(type) ?? [];
}

/**
 * Actions whose resource lies in an environment or is one; only these can be protected operations.
 *
 * @example
 * isEnvironmentAction('UpdateFlagOn'); // true
 * isEnvironmentAction('CreateProject'); // false
 */
export function isEnvironmentAction(name: ActionName): boolean {
  const type = ACTION_CATALOG[name].resourceType;
  return type === 'env' || type === 'flag' || type === 'var' || type === 'segment';
}

/**
 * Flag actions that change one environment's configuration (the `single` flag actions).
 *
 * @example
 * FLAG_CONFIG_ACTIONS.includes('UpdateFlagOn'); // true
 */
export const FLAG_CONFIG_ACTIONS: readonly ActionName[] = [
  'UpdateFlagOn',
  'UpdateFlagRollout',
  'UpdateFlagTargetingRules',
  'UpdateFlagIndividualTargeting',
  'UpdateFlagDefaultRule',
  'UpdateFlagOffVariation',
  'ScheduleFlagRollout',
];

/**
 * The catalog action closest to a misspelt name, for "did you mean" hints.
 *
 * @example
 * suggestAction('updateflagon'); // 'UpdateFlagOn'
 */
export function suggestAction(name: string): ActionName | undefined {
  const lower = name.toLowerCase();
  let best: ActionName | undefined;
  let bestDistance = Math.max(3, Math.floor(name.length / 4)) + 1;
  for (const candidate of ACTION_NAMES) {
    const d = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}
