/*
 * The generated policies translated into Cedar, evaluated by @cedar-policy/cedar-wasm (nodejs build).
 *
 * Translation:
 * - Each grant (policy bound with its assignment parameters) is an entity `Grant::"G<id>"`; members
 *   are `Member` entities whose parents are their groups and direct grants, groups are `Group`
 *   entities whose parents are their grants. The owner gets no parents: its assignments are never
 *   consulted (ADR 0005 §4).
 * - Each statement becomes one `permit`/`forbid` per resource type with
 *   `principal in Grant::"G…", action in [...]`, and its patterns as `when` conditions on resource
 *   attributes (`==` for literal names, `like` for `*` globs, `containsAny` for `;a,b` tag filters).
 * - Org roles: `permit` for owner and admin, `forbid` of the owner-only actions unless owner.
 * - Protections: one `forbid` on the resource's `protectedOps` unless the principal's role, held
 *   policies (`holds`, "policy/project"), groups or email are among those the protection allows.
 * - The ancestor rule (CanAccessProject / CanAccessEnv) cannot be written as a Cedar policy: the
 *   application asks Cedar up to three times (the action, then CanAccessProject on the project, then
 *   CanAccessEnv on the environment), as Flagward does inside one decision.
 * Policies are pre-parsed once (`preparsePolicySet`) per project and resource type, each set holding
 * the policies that can reach it, plus one set for organization resources; every call passes only the
 * entities it needs (the member, its groups and the resource). Cedar runs in a worker thread
 * (cedar.worker.mjs explains why); this file translates and pre-builds the entities.
 */
import { Worker } from 'node:worker_threads';
import {
  type EnvProtection,
  type OrgRole,
  RESOURCE_TYPE_INFO,
  type ResourceName,
  type RnPattern,
} from '@flagward/core';
import type { Org, OrgMember } from './org';
import { grantsOf } from './org';
import { ensurePeer, PEERS_FOLDER, type PeerEngine, peerVersion } from './peers';
import type { AuthzRequest } from './requests';
import { allShards, globOf, ORG_SHARD, patternRules, shardOf } from './translate';

type Uid = { readonly type: string; readonly id: string };
type CedarValue = string | boolean | number | readonly CedarValue[] | { readonly __entity: Uid };

interface CedarEntity {
  readonly uid: Uid;
  readonly attrs: Readonly<Record<string, CedarValue>>;
  readonly parents: readonly Uid[];
}

const q = (s: string): string => JSON.stringify(s);

const ATTRS = [
  { name: 'project', tags: undefined },
  { name: 'env', tags: 'envTags' },
  { name: 'name', tags: 'tags' },
] as const;

function condition(pattern: RnPattern): string {
  const type = pattern.segments.at(-1)!.type;
  const parts = [`resource.kind == ${q(type)}`];
  if (type !== 'org') {
    pattern.segments.forEach((seg, i) => {
      const attr = ATTRS[i]!;
      const glob = globOf(seg.parts);
      if (!glob.includes('*')) parts.push(`resource.${attr.name} == ${q(glob)}`);
      else if (glob !== '*') parts.push(`resource.${attr.name} like ${q(glob)}`);
      if (seg.tags !== undefined && attr.tags !== undefined) {
        parts.push(`resource.${attr.tags}.containsAny([${seg.tags.map(q).join(', ')}])`);
      }
    });
  }
  return parts.join(' && ');
}

const actionList = (actions: readonly string[]): string =>
  `[${actions.map((a) => `Action::${q(a)}`).join(', ')}]`;

const ROLE_POLICIES = [
  'permit(principal, action, resource) when { principal.role == "owner" };',
  'permit(principal, action, resource) when { principal.role == "admin" };',
  `forbid(principal, action in ${actionList(['UpdateOrgSettings', 'DeleteOrg', 'TransferOwnership'])}, resource) unless { principal.role == "owner" };`,
];

const PROTECTION_POLICY = `forbid(principal, action, resource) when { resource.protectedOps.contains(action) } unless {
  resource.protectionRoles.contains(principal.role) ||
  principal.holds.containsAny(resource.protectionHolders) ||
  principal in resource.protectionGroups ||
  resource.protectionMembers.contains(principal.email)
};`;

