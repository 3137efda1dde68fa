/*
 * The synthetic organization of the authorization benchmark, generated from a seed: 1,000 policies
 * (the 6 built-in roles and 994 custom ones mixing allows and denies, wildcards, tag filters and
 * placeholders), 200 groups, 10,000 members, 50 projects × 4 environments (one of them production)
 * × 200 tagged flags, the default production protection on every production environment and a
 * stricter one (naming a group and members) on the staging environment of every fifth project.
 */
import {
  ACTION_CATALOG,
  type ActionName,
  type AssignmentParams,
  BUILTIN_POLICIES,
  type BuiltinPolicyKey,
  type CompiledGrant,
  compilePrincipalIndex,
  createGrantCache,
  defaultProductionProtection,
  type EnvProtection,
  FLAG_CONFIG_ACTIONS,
  type GrantCache,
  type GrantSource,
  type OrgRole,
  type Policy,
  type Principal,
  policyPlaceholders,
  type Statement,
  validateAssignmentParams,
  validateStatements,
} from '@flagward/core';
import { createRandom, type Random } from './random';

/** Sizes of the generated organization. */
export const ORG_SIZE = {
  policies: 1_000,
  groups: 200,
  members: 10_000,
  admins: 20,
  projects: 50,
  flagsPerProject: 200,
  varsPerEnv: 8,
  segmentsPerEnv: 4,
} as const;

/**
 * One environment of a project.
 *
 * @example
 * const env: OrgEnv = { key: 'production', production: true, tags: ['eu'], protection: defaultProductionProtection() };
 */
export interface OrgEnv {
  readonly key: string;
  readonly production: boolean;
  readonly tags: readonly string[];
  readonly protection: EnvProtection | undefined;
}

/**
 * A flag and its tags.
 *
 * @example
 * const flag: OrgFlag = { key: 'checkout-000', tags: ['beta'] };
 */
export interface OrgFlag {
  readonly key: string;
  readonly tags: readonly string[];
}

/**
 * A project with its environments, flags, variables and segments.
 *
 * @example
 * org.projects[0]?.envs.map((e) => e.key); // ['dev', 'dev-qa', 'staging', 'production']
 */
export interface OrgProject {
  readonly key: string;
  readonly envs: readonly OrgEnv[];
  readonly flags: readonly OrgFlag[];
  readonly vars: readonly string[];
  readonly segments: readonly string[];
}

/**
 * A policy assigned with its parameters.
 *
 * @example
 * const a: OrgAssignment = { policy: BUILTIN_POLICIES['project-reader'], params: { project: 'web-00' } };
 */
export interface OrgAssignment {
  readonly policy: Policy;
  readonly params: AssignmentParams;
}

/**
 * A group and the policies assigned to it.
 *
 * @example
 * org.groups[0]?.key; // 'team-000'
 */
export interface OrgGroup {
  readonly key: string;
  readonly assignments: readonly OrgAssignment[];
}

/**
 * A member with its org role, groups (indexes into `Org.groups`) and direct assignments.
 *
 * @example
 * org.members[0]?.orgRole; // 'owner'
 */
export interface OrgMember {
  readonly id: string;
  readonly email: string;
  readonly orgRole: OrgRole;
  readonly groups: readonly number[];
  readonly direct: readonly OrgAssignment[];
}

/**
 * The generated organization, with its members compiled once into Flagward principals (as the
 * server caches them) and every distinct (policy, parameters) grant.
 *
 * @example
 * const org = generateOrg(20261124);
 * org.principals.length; // 10000
 */
export interface Org {
  readonly seed: number;
  readonly projects: readonly OrgProject[];
  readonly policies: readonly Policy[];
  readonly groups: readonly OrgGroup[];
  readonly members: readonly OrgMember[];
  readonly cache: GrantCache;
  readonly principals: readonly Principal[];
  /** Every distinct grant held by a group or directly by a member, by grant id. */
  readonly grants: ReadonlyMap<number, CompiledGrant>;
  /** Milliseconds spent compiling the 10,000 principals. */
  readonly compileMs: number;
  /** Statements over all 1,000 policies. */
  readonly statementCount: number;
}

const PROJECT_PREFIXES = ['web', 'ops', 'data', 'mobile', 'pay'] as const;
const FLAG_PREFIXES = ['checkout', 'search', 'exp', 'ui', 'billing'] as const;
const FLAG_TAGS = ['beta', 'critical', 'ui', 'backend', 'experiment', 'billing', 'mobile', 'ops'] as const;
const VAR_PREFIXES = ['api', 'db', 'cache', 'feature'] as const;

