import {
  compilePrincipalIndex,
  createDecider,
  type Decision,
  type Principal as DecisionPrincipal,
  decide,
  decideScoped,
  type EnvProtection,
  getAction,
  type ResourceName,
  rn,
} from '@flagward/core';
import type { Executor } from '../db/database';
import type { Authorizer, Refusal, Requirement } from '../governance/authorizer';
import type { MemberPrincipal, Principal, TokenRef } from '../governance/principal';
import type { GroupRepository } from '../groups/group.repository';
import { AuthzContext, type EnvFacts } from './authz.context';
import type { IamRepository } from './iam.repository';
import { describeTokenLimit } from './iam.views';

/** A requirement's resource, split into the keys it names (`*` as environment: every environment). */
type ResourceRef =
  | { type: 'org' }
  | { type: 'project'; project: string }
  | { type: 'env'; project: string; env: string }
  | { type: 'flag'; project: string; env: string; flag: string }
  | { type: 'var'; project: string; env: string; variable: string }
  | { type: 'segment'; project: string; env: string; segment: string }
  | { type: 'member' | 'group' | 'policy' | 'token'; name: string };

/** Splits a concrete resource name as services write it. */
export function parseResourceRef(resource: string): ResourceRef {
  if (resource === 'org') return { type: 'org' };
  const segments = resource.split(':').map((segment) => {
    const slash = segment.indexOf('/');
    return { type: segment.slice(0, slash), name: segment.slice(slash + 1) };
  });
  const [first, second, third] = segments;
  if (!first) throw new Error(`unparseable resource ${resource}`);
  if (first.type !== 'project') return { type: first.type as 'member', name: first.name };
  if (!second) return { type: 'project', project: first.name };
  if (!third) return { type: 'env', project: first.name, env: second.name };
  if (third.type === 'flag') return { type: 'flag', project: first.name, env: second.name, flag: third.name };
  if (third.type === 'var')
    return { type: 'var', project: first.name, env: second.name, variable: third.name };
  return { type: 'segment', project: first.name, env: second.name, segment: third.name };
}

/** How many compiled members the authorizer keeps (all are dropped when it fills up). */
const COMPILED_CACHE_SIZE = 10_000;

/** A member's compiled groups and index, and when they hold. */
interface CompiledMember {
  version: string;
  validFrom: number;
  validUntil: number;
  groups: string[];
  index: DecisionPrincipal['index'];
}

/** The member whose permissions a principal acts with (a scheduled step: the scheduler's, now). */
function actingMember(principal: Principal): MemberPrincipal | undefined {
  return principal.kind === 'system' ? principal.onBehalfOf : principal;
}

/**
 * Decides with the policy engine of core (DESIGN §3–§5): organization roles, the member's active
 * direct and group assignments, environment protections, the ancestor rule and scope rules.
 */
export class PolicyAuthorizer implements Authorizer {
  private readonly compiled = new Map<string, CompiledMember>();
  /** Tokens' limits compiled for decisions (undefined: the policy no longer exists), per IAM version. */
  private readonly limits = new Map<
    string,
    { version: string; index: DecisionPrincipal['index'] | undefined }
  >();
  private readonly environments = new Map<string, { version: string; envs: EnvFacts[] }>();

  constructor(
    private readonly repository: IamRepository,
    private readonly groups: GroupRepository,
    private readonly clock: () => Date,
  ) {}

  /** A decision context for one call (one transaction). */
  context(executor: Executor, orgId: string): AuthzContext {
    return new AuthzContext(executor, this.repository, orgId, this.clock(), this.environments);
  }

  /**
   * A member compiled for decisions with their current role, groups and assignments. Compiling is
   * costly (a member may hold hundreds of flag grants), so the groups and index are cached per
   * organization and member, for as long as the IAM version read in the caller's transaction is the
   * one they were compiled at (every write to assignments, policies, groups, membership or members
   * changes it, in any process) and no assignment reached its expiry since.
   */
  async principalOf(
    context: AuthzContext,
    executor: Executor,
    member: Pick<MemberPrincipal, 'memberId' | 'email' | 'orgRole'>,
  ): Promise<DecisionPrincipal> {
    const version = await context.currentVersion();
    const key = `${context.orgId}\u0000${member.memberId}`;
    const t = context.now.getTime();
    const cached = this.compiled.get(key);
    if (cached && cached.version === version && t >= cached.validFrom && t < cached.validUntil) {
      return {
        memberId: member.memberId,
        email: member.email,
        orgRole: member.orgRole,
        groups: cached.groups,
        index: cached.index,
      };
    }
    const groups = await this.groups.groupKeysOfMember(executor, member.memberId);
    const { principal, validFrom, validUntil } = await context.compile(member, groups);
    if (this.compiled.size >= COMPILED_CACHE_SIZE) this.compiled.clear();
    this.compiled.set(key, { version, validFrom, validUntil, groups, index: principal.index });
    return principal;
  }

