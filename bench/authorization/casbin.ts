/*
 * The generated policies translated into casbin (node-casbin), evaluated with `enforceSync`.
 *
 * Model: `r = sub, dom, obj, act`, `p = sub, dom, obj, act, eft`, `g = _, _`, effect
 * `some(where (p.eft == allow)) && !some(where (p.eft == deny))`, resource names matched with
 * `globMatch`. Translation:
 * - Subjects: `m:<member>` → `group:<key>` and `grant:G<id>` (direct assignments), groups →
 *   `grant:G<id>`; the owner has no grants (its assignments are never consulted, ADR 0005 §4) but
 *   `role:owner`, admins `role:admin`.
 * - One `p` rule per (grant, pattern, action, tag alternative): the object is the resource name with
 *   each tagged segment's tags spelled `;,t1,t2,`, so a tag filter `;a,b` becomes one rule with
 *   `;*,a,*` and one with `;*,b,*`; `dom` is the pattern's literal project or `*`.
 * - Org roles: allow rules for `role:owner` (every action) and `role:admin` (all but owner-only).
 * - Protections: a deny rule per protected operation whose subject is `exempt:<project>/<env>`, and
 *   the matcher inverts `g()` for those rules (deny unless the member reaches the exemption role);
 *   the roles, grants of the allowed policies for that project, groups and members the protection
 *   names are linked to the exemption role.
 * - The ancestor rule is applied by the application: up to three enforce calls, as for Cedar.
 * One enforcer per project and resource type (holding the rules that can reach it) and one for
 * organization resources, sharing one role manager; the matcher tests the cheap fields first.
 */
import {
  ACTION_CATALOG,
  type ActionName,
  actionsFor,
  grantableActionsFor,
  RESOURCE_TYPE_INFO,
  type ResourceName,
  type ResourceType,
  type RnPattern,
} from '@flagward/core';
import type { Org } from './org';
import { loadPeer, type PeerEngine, peerVersion, timeCalls } from './peers';
import type { AuthzRequest } from './requests';
import { allShards, globOf, ORG_SHARD, patternRules, shardOf } from './translate';

interface CasbinAssertion {
  rm: unknown;
}

interface CasbinModel {
  readonly model: Map<string, Map<string, CasbinAssertion>>;
  addPolicies(sec: string, ptype: string, rules: string[][]): unknown;
}

interface CasbinRoleManager {
  addLink(name1: string, name2: string): Promise<void>;
}

interface CasbinEnforcer {
  enforceSync(...rvals: string[]): boolean;
  getModel(): CasbinModel;
  setRoleManager(rm: CasbinRoleManager): void;
}

interface CasbinModule {
  newModelFromString(text: string): CasbinModel;
  newEnforcer(model: CasbinModel): Promise<CasbinEnforcer>;
  DefaultRoleManager: new (maxHierarchyLevel: number) => CasbinRoleManager;
}

