/*
 * The request mix of the authorization benchmark: (member, action, resource) triples drawn from the
 * synthetic organization and classified by Flagward's own decision, then kept until every kind of
 * outcome has its share (allowed, explicitly denied, default denied, protected, missing ancestor
 * access).
 */
import {
  ACTION_CATALOG,
  ACTION_NAMES,
  type ActionName,
  type DecisionKind,
  decide,
  type EnvProtection,
  type ResourceName,
  type ResourceType,
  rn,
} from '@flagward/core';
import { grantsOf, type Org, type OrgEnv, type OrgProject } from './org';
import { createRandom, type Random } from './random';

/**
 * One authorization question with the answer Flagward gives.
 *
 * @example
 * const r: AuthzRequest = { member: 7, action: 'UpdateFlagOn', resource, protection, build, expected: 'allow' };
 */
export interface AuthzRequest {
  /** Index into `org.members` / `org.principals`. */
  readonly member: number;
  readonly action: ActionName;
  readonly resource: ResourceName;
  /** The protection of the resource's environment, resolved once (the server loads it with the environment). */
  readonly protection: EnvProtection | undefined;
  /** Builds the resource anew from its keys, as the server does for every request (rn.flag, rn.env …). */
  readonly build: () => ResourceName;
  readonly expected: DecisionKind;
}

/**
 * The share of each outcome in the mix.
 *
 * @example
 * MIX.allow; // 0.4
 */
export const MIX: Readonly<Record<DecisionKind, number>> = {
  allow: 0.4,
  'explicit-deny': 0.15,
  'implicit-deny': 0.2,
  protected: 0.1,
  'missing-access': 0.15,
};

const ACTIONS_BY_TYPE = new Map<ResourceType, ActionName[]>();
for (const name of ACTION_NAMES) {
  const type = ACTION_CATALOG[name].resourceType;
  ACTIONS_BY_TYPE.set(type, [...(ACTIONS_BY_TYPE.get(type) ?? []), name]);
}

function actionsOf(type: ResourceType): readonly ActionName[] {
  return ACTIONS_BY_TYPE.get(type) ?? [];
}

function envRef(env: OrgEnv): { key: string; production: boolean; tags: readonly string[] } {
  return { key: env.key, production: env.production, tags: env.tags };
}

function resourceIn(
  rand: Random,
  type: ResourceType,
  project: OrgProject,
  env: OrgEnv,
): { build: () => ResourceName; protection: EnvProtection | undefined } {
  const ref = envRef(env);
  const p = project.key;
  switch (type) {
    case 'org':
      return { build: () => rn.org(), protection: undefined };
    case 'project':
      return { build: () => rn.project(p), protection: undefined };
    case 'env':
      return { build: () => rn.env(p, ref), protection: env.protection };
    case 'flag': {
      const flag = rand.pick(project.flags);
      return { build: () => rn.flag(p, ref, flag), protection: env.protection };
    }
    case 'var': {
      const v = rand.pick(project.vars);
      return { build: () => rn.variable(p, ref, v), protection: env.protection };
    }
    default: {
      const segment = rand.pick(project.segments);
      return { build: () => rn.segment(p, ref, segment), protection: env.protection };
    }
  }
}

const TYPE_WEIGHTS: readonly (readonly [ResourceType, number])[] = [
  ['flag', 60],
  ['env', 10],
  ['project', 8],
  ['var', 12],
  ['segment', 5],
  ['org', 5],
];

/**
 * Draws `count` requests with the shares of {@link MIX}, classified by Flagward's `decide`, in a
 * shuffled order. Throws when a share cannot be filled.
 *
 * @example
 * const requests = buildRequests(org, 20_000);
 */
export function buildRequests(org: Org, count: number): AuthzRequest[] {
  const rand = createRandom(org.seed ^ 0x5eed);
  const quota = new Map<DecisionKind, number>(
    Object.entries(MIX).map(([k, share]) => [k as DecisionKind, Math.round(share * count)]),
  );
  const total = [...quota.values()].reduce((a, b) => a + b, 0);
  quota.set('allow', quota.get('allow')! + count - total);
  const out: AuthzRequest[] = [];
  const seen = new Set<string>();
  const maxAttempts = count * 400;
  for (let attempt = 0; attempt < maxAttempts && out.length < count; attempt++) {
    const strategy = rand.weighted([
      ['grant', 60],
      ['random', 20],
      ['protected', 15],
      ['role', 5],
    ] as const);
    let member: number;
    let project: OrgProject;
    let env: OrgEnv;
    let type: ResourceType;
    let action: ActionName;
    if (strategy === 'role') {
      member = rand.int(21);
      project = rand.pick(org.projects);
      env = rand.pick(project.envs);
      type = rand.weighted(TYPE_WEIGHTS);
      action = rand.pick(actionsOf(type));
    } else if (strategy === 'protected') {
      member = 21 + rand.int(org.members.length - 21);
      project = rand.pick(org.projects);
      const protectedEnvs = project.envs.filter((e) => e.protection !== undefined);
      env = rand.pick(protectedEnvs);
      action = rand.pick(env.protection!.operations) as ActionName;
      type = ACTION_CATALOG[action].resourceType;
    } else {
      member = strategy === 'grant' ? 21 + rand.int(org.members.length - 21) : rand.int(org.members.length);
      const held = grantsOf(org, org.members[member]!);
      const grant = strategy === 'grant' && held.length > 0 ? rand.pick(held).grant : undefined;
      const key = grant?.project;
      project = key === undefined ? rand.pick(org.projects) : org.projects.find((p) => p.key === key)!;
      env = rand.pick(project.envs);
      type = rand.weighted(TYPE_WEIGHTS);
      action = rand.pick(actionsOf(type));
    }
    const { build, protection } = resourceIn(rand, type, project, env);
    const resource = build();
    const principal = org.principals[member]!;
    const expected = decide(principal, action, resource, protection).decision;
    const left = quota.get(expected)!;
    if (left <= 0) continue;
    const id = `${member} ${action} ${resource.text}`;
    if (seen.has(id)) continue;
    seen.add(id);
    quota.set(expected, left - 1);
    out.push({ member, action, resource, protection, build, expected });
  }
  if (out.length < count) {
    const missing = [...quota].filter(([, n]) => n > 0).map(([k, n]) => `${k}: ${n}`);
    throw new Error(`could not fill the request mix (${missing.join(', ')} missing)`);
  }
  return rand.shuffle(out);
}