  /**
   * What a token's limit allows, as a principal of its own: the member's identity and groups, no
   * organization role, and the limit's policy as its only grant. Undefined when the policy no longer
   * exists (the token is then refused everything).
   */
  private async limitOf(
    context: AuthzContext,
    token: TokenRef,
    member: DecisionPrincipal,
  ): Promise<DecisionPrincipal | undefined> {
    const limit = token.limit;
    if (!limit) return undefined;
    const version = await context.version();
    const key = `${context.orgId}\u0000${token.id}`;
    let cached = this.limits.get(key);
    if (!cached || cached.version !== version) {
      const policy = await context.policy(limit.policy);
      cached = {
        version,
        index: policy ? compilePrincipalIndex([{ policy, params: limit.params }]) : undefined,
      };
      if (this.limits.size >= COMPILED_CACHE_SIZE) this.limits.clear();
      this.limits.set(key, cached);
    }
    if (!cached.index) return undefined;
    return {
      memberId: member.memberId,
      email: member.email,
      orgRole: 'member',
      groups: member.groups,
      index: cached.index,
    };
  }

  /** The decision, with its explanation, for one action on one resource. */
  async decide(
    context: AuthzContext,
    principal: DecisionPrincipal,
    requirement: Requirement,
    /** False for a token's limit: protections concern the member, whose own decision applies them. */
    protectionsApply = true,
  ): Promise<Decision> {
    const ref = parseResourceRef(requirement.resource);
    if (ref.type !== 'flag' && ref.type !== 'var' && ref.type !== 'env' && ref.type !== 'segment') {
      return decide(principal, requirement.action, this.simpleResource(ref));
    }
    const env = ref.env === '*' ? undefined : await context.environment(ref.project, ref.env);
    if (ref.type === 'flag') {
      const flag = {
        key: ref.flag,
        tags: requirement.flagTags ?? (await context.flagTags(ref.project, ref.flag)),
      };
      const scope = getAction(requirement.action)?.scope;
      if (env === undefined || (scope !== undefined && scope !== 'single' && scope !== 'grant-envs')) {
        const envs = await context.environments(ref.project);
        const protections = new Map(envs.map((e) => [e.key, protectionsApply ? e.protection : undefined]));
        const decider = createDecider(principal, (_project, envKey) => protections.get(envKey));
        return decideScoped(decider, requirement.action, { project: ref.project, flag, envs });
      }
      return decide(
        principal,
        requirement.action,
        rn.flag(ref.project, env, flag),
        protectionsApply ? env.protection : undefined,
      );
    }
    if (!env) throw new Error(`${requirement.resource} needs a concrete environment`);
    const protection: EnvProtection | undefined = protectionsApply ? env.protection : undefined;
    if (ref.type === 'env')
      return decide(principal, requirement.action, rn.env(ref.project, env), protection);
    if (ref.type === 'var')
      return decide(principal, requirement.action, rn.variable(ref.project, env, ref.variable), protection);
    return decide(principal, requirement.action, rn.segment(ref.project, env, ref.segment), protection);
  }

  private simpleResource(ref: ResourceRef): ResourceName {
    switch (ref.type) {
      case 'org':
        return rn.org();
      case 'project':
        return rn.project(ref.project);
      case 'member':
        return rn.member(ref.name);
      case 'group':
        return rn.group(ref.name);
      case 'policy':
        return rn.policy(ref.name);
      case 'token':
        return rn.token(ref.name);
      default:
        throw new Error(`resource type ${ref.type} needs an environment`);
    }
  }

  async refusals(executor: Executor, principal: Principal, requirements: Requirement[]): Promise<Refusal[]> {
    const member = actingMember(principal);
    if (!member) return [];
    const context = this.context(executor, principal.org.id);
    const subject = await this.principalOf(context, executor, member);
    // A request made with a limited token (never a scheduled step: those act with the member's own
    // permissions) needs both the member and the token's limit to allow each requirement.
    const token = principal.kind === 'member' ? principal.token : undefined;
    const limit = token?.limit ? await this.limitOf(context, token, subject) : undefined;
    const refused: Refusal[] = [];
    for (const requirement of requirements) {
      const decision = await this.decide(context, subject, requirement);
      if (!decision.allowed) {
        const protection = decision.reason.protection;
        refused.push({
          action: requirement.action,
          resource: requirement.resource,
          decision: decision.decision as Refusal['decision'],
          reason: decision.reason.message,
          ...(protection ? { protection } : {}),
        });
        continue;
      }
      if (!token?.limit) continue;
      const limited = limit ? await this.decide(context, limit, requirement, false) : undefined;
      if (limited?.allowed) continue;
      const limitedBy = describeTokenLimit({ name: token.name, limit: token.limit });
      refused.push({
        action: requirement.action,
        resource: requirement.resource,
        decision: limited ? (limited.decision as Refusal['decision']) : 'implicit-deny',
        reason: limited
          ? `${limitedBy}, which does not allow ${requirement.action} on ${requirement.resource}`
          : `${limitedBy}, and policy ${token.limit.policy} no longer exists`,
      });
    }
    return refused;
  }
}
