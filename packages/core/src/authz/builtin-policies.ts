/*
 * The built-in roles of DESIGN §5, shipped as read-only policies with placeholders. Every pattern
 * that reaches into environments names them `env/${env}`, so the `envs` assignment parameter
 * (default `['*']`) narrows them: binding writes one pattern per `envs` entry.
 *
 * Decisions:
 * - Non-Production Access reaches non-production environments with an ALLOW on the built-in tag
 *   `non-production` (every environment with `production: false` carries it; see rn.types.ts), not
 *   with a deny on `;production`: explicit denies beat allows across all of a member's policies, so a
 *   deny would take production away from a member who also holds Production Access through another
 *   assignment. Roles stay additive. Deleting or archiving a flag still fails for it because those
 *   actions are `every-env` and production is not reached.
 * - Production Access and Non-Production Access give every flag action (`*`, ManageFlagPermissions
 *   and DeleteFlag included) in the environments they reach. DESIGN §5 needs this: the creator of a
 *   flag owns it where they hold every action of Flag Owner, so a Non-Production Access creator owns
 *   it in non-production environments and a Production Access creator everywhere. Production Access
 *   reads and writes variables everywhere, Non-Production Access outside production; both manage
 *   segments where they may change flags.
 * - Flag roles do not include CanAccessProject/CanAccessEnv: a flag role is a permission on one flag,
 *   not a way to read the whole project; the ancestor rule names what is missing.
 * - Flag User has no ManageFlagPermissions (that would let it revoke owners); whoever grants User
 *   must hold every action of Flag User there (delegation), which flag users do.
 */
import type { ActionName } from './action.catalog';
import { FLAG_CONFIG_ACTIONS } from './action.catalog';
import type { Policy, Statement } from './policy.types';

const P = `project/\${project}`;
const E = `${P}:env/\${env}`;
const NON_PROD = `${P}:env/\${env};non-production`;

const SEGMENT_ACTIONS: readonly ActionName[] = ['CreateSegment', 'UpdateSegment', 'DeleteSegment'];

const allow = (actions: readonly string[], resources: readonly string[]): Statement => ({
  effect: 'allow',
  actions,
  resources,
});

const readAccess: Statement[] = [allow(['CanAccessProject'], [P]), allow(['CanAccessEnv'], [E])];

/**
 * The keys of the built-in policies.
 *
 * @example
 * const key: BuiltinPolicyKey = 'production-access';
 */
export type BuiltinPolicyKey =
  | 'project-admin'
  | 'production-access'
  | 'non-production-access'
  | 'project-reader'
  | 'flag-owner'
  | 'flag-user';

/**
 * The built-in policies, keyed by policy key.
 *
 * @example
 * BUILTIN_POLICIES['project-reader'].statements.length; // 2
 */
export const BUILTIN_POLICIES: Readonly<Record<BuiltinPolicyKey, Policy>> = {
  'project-admin': {
    key: 'project-admin',
    name: 'Project Admin',
    description:
      'Everything in the project except deleting it, including assigning the built-in roles of this project.',
    builtIn: true,
    statements: [
      allow(['CanAccessProject', 'UpdateProjectSettings', 'CreateEnv', 'ManageProjectAccess'], [P]),
      allow(['*'], [E, `${E}:flag/*`, `${E}:var/*`, `${E}:segment/*`]),
    ],
  },
  'production-access': {
    key: 'production-access',
    name: 'Production Access',
    description:
      'Create, change, enable and launch flags in every environment including production; read and write variables.',
    builtIn: true,
    statements: [
      ...readAccess,
      allow(['*'], [`${E}:flag/*`]),
      allow(['ReadVariable', 'WriteVariable'], [`${E}:var/*`]),
      allow(SEGMENT_ACTIONS, [`${E}:segment/*`]),
    ],
  },
  'non-production-access': {
    key: 'non-production-access',
    name: 'Non-Production Access',
    description:
      'Create flags (off everywhere); edit and toggle flags in non-production environments; read everything in production.',
    builtIn: true,
    statements: [
      ...readAccess,
      allow(['*'], [`${NON_PROD}:flag/*`]),
      allow(['ReadVariable', 'WriteVariable'], [`${NON_PROD}:var/*`]),
      allow(SEGMENT_ACTIONS, [`${NON_PROD}:segment/*`]),
    ],
  },
  'project-reader': {
    key: 'project-reader',
    name: 'Reader',
    description: 'Read-only access to the project, its settings, environments, flags and audit entries.',
    builtIn: true,
    statements: readAccess,
  },
  'flag-owner': {
    key: 'flag-owner',
    name: 'Flag Owner',
    description:
      'All actions on the flag in every environment, including details, delete and its permissions.',
    builtIn: true,
    statements: [allow(['*'], [`${E}:flag/\${flag}`])],
  },
  'flag-user': {
    key: 'flag-user',
    name: 'Flag User',
    description:
      "Change the flag's configuration and toggle it in every environment, subject to protections.",
    builtIn: true,
    statements: [allow(FLAG_CONFIG_ACTIONS, [`${E}:flag/\${flag}`])],
  },
};

/**
 * Built-in policies in display order.
 *
 * @example
 * BUILTIN_POLICY_LIST.map((p) => p.key); // ['project-admin', 'production-access', ...]
 */
export const BUILTIN_POLICY_LIST: readonly Policy[] = Object.values(BUILTIN_POLICIES);

/**
 * Built-in roles bound to a project (parameter `project`).
 *
 * @example
 * PROJECT_ROLE_KEYS.includes('project-reader'); // true
 */
export const PROJECT_ROLE_KEYS: readonly BuiltinPolicyKey[] = [
  'project-admin',
  'production-access',
  'non-production-access',
  'project-reader',
];

/**
 * Built-in roles bound to one flag (parameters `project`, `flag`).
 *
 * @example
 * FLAG_ROLE_KEYS; // ['flag-owner', 'flag-user']
 */
export const FLAG_ROLE_KEYS: readonly BuiltinPolicyKey[] = ['flag-owner', 'flag-user'];

/**
 * Whether a key names a built-in policy.
 *
 * @example
 * isBuiltinPolicyKey('flag-owner'); // true
 */
export function isBuiltinPolicyKey(key: string): key is BuiltinPolicyKey {
  return Object.hasOwn(BUILTIN_POLICIES, key);
}

/**
 * The built-in policy of a key, or undefined.
 *
 * @example
 * getBuiltinPolicy('flag-user')?.builtIn; // true
 */
export function getBuiltinPolicy(key: string): Policy | undefined {
  return isBuiltinPolicyKey(key) ? BUILTIN_POLICIES[key] : undefined;
}