const ENV_PATTERNS = [
  'dev*',
  'staging',
  'production',
  '*',
  '*;production',
  '*;non-production',
  '*;eu,us',
  'dev*;qa',
  'st*',
] as const;
const FLAG_NAME_PATTERNS = [
  '*',
  'checkout-*',
  '*;beta',
  '*;critical,billing',
  'exp-*;experiment',
  '*-1*',
  'ui-*;ui,mobile',
] as const;

const FLAG_ACTION_SETS: readonly (readonly string[])[] = [
  ['*'],
  FLAG_CONFIG_ACTIONS,
  ['UpdateFlagOn'],
  ['UpdateFlagOn', 'UpdateFlagRollout'],
  ['UpdateFlagTargetingRules', 'UpdateFlagIndividualTargeting', 'UpdateFlagDefaultRule'],
  ['DeleteFlag', 'ArchiveFlag'],
  ['UpdateFlagDetails', 'UpdateFlagTags', 'UpdateFlagVariations'],
  ['CreateFlag'],
  ['ManageFlagPermissions'],
];
const ENV_ACTION_SETS: readonly (readonly string[])[] = [
  ['CanAccessEnv'],
  ['CanAccessEnv', 'ReadEnvSecret'],
  ['UpdateEnvSettings', 'RotateEnvSecret'],
  ['*'],
  ['ReadEnvSecret'],
];
const PROJECT_ACTION_SETS: readonly (readonly string[])[] = [
  ['CanAccessProject'],
  ['CanAccessProject', 'UpdateProjectSettings'],
  ['CreateEnv', 'DeleteProject'],
  ['*'],
];
const VAR_ACTION_SETS: readonly (readonly string[])[] = [
  ['ReadVariable'],
  ['ReadVariable', 'WriteVariable'],
  ['*'],
  ['DeleteVariable'],
];
const SEGMENT_ACTION_SETS: readonly (readonly string[])[] = [['*'], ['UpdateSegment'], ['CreateSegment']];
const ORG_ALLOW_SETS: readonly (readonly string[])[] = [
  ['ReadAuditLog'],
  ['CreateProject'],
  ['ManageMembers', 'ManageGroups'],
  ['ManagePolicies'],
  ['*'],
];
const ORG_DENY_SETS: readonly (readonly string[])[] = [
  ['ManagePolicies', 'ManageMembers'],
  ['ReadAuditLog'],
  ['DeleteOrg', 'CreateProject'],
];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function generateProjects(rand: Random): OrgProject[] {
  const projects: OrgProject[] = [];
  for (let i = 0; i < ORG_SIZE.projects; i++) {
    const key = `${PROJECT_PREFIXES[i % PROJECT_PREFIXES.length]}-${pad(i, 2)}`;
    const region = i % 2 === 0 ? 'eu' : 'us';
    const envs: OrgEnv[] = [
      { key: 'dev', production: false, tags: [], protection: undefined },
      { key: 'dev-qa', production: false, tags: ['qa'], protection: undefined },
      {
        key: 'staging',
        production: false,
        tags: [region],
        protection: undefined,
      },
      { key: 'production', production: true, tags: [region], protection: defaultProductionProtection() },
    ];
    const flags: OrgFlag[] = [];
    for (let j = 0; j < ORG_SIZE.flagsPerProject; j++) {
      const tags = rand.sample(
        FLAG_TAGS,
        rand.weighted([
          [0, 3],
          [1, 4],
          [2, 2],
          [3, 1],
        ] as const),
      );
      flags.push({ key: `${FLAG_PREFIXES[j % FLAG_PREFIXES.length]}-${pad(j, 3)}`, tags });
    }
    const vars = Array.from(
      { length: ORG_SIZE.varsPerEnv },
      (_, k) => `${VAR_PREFIXES[k % VAR_PREFIXES.length]}-${k}`,
    );
    const segments = Array.from({ length: ORG_SIZE.segmentsPerEnv }, (_, k) => `segment-${k}`);
    projects.push({ key, envs, flags, vars, segments });
  }
  return projects;
}

type PolicyTarget = 'flag' | 'env' | 'project' | 'var' | 'segment' | 'org';

function projectPattern(rand: Random, projects: readonly OrgProject[], placeholder: boolean): string {
  if (placeholder) return `\${project}`;
  return rand.weighted([
    [rand.pick(projects).key, 5],
    [`${rand.pick(PROJECT_PREFIXES)}-*`, 2],
    ['*', 2],
    ['*-1*', 1],
  ] as const);
}

function envPattern(rand: Random, placeholder: boolean): string {
  return placeholder && rand.chance(0.5) ? `\${env}` : rand.pick(ENV_PATTERNS);
}