/** The casbin model of the comparison. */
export const CASBIN_MODEL = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.act == p.act && (p.dom == "*" || p.dom == r.dom) && (g(r.sub, p.sub) != (p.eft == "deny" && keyMatch(p.sub, "exempt:*"))) && globMatch(r.obj, p.obj)
`;

function tagged(type: ResourceType): boolean {
  return RESOURCE_TYPE_INFO[type].tagged;
}

/**
 * The object string of a resource: `type/name`, with `;,t1,t2,` after tagged segments.
 *
 * @example
 * casbinObject(rn.env('shop', { key: 'dev', production: false })); // 'project/shop:env/dev;,non-production,'
 */
export function casbinObject(resource: ResourceName): string {
  return resource.segments
    .map((seg) => {
      if (seg.type === 'org') return 'org';
      const base = `${seg.type}/${seg.name}`;
      if (!tagged(seg.type)) return base;
      return seg.tags.length === 0 ? `${base};,` : `${base};,${seg.tags.join(',')},`;
    })
    .join(':');
}

/**
 * The glob alternatives of a pattern: one per combination of the tags its filters name.
 *
 * @example
 * casbinGlobs(parseRnPatternOrThrow('project/*:env/dev*:flag/*;a,b'));
 * // ['project/*:env/dev*;*:flag/*;*,a,*', 'project/*:env/dev*;*:flag/*;*,b,*']
 */
export function casbinGlobs(pattern: RnPattern): string[] {
  let out = [''];
  pattern.segments.forEach((seg, i) => {
    const sep = i === 0 ? '' : ':';
    const base = seg.type === 'org' ? 'org' : `${seg.type}/${globOf(seg.parts)}`;
    const alternatives = !tagged(seg.type)
      ? [base]
      : seg.tags === undefined
        ? [`${base};*`]
        : seg.tags.map((t) => `${base};*,${t},*`);
    out = out.flatMap((prefix) => alternatives.map((a) => `${prefix}${sep}${a}`));
  });
  return out;
}

const CATCH_ALL: Readonly<Record<string, string>> = {
  org: 'org',
  project: 'project/*',
  env: 'project/*:env/*;*',
  flag: 'project/*:env/*;*:flag/*;*',
  var: 'project/*:env/*;*:var/*',
  segment: 'project/*:env/*;*:segment/*',
};

function withinEnv(project: string, env: string, type: ResourceType): string {
  const base = `project/${project}:env/${env};*`;
  if (type === 'env') return base;
  return type === 'flag' ? `${base}:flag/*;*` : `${base}:${type}/*`;
}

interface PreparedCall {
  readonly enforcer: CasbinEnforcer;
  readonly sub: string;
  readonly dom: string;
  readonly obj: string;
  readonly act: string;
}

interface PreparedRequest {
  readonly main: PreparedCall;
  readonly project: PreparedCall | undefined;
  readonly env: PreparedCall | undefined;
}

/**
 * Translates the organization into casbin enforcers and pre-builds the calls of every request.
 *
 * @example
 * const casbin = await createCasbinPeer(org, requests);
 * casbin.decide(0);
 */
