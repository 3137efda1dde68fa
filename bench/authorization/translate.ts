/*
 * What both peers need from the generated policies: every (grant, statement, pattern) with the
 * actions it reaches, computed exactly as Flagward's grant compiler does (`*` = the grantable actions
 * of the pattern's type for allow, every action of the type for deny; named actions of another type
 * are dropped), and the shard (project, or the organization) each pattern can reach.
 */
import {
  ACTION_CATALOG,
  type ActionName,
  actionsFor,
  type CompiledGrant,
  compileNameParts,
  grantableActionsFor,
  isActionName,
  type NamePart,
  type PatternSegment,
  type ResourceType,
  type RnPattern,
} from '@flagward/core';
import type { Org } from './org';

/** The shard of organization-level resources (no project key can contain `#`). */
export const ORG_SHARD = '#org';

/**
 * The policy slice a request is evaluated against: one per (project, resource type), one for the
 * organization. Both peers get their policies sliced this way, which only ever speeds them up.
 *
 * @example
 * shardOf('web-00', 'flag'); // 'web-00/flag'
 * shardOf(undefined, 'org'); // '#org'
 */
export function shardOf(project: string | undefined, type: ResourceType): string {
  return project === undefined || type === 'org' ? ORG_SHARD : `${project}/${type}`;
}

/**
 * Every shard of an organization with these project keys.
 *
 * @example
 * allShards(['web-00']); // ['#org', 'web-00/project', 'web-00/env', …]
 */
export function allShards(projectKeys: readonly string[]): string[] {
  return [ORG_SHARD, ...projectKeys.flatMap((p) => PROJECT_TYPES.map((t) => shardOf(p, t)))];
}

/** The resource types that live in a project. */
export const PROJECT_TYPES: readonly ResourceType[] = ['project', 'env', 'flag', 'var', 'segment'];

/**
 * One pattern of one bound statement of one grant, with the actions it reaches.
 *
 * @example
 * const rule: PatternRule = { grant, statement: 0, effect: 'allow', pattern, type: 'flag', actions: ['UpdateFlagOn'], shards: ['web-00'] };
 */
export interface PatternRule {
  readonly grant: CompiledGrant;
  readonly statement: number;
  readonly effect: 'allow' | 'deny';
  readonly pattern: RnPattern;
  readonly type: ResourceType;
  readonly actions: readonly ActionName[];
  /** The shards (see {@link shardOf}) the pattern can reach. */
  readonly shards: readonly string[];
}

/**
 * The text of a segment name with placeholders already bound: literal text and `*`.
 *
 * @example
 * globOf([{ kind: 'text', text: 'dev' }, { kind: 'wildcard' }]); // 'dev*'
 */
export function globOf(parts: readonly NamePart[]): string {
  return parts
    .map((p) => {
      if (p.kind === 'placeholder') throw new Error(`unbound placeholder \${${p.name}}`);
      return p.kind === 'wildcard' ? '*' : p.text;
    })
    .join('');
}

function actionsOf(effect: 'allow' | 'deny', actions: readonly string[], type: ResourceType): ActionName[] {
  const expand = effect === 'allow' ? grantableActionsFor(type) : actionsFor(type);
  const out = new Set<ActionName>();
  for (const action of actions) {
    if (action === '*') for (const a of expand) out.add(a);
    else if (isActionName(action) && ACTION_CATALOG[action].resourceType === type) {
      if (effect === 'deny' || !ACTION_CATALOG[action].ownerOnly) out.add(action);
    }
  }
  return [...out];
}

function shardsOf(first: PatternSegment, type: ResourceType, projectKeys: readonly string[]): string[] {
  if (first.type === 'org') return [ORG_SHARD];
  const matches = compileNameParts(first.parts);
  return projectKeys.filter((k) => matches(k)).map((k) => shardOf(k, type));
}

/**
 * Every pattern rule of every grant held in the organization.
 *
 * @example
 * patternRules(org).filter((r) => r.effect === 'deny').length;
 */
export function patternRules(org: Org): PatternRule[] {
  const projectKeys = org.projects.map((p) => p.key);
  const out: PatternRule[] = [];
  for (const grant of org.grants.values()) {
    for (const s of grant.statements) {
      for (const pattern of s.resources) {
        const type = pattern.segments.at(-1)!.type;
        const actions = actionsOf(s.effect, s.actions, type);
        if (actions.length === 0) continue;
        const shards = shardsOf(pattern.segments[0]!, type, projectKeys);
        if (shards.length === 0) continue;
        out.push({ grant, statement: s.index, effect: s.effect, pattern, type, actions, shards });
      }
    }
  }
  return out;
}
