import type { AssignmentParams, Policy, Statement } from '@flagward/core';
import type { TokenLimit } from '../governance/principal';
import { paramsOf } from './authz.context';
import type { AssignmentRecord, PolicyRow } from './iam.repository';

export interface StatementView {
  effect: 'allow' | 'deny';
  actions: string[];
  resources: string[];
}

function statementViews(statements: readonly Statement[]): StatementView[] {
  return statements.map((s) => ({ effect: s.effect, actions: [...s.actions], resources: [...s.resources] }));
}

export interface PolicyView {
  key: string;
  name: string;
  description: string;
  statements: StatementView[];
  builtIn: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface AssignmentView {
  id: string;
  policy: string;
  member?: string;
  group?: string;
  params: { project?: string; flag?: string; envs?: string[] };
  expiresAt: string | null;
  createdAt: string;
}

export function builtInPolicyView(policy: Policy): PolicyView {
  return { ...policy, statements: statementViews(policy.statements), createdAt: null, updatedAt: null };
}

export function policyView(row: PolicyRow): PolicyView {
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    statements: statementViews(JSON.parse(row.statements) as Statement[]),
    builtIn: false,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Parameters as answered: copies, so a response never shares arrays with compiled grants. */
export function mutableParams(params: AssignmentParams): AssignmentView['params'] {
  return {
    ...(params.project === undefined ? {} : { project: params.project }),
    ...(params.flag === undefined ? {} : { flag: params.flag }),
    ...(params.envs === undefined ? {} : { envs: [...params.envs] }),
  };
}

export function assignmentView(row: AssignmentRecord): AssignmentView {
  return {
    id: row.id,
    policy: row.policy_key,
    ...(row.member_email ? { member: row.member_email } : {}),
    ...(row.group_key ? { group: row.group_key } : {}),
    params: mutableParams(paramsOf(row)),
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

/** How an assignment reads in a sentence: `sarah@acme.com production-access on checkout project`. */
export function describeGrant(input: {
  member?: string | null | undefined;
  group?: string | null | undefined;
  policy: string;
  params: AssignmentParams;
  expiresAt?: string | null | undefined;
}): string {
  const holder = input.member ?? `group ${input.group}`;
  const until = input.expiresAt ? ` until ${input.expiresAt}` : '';
  return `${holder} ${describeBinding(input.policy, input.params)}${until}`;
}

/** Whom a refusal by a token's limit names: `the API token "ci" is limited to non-production-access on shop project`. */
export function describeTokenLimit(token: { name: string; limit: TokenLimit }): string {
  return `the API token "${token.name}" is limited to ${describeBinding(token.limit.policy, token.limit.params)}`;
}

/** A policy with its parameters in words: `production-access on checkout project (environments prod-*)`. */
export function describeBinding(policy: string, params: AssignmentParams): string {
  const { project, flag, envs } = params;
  let scope = '';
  if (flag !== undefined) scope = ` on flag ${flag} of ${project} project`;
  else if (project !== undefined) scope = ` on ${project} project`;
  const envText = envs && !(envs.length === 1 && envs[0] === '*') ? ` (environments ${envs.join(', ')})` : '';
  return `${policy}${scope}${envText}`;
}