export async function createCasbinPeer(org: Org, requests: readonly AuthzRequest[]): Promise<PeerEngine> {
  const casbin = loadPeer<CasbinModule>('casbin');
  const shards = allShards(org.projects.map((p) => p.key));
  const rules = new Map<string, Map<string, string[]>>(shards.map((s) => [s, new Map()]));
  const add = (shard: string, rule: string[]): void => {
    rules.get(shard)!.set(rule.join('\u0001'), rule);
  };

  for (const rule of patternRules(org)) {
    const first = rule.pattern.segments[0]!;
    const literal =
      first.type === 'project' && first.parts.length === 1 && first.parts[0]!.kind === 'text'
        ? first.parts[0]!.text
        : undefined;
    const dom = first.type === 'org' ? ORG_SHARD : (literal ?? '*');
    const sub = `grant:G${rule.grant.id}`;
    for (const glob of casbinGlobs(rule.pattern)) {
      for (const act of rule.actions) {
        for (const shard of rule.shards) add(shard, [sub, dom, glob, act, rule.effect]);
      }
    }
  }
  // Org roles.
  const roleRules = (role: string, actions: (type: ResourceType) => readonly ActionName[]): void => {
    for (const [type, glob] of Object.entries(CATCH_ALL) as [ResourceType, string][]) {
      const targets = type === 'org' ? [ORG_SHARD] : org.projects.map((p) => shardOf(p.key, type));
      for (const act of actions(type))
        for (const shard of targets) add(shard, [role, '*', glob, act, 'allow']);
    }
  };
  roleRules('role:owner', actionsFor);
  roleRules('role:admin', grantableActionsFor);

  // Subjects and their links, in one role manager shared by every enforcer.
  const rm = new casbin.DefaultRoleManager(10);
  let links = 0;
  const link = async (a: string, b: string): Promise<void> => {
    await rm.addLink(a, b);
    links++;
  };
  const memberSub = new Map<string, string>();
  for (const m of org.members) {
    const sub = `m:${m.id}`;
    memberSub.set(m.email, sub);
    if (m.orgRole === 'owner') {
      await link(sub, 'role:owner');
      continue;
    }
    if (m.orgRole === 'admin') await link(sub, 'role:admin');
    for (const g of m.groups) await link(sub, `group:${org.groups[g]!.key}`);
    for (const a of m.direct) await link(sub, `grant:G${org.cache.grant(a.policy, a.params).id}`);
  }
  for (const g of org.groups) {
    for (const a of g.assignments)
      await link(`group:${g.key}`, `grant:G${org.cache.grant(a.policy, a.params).id}`);
  }
  // Protections.
  for (const project of org.projects) {
    for (const env of project.envs) {
      const protection = env.protection;
      if (protection === undefined) continue;
      const exempt = `exempt:${project.key}/${env.key}`;
      for (const op of protection.operations) {
        const type = ACTION_CATALOG[op as ActionName].resourceType;
        add(shardOf(project.key, type), [
          exempt,
          project.key,
          withinEnv(project.key, env.key, type),
          op,
          'deny',
        ]);
      }
      for (const role of protection.allowed.orgRoles ?? []) await link(`role:${role}`, exempt);
      const policies = protection.allowed.policies ?? [];
      for (const grant of org.grants.values()) {
        if (!policies.includes(grant.policy)) continue;
        if (grant.project === undefined || grant.project === project.key)
          await link(`grant:G${grant.id}`, exempt);
      }
      for (const g of protection.allowed.groups ?? []) await link(`group:${g}`, exempt);
      for (const email of protection.allowed.members ?? []) {
        const sub = memberSub.get(email);
        if (sub !== undefined) await link(sub, exempt);
      }
    }
  }

  const enforcers = new Map<string, CasbinEnforcer>();
  let total = 0;
  let largest = 0;
  for (const shard of shards) {
    const model = casbin.newModelFromString(CASBIN_MODEL);
    const enforcer = await casbin.newEnforcer(model);
    const list = [...rules.get(shard)!.values()];
    enforcer.getModel().addPolicies('p', 'p', list);
    enforcer.setRoleManager(rm);
    const g = enforcer.getModel().model.get('g')?.get('g');
    if (g === undefined) throw new Error('casbin model has no g assertion');
    g.rm = rm;
    enforcers.set(shard, enforcer);
    total += list.length;
    largest = Math.max(largest, list.length);
  }

  const call = (member: number, act: string, resource: ResourceName): PreparedCall => {
    return {
      enforcer: enforcers.get(shardOf(resource.project, resource.type))!,
      sub: `m:${org.members[member]!.id}`,
      dom: resource.project ?? ORG_SHARD,
      obj: casbinObject(resource),
      act,
    };
  };
  const prepared: PreparedRequest[] = requests.map((r) => ({
    main: call(r.member, r.action, r.resource),
    project:
      r.resource.projectRn !== undefined && r.action !== 'CanAccessProject'
        ? call(r.member, 'CanAccessProject', r.resource.projectRn)
        : undefined,
    env:
      r.resource.envRn !== undefined && r.action !== 'CanAccessEnv'
        ? call(r.member, 'CanAccessEnv', r.resource.envRn)
        : undefined,
  }));
  const allows = (c: PreparedCall): boolean => c.enforcer.enforceSync(c.sub, c.dom, c.obj, c.act);
  // The application applies the ancestor rule: the action, then CanAccessProject, then CanAccessEnv.
  const decide = (i: number): boolean => {
    const p = prepared[i]!;
    if (!allows(p.main)) return false;
    if (p.project !== undefined && !allows(p.project)) return false;
    if (p.env !== undefined && !allows(p.env)) return false;
    return true;
  };
  return {
    name: 'casbin',
    version: `casbin ${peerVersion('casbin')}`,
    description: `${total} p rules in ${enforcers.size} enforcers (largest ${largest}), ${links} g links`,
    decideMany: async (indices) => indices.map(decide),
    time: async (order, options) => timeCalls(decide, order, options),
    errors: async () => 0,
    close: async () => {},
  };
}
