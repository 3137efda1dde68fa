// biome-ignore-all lint/suspicious/noTemplateCurlyInString: RN placeholders such as ${project} are literal text here
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rn } from '../rn/rn.resource';
import type { ResourceName } from '../rn/rn.types';
import { ACTION_CATALOG, ACTION_NAMES, type ActionName } from './action.catalog';
import { BUILTIN_POLICY_LIST } from './builtin-policies';
import { decide, isAllowed } from './decision.engine';
import type { DecisionKind } from './decision.types';
import { createGrantCache } from './grant.compiler';
import type { AssignmentParams, OrgRole, Policy, Statement } from './policy.types';
import { validateStatements } from './policy.validation';
import { compilePrincipalIndex, type Principal } from './principal.index';
import type { EnvProtection } from './protection.guard';

// ---------------------------------------------------------------------------------------------
// A deliberately naive reference: policies are bound by string replacement, patterns are matched
// with regular expressions, and every statement of every assignment is scanned for every question.
// ---------------------------------------------------------------------------------------------

interface RefSegment {
  type: string;
  name: string;
  tags: string[];
}
interface RefAssignment {
  policy: Policy;
  params: AssignmentParams;
  group?: string;
}
interface RefPrincipal {
  memberId: string;
  email: string;
  orgRole: OrgRole;
  groups: string[];
  assignments: RefAssignment[];
}

function refSegmentMatches(patternSegment: string, seg: RefSegment): boolean {
  const [head, tagList] = patternSegment.split(';') as [string, string | undefined];
  const slash = head.indexOf('/');
  const type = slash < 0 ? head : head.slice(0, slash);
  const name = slash < 0 ? '' : head.slice(slash + 1);
  if (type !== seg.type) return false;
  const source = name
    .split('*')
    .map((s) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))
    .join('.*');
  if (!new RegExp(`^${source}$`).test(seg.name)) return false;
  return tagList === undefined || tagList.split(',').some((t) => seg.tags.includes(t));
}

function refMatches(pattern: string, segments: RefSegment[]): boolean {
  const parts = pattern.split(':');
  return parts.length === segments.length && parts.every((p, i) => refSegmentMatches(p, segments[i]!));
}

function refBind(pattern: string, params: AssignmentParams): string[] {
  let p = pattern;
  if (params.project !== undefined) p = p.split('${project}').join(params.project);
  if (params.flag !== undefined) p = p.split('${flag}').join(params.flag);
  if (!p.includes('${env}')) return [p];
  return (params.envs ?? ['*']).map((e) => p.split('${env}').join(e));
}

function patternType(pattern: string): string {
  const last = pattern.split(':').at(-1)!;
  return last.split(/[/;]/)[0]!;
}

function statementCovers(s: Statement, action: ActionName, pattern: string): boolean {
  const def = ACTION_CATALOG[action];
  if (def.resourceType !== patternType(pattern)) return false;
  if (s.effect === 'allow' && def.ownerOnly) return false;
  return s.actions.includes('*') || s.actions.includes(action);
}

function refStatementApplies(
  a: RefAssignment,
  index: number,
  action: ActionName,
  segments: RefSegment[],
): boolean {
  const s = a.policy.statements[index]!;
  return s.resources.some((r) =>
    refBind(r, a.params).some((p) => statementCovers(s, action, p) && refMatches(p, segments)),
  );
}

function refFind(
  p: RefPrincipal,
  effect: 'allow' | 'deny',
  action: ActionName,
  segments: RefSegment[],
): boolean {
  return p.assignments.some((a) =>
    a.policy.statements.some((s, i) => s.effect === effect && refStatementApplies(a, i, action, segments)),
  );
}