/**
 * The Cedar policy sets (text) per shard: one per (project, resource type) and one for organization
 * resources (see translate.ts).
 *
 * @example
 * cedarPolicySets(org).get('web-00/flag')?.count;
 */
export function cedarPolicySets(org: Org): Map<string, { text: string[]; count: number }> {
  const sets = new Map<string, { text: string[]; count: number }>();
  const add = (shard: string, policy: string): void => {
    let s = sets.get(shard);
    if (s === undefined) {
      s = { text: [], count: 0 };
      sets.set(shard, s);
    }
    s.text.push(policy);
    s.count++;
  };
  for (const shard of allShards(org.projects.map((p) => p.key))) {
    add(shard, ROLE_POLICIES[0]!);
    add(shard, ROLE_POLICIES[1]!);
    if (shard === ORG_SHARD) add(shard, ROLE_POLICIES[2]!);
    else if (!shard.endsWith('/project')) add(shard, PROTECTION_POLICY);
  }
  // One policy per (grant, statement, resource type, action set), its patterns OR-ed.
  const groups = new Map<string, { head: string; conditions: string[]; shards: Set<string> }>();
  for (const rule of patternRules(org)) {
    const key = `${rule.grant.id}/${rule.statement}/${rule.type}/${rule.actions.join(',')}`;
    let g = groups.get(key);
    if (g === undefined) {
      const effect = rule.effect === 'allow' ? 'permit' : 'forbid';
      g = {
        head: `${effect}(principal in Grant::${q(`G${rule.grant.id}`)}, action in ${actionList(rule.actions)}, resource)`,
        conditions: [],
        shards: new Set(),
      };
      groups.set(key, g);
    }
    g.conditions.push(condition(rule.pattern));
    for (const s of rule.shards) g.shards.add(s);
  }
  for (const g of groups.values()) {
    const when =
      g.conditions.length === 1 ? g.conditions[0]! : g.conditions.map((c) => `(${c})`).join(' || ');
    const policy = `${g.head} when { ${when} };`;
    for (const shard of g.shards) add(shard, policy);
  }
  return sets;
}

function memberEntity(org: Org, member: OrgMember): CedarEntity {
  const uid = { type: 'Member', id: member.id };
  const attrs = { role: member.orgRole, email: member.email };
  if (member.orgRole === 'owner') return { uid, attrs: { ...attrs, holds: [] }, parents: [] };
  const holds = new Set<string>();
  for (const { grant } of grantsOf(org, member)) holds.add(`${grant.policy}/${grant.project ?? '*'}`);
  const parents: Uid[] = [
    ...member.groups.map((g) => ({ type: 'Group', id: org.groups[g]!.key })),
    ...member.direct.map((a) => ({ type: 'Grant', id: `G${org.cache.grant(a.policy, a.params).id}` })),
  ];
  return { uid, attrs: { ...attrs, holds: [...holds] }, parents };
}

function resourceEntity(resource: ResourceName, protection: EnvProtection | undefined): CedarEntity {
  const segs = resource.segments;
  const project = resource.project ?? '';
  const attrs: Record<string, CedarValue> = {
    kind: resource.type,
    project,
    env: resource.env ?? '',
    name: segs.length === 3 ? segs[2]!.name : '',
    envTags: segs.length >= 2 ? segs[1]!.tags : [],
    tags: segs.length === 3 && RESOURCE_TYPE_INFO[segs[2]!.type].tagged ? segs[2]!.tags : [],
    protectedOps: (protection?.operations ?? []).map((id) => ({ __entity: { type: 'Action', id } })),
    protectionRoles: [...((protection?.allowed.orgRoles ?? []) as readonly OrgRole[])],
    protectionHolders: (protection?.allowed.policies ?? []).flatMap((p) => [`${p}/${project}`, `${p}/*`]),
    protectionGroups: (protection?.allowed.groups ?? []).map((id) => ({ __entity: { type: 'Group', id } })),
    protectionMembers: [...(protection?.allowed.members ?? [])],
  };
  return { uid: { type: 'Resource', id: resource.text }, attrs, parents: [] };
}