function customStatement(
  rand: Random,
  projects: readonly OrgProject[],
  placeholder: boolean,
  deny: boolean,
): Statement {
  const target = rand.weighted<PolicyTarget>([
    ['flag', 50],
    ['env', 12],
    ['project', 12],
    ['var', 10],
    ['segment', 6],
    ['org', 10],
  ]);
  const resources: string[] = [];
  const count = rand.weighted([
    [1, 6],
    [2, 3],
    [3, 1],
  ] as const);
  for (let k = 0; k < count; k++) {
    const p = `project/${projectPattern(rand, projects, placeholder)}`;
    const e = `${p}:env/${envPattern(rand, placeholder)}`;
    switch (target) {
      case 'flag': {
        const flag = rand.chance(0.15)
          ? rand.pick(rand.pick(projects).flags).key
          : rand.pick(FLAG_NAME_PATTERNS);
        resources.push(`${e}:flag/${flag}`);
        break;
      }
      case 'env':
        resources.push(e);
        break;
      case 'project':
        resources.push(p);
        break;
      case 'var':
        resources.push(`${e}:var/${rand.pick(['*', 'api-*', 'db-1', '*-2'])}`);
        break;
      case 'segment':
        resources.push(`${e}:segment/${rand.pick(['*', 'segment-1', 'segment-*'])}`);
        break;
      case 'org':
        resources.push('org');
        break;
    }
  }
  const sets =
    target === 'flag'
      ? FLAG_ACTION_SETS
      : target === 'env'
        ? ENV_ACTION_SETS
        : target === 'project'
          ? PROJECT_ACTION_SETS
          : target === 'var'
            ? VAR_ACTION_SETS
            : target === 'segment'
              ? SEGMENT_ACTION_SETS
              : deny
                ? ORG_DENY_SETS
                : ORG_ALLOW_SETS;
  return { effect: deny ? 'deny' : 'allow', actions: rand.pick(sets), resources: [...new Set(resources)] };
}

function generateCustomPolicies(rand: Random, projects: readonly OrgProject[], count: number): Policy[] {
  const policies: Policy[] = [];
  for (let i = 0; i < count; i++) {
    const placeholder = rand.chance(0.3);
    const statements: Statement[] = [];
    const n = rand.weighted([
      [1, 3],
      [2, 4],
      [3, 2],
      [4, 1],
    ] as const);
    for (let s = 0; s < n; s++)
      statements.push(customStatement(rand, projects, placeholder, rand.chance(0.25)));
    const errors = validateStatements(statements);
    if (errors.length > 0) {
      throw new Error(`generated policy ${i} is invalid: ${JSON.stringify(errors)}`);
    }
    policies.push({
      key: `custom-${pad(i, 3)}`,
      name: `Custom ${i}`,
      description: '',
      builtIn: false,
      statements,
    });
  }
  return policies;
}

const ENV_PARAMS: readonly (readonly string[])[] = [['dev*', 'staging'], ['dev'], ['dev*']];

function paramsFor(rand: Random, policy: Policy, projects: readonly OrgProject[]): AssignmentParams {
  const uses = policyPlaceholders(policy);
  const project = rand.pick(projects);
  const params: { project?: string; flag?: string; envs?: readonly string[] } = {};
  if (uses.includes('project')) params.project = project.key;
  if (uses.includes('flag')) params.flag = rand.pick(project.flags).key;
  if (uses.includes('env') && rand.chance(0.25)) {
    // `envs` binds the env placeholder: environment key patterns only, see policy.binding.ts.
    params.envs = rand.pick(ENV_PARAMS);
  }
  const errors = validateAssignmentParams(policy, params);
  if (errors.length > 0) throw new Error(`generated params are invalid: ${JSON.stringify(errors)}`);
  return params;
}

function builtinAssignment(
  rand: Random,
  key: BuiltinPolicyKey,
  projects: readonly OrgProject[],
): OrgAssignment {
  return { policy: BUILTIN_POLICIES[key], params: paramsFor(rand, BUILTIN_POLICIES[key], projects) };
}

/**
 * Generates the organization from a seed and compiles every member into a principal.
 *
 * @example
 * const org = generateOrg(20261124);
 * org.policies.length; // 1000
 */