function refOwn(
  p: RefPrincipal,
  action: ActionName,
  segments: RefSegment[],
  protection: EnvProtection | undefined,
): DecisionKind {
  const inEnv = segments.length >= 2 && segments[0]!.type === 'project';
  const project = segments[0]!.type === 'project' ? segments[0]!.name : undefined;
  if (protection !== undefined && inEnv && protection.operations.includes(action)) {
    const ownerExempt = p.orgRole === 'owner' && action === 'ManageProtectedOperations';
    const a = protection.allowed;
    const holds = (key: string) =>
      p.assignments.some(
        (x) => x.policy.key === key && (x.params.project === undefined || x.params.project === project),
      );
    const ok =
      (a.orgRoles ?? []).includes(p.orgRole) ||
      (a.members ?? []).includes(p.memberId) ||
      (a.members ?? []).includes(p.email) ||
      (a.groups ?? []).some((g) => p.groups.includes(g)) ||
      (a.policies ?? []).some(holds);
    if (!ok && !ownerExempt) return 'protected';
  }
  if (p.orgRole === 'owner') return 'allow';
  if (refFind(p, 'deny', action, segments)) return 'explicit-deny';
  if (ACTION_CATALOG[action].ownerOnly) return 'implicit-deny';
  if (p.orgRole === 'admin') return 'allow';
  return refFind(p, 'allow', action, segments) ? 'allow' : 'implicit-deny';
}

function refDecide(
  p: RefPrincipal,
  action: ActionName,
  segments: RefSegment[],
  protection: EnvProtection | undefined,
): { kind: DecisionKind; missing?: string } {
  if (ACTION_CATALOG[action].resourceType !== segments.at(-1)!.type) return { kind: 'implicit-deny' };
  const own = refOwn(p, action, segments, protection);
  if (own !== 'allow') return { kind: own };
  if (segments[0]!.type === 'project' && action !== 'CanAccessProject') {
    if (refOwn(p, 'CanAccessProject', segments.slice(0, 1), undefined) !== 'allow') {
      return { kind: 'missing-access', missing: 'CanAccessProject' };
    }
  }
  if (segments.length >= 2 && segments[0]!.type === 'project' && action !== 'CanAccessEnv') {
    const guard = p.orgRole === 'owner' && action === 'ManageProtectedOperations' ? undefined : protection;
    if (refOwn(p, 'CanAccessEnv', segments.slice(0, 2), guard) !== 'allow') {
      return { kind: 'missing-access', missing: 'CanAccessEnv' };
    }
  }
  return { kind: 'allow' };
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const PROJECTS = ['shop', 'shop2', 'web'];
const ENVS = [
  { key: 'dev', production: false, tags: [] as string[] },
  { key: 'qa', production: false, tags: ['eu'] },
  { key: 'prod', production: true, tags: ['eu'] },
];
const FLAGS = ['checkout', 'search', 'cart'];
const FLAG_TAGS = ['beta', 'critical'];
const GROUPS = ['g1', 'g2'];
const ENV_TAGS = ['production', 'non-production', 'eu'];

const nameArb = (literals: string[], placeholder?: string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant('*') },
    { weight: 3, arbitrary: fc.constantFrom(...literals) },
    { weight: 2, arbitrary: fc.constantFrom(...literals).map((l) => `${l.slice(0, 2)}*`) },
    { weight: 1, arbitrary: fc.constantFrom(...literals).map((l) => `*${l.slice(-1)}`) },
    { weight: placeholder === undefined ? 0 : 3, arbitrary: fc.constant(placeholder ?? '*') },
  );
const tagSuffix = (tags: string[]) =>
  fc
    .option(fc.uniqueArray(fc.constantFrom(...tags), { minLength: 1, maxLength: 2 }), { freq: 3 })
    .map((t) => (t === null ? '' : `;${t.join(',')}`));

const patternArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant('org'),
  nameArb(PROJECTS, '${project}').map((p) => `project/${p}`),
  fc
    .tuple(nameArb(PROJECTS, '${project}'), nameArb(['dev', 'qa', 'prod'], '${env}'), tagSuffix(ENV_TAGS))
    .map(([p, e, t]) => `project/${p}:env/${e}${t}`),
  fc
    .tuple(
      nameArb(PROJECTS, '${project}'),
      nameArb(['dev', 'qa', 'prod'], '${env}'),
      tagSuffix(ENV_TAGS),
      fc.constantFrom('flag', 'var', 'segment'),
      nameArb(FLAGS, '${flag}'),
      tagSuffix(FLAG_TAGS),
    )
    .map(([p, e, et, type, n, nt]) => {
      const name = type === 'flag' ? n : n.replace('${flag}', '*');
      return `project/${p}:env/${e}${et}:${type}/${name}${type === 'flag' ? nt : ''}`;
    }),
);