interface WorkerReply {
  readonly ok: boolean;
  readonly message?: string;
  readonly [key: string]: unknown;
}

/**
 * Translates the organization, starts the Cedar worker, pre-parses the policy sets there and sends
 * it the entities of every request.
 *
 * @example
 * const cedar = await createCedarPeer(org, requests);
 * await cedar.decideMany([0, 1]);
 */
export async function createCedarPeer(org: Org, requests: readonly AuthzRequest[]): Promise<PeerEngine> {
  ensurePeer('@cedar-policy/cedar-wasm/nodejs');
  const worker = new Worker(new URL('./cedar.worker.mjs', import.meta.url), {
    workerData: { peersDir: PEERS_FOLDER },
    execArgv: [],
  });
  const pending: ((reply: WorkerReply) => void)[] = [];
  let failure: Error | undefined;
  worker.on('message', (reply: WorkerReply) => pending.shift()?.(reply));
  worker.on('error', (e) => {
    failure = e;
    for (const resolve of pending.splice(0)) resolve({ ok: false, message: e.message });
  });
  const ask = async (message: Record<string, unknown>): Promise<WorkerReply> => {
    if (failure !== undefined) throw failure;
    const reply = await new Promise<WorkerReply>((resolve) => {
      pending.push(resolve);
      worker.postMessage(message);
    });
    if (!reply.ok) throw new Error(`Cedar worker: ${reply.message}`);
    return reply;
  };

  const sets = cedarPolicySets(org);
  let total = 0;
  let largest = 0;
  for (const set of sets.values()) {
    total += set.count;
    largest = Math.max(largest, set.count);
  }
  const parsed = await ask({ type: 'sets', sets: [...sets].map(([id, set]) => [id, set.text.join('\n')]) });

  const members: Record<number, { id: string; entities: CedarEntity[] }> = {};
  for (const r of requests) {
    if (members[r.member] !== undefined) continue;
    const member = org.members[r.member]!;
    const groups: CedarEntity[] =
      member.orgRole === 'owner'
        ? []
        : member.groups.map((g) => {
            const group = org.groups[g]!;
            return {
              uid: { type: 'Group', id: group.key },
              attrs: {},
              parents: group.assignments.map((a) => ({
                type: 'Grant',
                id: `G${org.cache.grant(a.policy, a.params).id}`,
              })),
            };
          });
    members[r.member] = { id: member.id, entities: [memberEntity(org, member), ...groups] };
  }
  await ask({
    type: 'requests',
    members,
    requests: requests.map((r) => ({
      member: r.member,
      action: r.action,
      shard: shardOf(r.resource.project, r.resource.type),
      resource: resourceEntity(r.resource, r.protection),
      project:
        r.resource.projectRn !== undefined && r.action !== 'CanAccessProject'
          ? resourceEntity(r.resource.projectRn, undefined)
          : undefined,
      projectShard: shardOf(r.resource.project, 'project'),
      env:
        r.resource.envRn !== undefined && r.action !== 'CanAccessEnv'
          ? resourceEntity(r.resource.envRn, r.protection)
          : undefined,
      envShard: shardOf(r.resource.project, 'env'),
    })),
  });

  return {
    name: 'Cedar',
    version: `@cedar-policy/cedar-wasm ${peerVersion('@cedar-policy/cedar-wasm')} (Cedar ${String(parsed.version)})`,
    description: `${total} policies in ${sets.size} pre-parsed sets (largest ${largest}; pre-parsing took ${(Number(parsed.ms) / 1000).toFixed(1)} s)`,
    async decideMany(indices) {
      const reply = await ask({ type: 'decide', indices: [...indices] });
      return [...(reply.decisions as Uint8Array)].map((d) => d === 1);
    },
    async time(order, options) {
      const reply = await ask({ type: 'time', order: [...order], ...options });
      return { latencies: reply.latencies as Float64Array, seconds: reply.seconds as number };
    },
    async errors() {
      return (await ask({ type: 'errors' })).errors as number;
    },
    async close() {
      await worker.terminate();
    },
  };
}