export function generateOrg(seed: number): Org {
  const rand = createRandom(seed);
  const projects = generateProjects(rand);
  const builtins = Object.values(BUILTIN_POLICIES);
  const custom = generateCustomPolicies(rand, projects, ORG_SIZE.policies - builtins.length);
  const policies = [...builtins, ...custom];

  const groups: OrgGroup[] = [];
  for (let g = 0; g < ORG_SIZE.groups; g++) {
    const assignments: OrgAssignment[] = [];
    const n = 2 + rand.int(5);
    for (let k = 0; k < n; k++) {
      if (rand.chance(0.55)) {
        const key = rand.weighted<BuiltinPolicyKey>([
          ['project-reader', 35],
          ['non-production-access', 35],
          ['production-access', 20],
          ['project-admin', 10],
        ]);
        assignments.push(builtinAssignment(rand, key, projects));
      } else {
        const policy = rand.pick(custom);
        assignments.push({ policy, params: paramsFor(rand, policy, projects) });
      }
    }
    groups.push({ key: `team-${pad(g, 3)}`, assignments });
  }

  const members: OrgMember[] = [];
  for (let i = 0; i < ORG_SIZE.members; i++) {
    const orgRole: OrgRole = i === 0 ? 'owner' : i <= ORG_SIZE.admins ? 'admin' : 'member';
    const groupCount = rand.weighted([
      [0, 1],
      [1, 8],
      [2, 7],
      [3, 4],
    ] as const);
    const memberGroups = rand.sample(
      Array.from({ length: ORG_SIZE.groups }, (_, g) => g),
      groupCount,
    );
    const direct: OrgAssignment[] = [];
    const directCount = rand.weighted([
      [0, 45],
      [1, 40],
      [2, 15],
    ] as const);
    for (let k = 0; k < directCount; k++) {
      const kind = rand.weighted([
        ['flag-owner', 35],
        ['flag-user', 25],
        ['custom', 25],
        ['project', 15],
      ] as const);
      if (kind === 'custom') {
        const policy = rand.pick(custom);
        direct.push({ policy, params: paramsFor(rand, policy, projects) });
      } else if (kind === 'project') {
        const key = rand.pick(['project-reader', 'non-production-access', 'production-access'] as const);
        direct.push(builtinAssignment(rand, key, projects));
      } else {
        const a = builtinAssignment(rand, kind, projects);
        direct.push(rand.chance(0.3) ? { policy: a.policy, params: { ...a.params, envs: ['dev*'] } } : a);
      }
    }
    members.push({ id: `m${i}`, email: `user${i}@acme.test`, orgRole, groups: memberGroups, direct });
  }

  // A stricter protection on the staging environment of every fifth project: allowed to a group and
  // two members besides the default roles and policies.
  for (let i = 0; i < projects.length; i += 5) {
    const project = projects[i]!;
    const staging = project.envs.findIndex((e) => e.key === 'staging');
    const env = project.envs[staging]!;
    const protection: EnvProtection = {
      operations: ['UpdateFlagOn', 'UpdateFlagRollout', 'WriteVariable'] satisfies ActionName[],
      allowed: {
        orgRoles: ['owner', 'admin'],
        policies: ['production-access', 'project-admin'],
        groups: [groups[rand.int(groups.length)]!.key],
        members: [members[1 + rand.int(members.length - 1)]!.email, members[rand.int(members.length)]!.email],
      },
    };
    (project.envs as OrgEnv[])[staging] = { ...env, protection };
  }

  const cache = createGrantCache();
  const grants = new Map<number, CompiledGrant>();
  const hold = (a: OrgAssignment): void => {
    const grant = cache.grant(a.policy, a.params);
    grants.set(grant.id, grant);
  };
  for (const g of groups) g.assignments.forEach(hold);
  for (const m of members) m.direct.forEach(hold);

  const t0 = performance.now();
  const principals: Principal[] = members.map((m) => {
    const sources: GrantSource[] = [
      ...m.direct.map((a) => ({ policy: a.policy, params: a.params })),
      ...m.groups.flatMap((g) =>
        groups[g]!.assignments.map((a) => ({ policy: a.policy, params: a.params, group: groups[g]!.key })),
      ),
    ];
    return {
      memberId: m.id,
      email: m.email,
      orgRole: m.orgRole,
      groups: m.groups.map((g) => groups[g]!.key),
      index: compilePrincipalIndex(sources, cache),
    };
  });
  const compileMs = performance.now() - t0;
  const statementCount = policies.reduce((n, p) => n + p.statements.length, 0);
  return { seed, projects, policies, groups, members, cache, principals, grants, compileMs, statementCount };
}

/**
 * Every grant reaching a member: its direct assignments and those of its groups. The owner's
 * assignments are never consulted by decisions (DESIGN §2, ADR 0005 §4), so peers get none for it.
 *
 * @example
 * grantsOf(org, org.members[5]!).map((g) => g.policy);
 */
export function grantsOf(org: Org, member: OrgMember): { grant: CompiledGrant; group: string | undefined }[] {
  const out: { grant: CompiledGrant; group: string | undefined }[] = [];
  for (const a of member.direct) out.push({ grant: org.cache.grant(a.policy, a.params), group: undefined });
  for (const g of member.groups) {
    const group = org.groups[g]!;
    for (const a of group.assignments)
      out.push({ grant: org.cache.grant(a.policy, a.params), group: group.key });
  }
  return out;
}

/** Whether an action is owner-only (no policy or other role grants it). */
export function isOwnerOnly(action: string): boolean {
  return (ACTION_CATALOG as Record<string, { ownerOnly: boolean } | undefined>)[action]?.ownerOnly === true;
}