const statementArb: fc.Arbitrary<Statement> = fc
  .tuple(fc.constantFrom<'allow' | 'deny'>('allow', 'allow', 'deny'), patternArb, fc.boolean())
  .chain(([effect, first, star]) => {
    const type = patternType(first);
    const all = ACTION_NAMES.filter((a) => ACTION_CATALOG[a].resourceType === type);
    const grantable = effect === 'allow' ? all.filter((a) => !ACTION_CATALOG[a].ownerOnly) : all;
    const samePattern = patternArb.filter((p) => patternType(p) === type);
    return fc
      .tuple(
        star
          ? fc.constant(['*'])
          : fc.uniqueArray(fc.constantFrom(...grantable), { minLength: 1, maxLength: 4 }),
        fc.array(samePattern, { maxLength: 1 }),
      )
      .map(([actions, more]) => ({ effect, actions, resources: [first, ...more] }) satisfies Statement);
  });

let policySeq = 0;
const customPolicyArb: fc.Arbitrary<Policy> = fc
  .array(statementArb, { minLength: 1, maxLength: 4 })
  .map((statements) => ({
    key: `custom-${policySeq++ % 4}`,
    name: 'c',
    description: '',
    builtIn: false,
    statements,
  }));

const policyArb = fc.oneof(
  { weight: 3, arbitrary: customPolicyArb },
  { weight: 2, arbitrary: fc.constantFrom(...BUILTIN_POLICY_LIST) },
);

function paramsArb(policy: Policy): fc.Arbitrary<AssignmentParams> {
  const text = policy.statements.flatMap((s) => s.resources).join(' ');
  return fc
    .tuple(
      fc.constantFrom(...PROJECTS),
      fc.constantFrom(...FLAGS),
      fc.option(fc.constantFrom(['dev'], ['*'], ['d*', 'prod'], ['qa', 'q*']), { freq: 2 }),
    )
    .map(([project, flag, envs]) => {
      const params: { project?: string; flag?: string; envs?: readonly string[] } = {};
      if (text.includes('${project}')) params.project = project;
      if (text.includes('${flag}')) params.flag = flag;
      if (text.includes('${env}') && envs !== null) params.envs = envs;
      return params;
    });
}

const assignmentArb = (groups: string[]): fc.Arbitrary<RefAssignment> =>
  policyArb.chain((policy) =>
    fc
      .tuple(
        paramsArb(policy),
        groups.length === 0 ? fc.constant(null) : fc.option(fc.constantFrom(...groups)),
      )
      .map(([params, group]) => (group === null ? { policy, params } : { policy, params, group })),
  );

const principalArb: fc.Arbitrary<RefPrincipal> = fc
  .tuple(
    fc.constantFrom<OrgRole>('member', 'member', 'member', 'member', 'member', 'member', 'admin', 'owner'),
    fc.subarray(GROUPS),
  )
  .chain(([orgRole, groups]) =>
    fc.array(assignmentArb(groups), { maxLength: 6 }).map((assignments) => ({
      memberId: 'm1',
      email: 'ann@acme.io',
      orgRole,
      groups,
      assignments,
    })),
  );

interface Target {
  segments: RefSegment[];
  resource: ResourceName;
}

const targetArb: fc.Arbitrary<Target> = fc
  .tuple(
    fc.constantFrom('org', 'project', 'env', 'flag', 'var', 'segment'),
    fc.constantFrom(...PROJECTS),
    fc.constantFrom(...ENVS),
    fc.constantFrom(...FLAGS),
    fc.subarray(FLAG_TAGS),
  )
  .map(([type, project, env, flag, flagTags]) => {
    const envRef = { key: env.key, production: env.production, tags: env.tags };
    const resource =
      type === 'org'
        ? rn.org()
        : type === 'project'
          ? rn.project(project)
          : type === 'env'
            ? rn.env(project, envRef)
            : type === 'flag'
              ? rn.flag(project, envRef, { key: flag, tags: flagTags })
              : type === 'var'
                ? rn.variable(project, envRef, flag)
                : rn.segment(project, envRef, flag);
    // the reference gets its own plain copy of the tags an environment carries
    const envTags = [...env.tags, env.production ? 'production' : 'non-production'];
    const segments: RefSegment[] =
      type === 'org'
        ? [{ type: 'org', name: '', tags: [] }]
        : [
            { type: 'project', name: project, tags: [] },
            ...(type === 'project' ? [] : [{ type: 'env', name: env.key, tags: envTags }]),
            ...(type === 'project' || type === 'env'
              ? []
              : [{ type, name: flag, tags: type === 'flag' ? flagTags : [] }]),
          ];
    return { segments, resource };
  });

const ENV_ACTIONS = ACTION_NAMES.filter((a) =>
  ['env', 'flag', 'var', 'segment'].includes(ACTION_CATALOG[a].resourceType),
);

const protectionArb: fc.Arbitrary<EnvProtection | undefined> = fc
  .option(
    fc.record({
      operations: fc.uniqueArray(fc.constantFrom(...ENV_ACTIONS), { maxLength: 8 }),
      allowed: fc.record(
        {
          orgRoles: fc.subarray<OrgRole>(['owner', 'admin', 'member']),
          policies: fc.subarray(['production-access', 'project-admin', 'custom-1', 'flag-user']),
          groups: fc.subarray(GROUPS),
          members: fc.subarray(['m1', 'ann@acme.io', 'bob@acme.io']),
        },
        { requiredKeys: [] },
      ),
    }),
    { freq: 2 },
  )
  .map((p) => p ?? undefined);

const cache = createGrantCache();

describe('decide agrees with a naive reference implementation', () => {
  it('on 12,000 random principals, policies, resources and protections', () => {
    const seen = new Map<DecisionKind, number>();
    fc.assert(
      fc.property(
        principalArb,
        targetArb,
        fc.nat({ max: 99 }),
        fc.constantFrom(...ACTION_NAMES),
        protectionArb,
        fc.boolean(),
        (ref, target, roll, anyAction, randomProtection, protectAction) => {
          for (const a of ref.assignments) expect(validateStatements(a.policy.statements)).toEqual([]);
          const type = target.resource.type;
          const ofType = ACTION_NAMES.filter((a) => ACTION_CATALOG[a].resourceType === type);
          const action = roll < 92 ? ofType[roll % ofType.length]! : anyAction;
          // protect the action asked about half of the time, so that the guard is exercised often
          const protection =
            randomProtection !== undefined && protectAction
              ? { ...randomProtection, operations: [...randomProtection.operations, action] }
              : randomProtection;
          const principal: Principal = {
            memberId: ref.memberId,
            email: ref.email,
            orgRole: ref.orgRole,
            groups: ref.groups,
            index: compilePrincipalIndex(ref.assignments, cache),
          };
          const d = decide(principal, action, target.resource, protection);
          const expected = refDecide(ref, action, target.segments, protection);
          seen.set(d.decision, (seen.get(d.decision) ?? 0) + 1);

          expect(d.decision).toBe(expected.kind);
          expect(d.allowed).toBe(expected.kind === 'allow');
          expect(isAllowed(principal, action, target.resource, protection)).toBe(d.allowed);
          expect(d.reason.kind).toBe(d.decision);
          expect(d.reason.message.length).toBeGreaterThan(0);

          // the explanation must name a statement that really decides
          if (d.reason.policy !== undefined) {
            const named = ref.assignments.filter(
              (a) => a.policy.key === d.reason.policy && (a.group ?? undefined) === d.reason.group,
            );
            const effect = d.decision === 'allow' ? 'allow' : 'deny';
            const statement = d.reason.statement!;
            expect(
              named.some(
                (a) =>
                  a.policy.statements[statement]?.effect === effect &&
                  refStatementApplies(a, statement, action, target.segments),
              ),
            ).toBe(true);
          }
          if (d.decision === 'allow' && d.reason.policy === undefined) {
            expect(d.reason.orgRole === 'owner' || d.reason.orgRole === 'admin').toBe(true);
          }
          if (d.decision === 'protected') {
            expect(d.reason.protection).toEqual({
              project: target.resource.project,
              environment: target.resource.env,
              operation: action,
            });
          }
          if (d.decision === 'missing-access') expect(d.reason.missing?.action).toBe(expected.missing);
        },
      ),
      { numRuns: 12_000 },
    );
    // every outcome must have been exercised a fair number of times
    for (const kind of ['allow', 'explicit-deny', 'implicit-deny', 'protected', 'missing-access'] as const) {
      expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(200);
    }
  });
});
